import { Button, Group, Paper, Stack, Text } from '@mantine/core';
import type { Message } from '../api/types';

/** A thread, oldest first; older pages load on demand. Message text is rendered as text, never HTML. */
export function MessageList({
  messages,
  meId,
  fileName,
  onOpenFile,
  hasOlder,
  onOlder,
  loadingOlder,
}: {
  messages: Message[];
  meId: string;
  fileName: (id: string) => string | undefined;
  onOpenFile: (id: string, name: string) => void;
  hasOlder: boolean;
  onOlder: () => void;
  loadingOlder?: boolean;
}) {
  return (
    <Stack gap="xs">
      {hasOlder && (
        <Group justify="center">
          <Button size="xs" variant="subtle" onClick={onOlder} loading={loadingOlder ?? false}>
            Load older messages
          </Button>
        </Group>
      )}
      {messages.length === 0 && <Text size="sm">No messages yet.</Text>}
      <Stack gap="xs" role="log" aria-label="Messages" aria-live="polite">
        {messages.map((m) => {
          const mine = m.senderId === meId;
          return (
            <Paper
              key={m.id}
              withBorder
              p="xs"
              bg={mine ? 'blue.0' : undefined}
              ml={mine ? 'xl' : 0}
              mr={mine ? 0 : 'xl'}
              data-message-id={m.id}
            >
              <Text size="xs">
                {mine ? 'You' : m.senderId} · {new Date(m.sentAt).toLocaleString()}
                {m.editedAt ? ' · edited' : ''}
              </Text>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                {m.deletedAt ? 'Message deleted' : (m.text ?? '')}
              </Text>
              {m.attachmentFileIds.map((id) => {
                const name = fileName(id);
                return (
                  <Group key={id} gap="xs" mt={4}>
                    <Text size="xs" style={{ wordBreak: 'break-all' }}>
                      Attachment: {name ?? id}
                    </Text>
                    {name && (
                      <Button size="compact-xs" variant="outline" onClick={() => onOpenFile(id, name)}>
                        Download {name}
                      </Button>
                    )}
                  </Group>
                );
              })}
            </Paper>
          );
        })}
      </Stack>
    </Stack>
  );
}
