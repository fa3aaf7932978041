import { Alert, Button, Group, Select, Stack, Textarea } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { sendErrorText } from './rules';

export interface Attachable {
  id: string;
  name: string;
}

/**
 * Writes and sends one message, optionally with one of the sender's available files attached.
 * The draft is cleared only once the message was accepted: a refused message (moderation,
 * rate limit, lost connection) keeps it, with the reason, so nothing typed is lost.
 */
export function Composer({
  files,
  onSend,
}: {
  files: Attachable[];
  onSend: (text: string, attachmentFileIds: string[]) => Promise<void>;
}) {
  const [text, setText] = useState('');
  const [attachment, setAttachment] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim() || busy) return;
    setBusy(true);
    setError(null);
    try {
      await onSend(text.trim(), attachment ? [attachment] : []);
      setText('');
      setAttachment(null);
    } catch (err) {
      setError(sendErrorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} aria-label="New message">
      <Stack gap="xs">
        {error && (
          <Alert color="red" role="alert" title="Message not sent">
            {error}
          </Alert>
        )}
        <Textarea
          label="Message"
          autosize
          minRows={2}
          maxRows={8}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            // Enter sends, Shift+Enter starts a new line (the usual chat convention).
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) void submit(e);
          }}
        />
        <Group align="flex-end" wrap="wrap">
          <Select
            label="Attach a file"
            placeholder={files.length ? 'None' : 'No available files'}
            data={files.map((f) => ({ value: f.id, label: f.name }))}
            value={attachment}
            onChange={setAttachment}
            clearable
            disabled={files.length === 0}
            style={{ flex: 1, minWidth: 200 }}
          />
          <Button type="submit" loading={busy} disabled={!text.trim()}>
            Send
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
