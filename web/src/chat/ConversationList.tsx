import { Badge, NavLink, Stack, Text } from '@mantine/core';
import type { Conversation } from '../api/types';
import { conversationLabel } from './rules';

/** The caller's conversations, newest activity first, each with its unread count. */
export function ConversationList({
  items,
  meId,
  selected,
  onSelect,
}: {
  items: Conversation[];
  meId: string;
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  if (items.length === 0) return <Text size="sm">No conversations yet.</Text>;
  return (
    <Stack gap={2} component="nav" aria-label="Conversations">
      {items.map((c) => {
        const label = conversationLabel(c, meId);
        return (
          <NavLink
            key={c.id}
            component="button"
            label={<Text style={{ wordBreak: 'break-all' }}>{label}</Text>}
            active={c.id === selected}
            aria-current={c.id === selected ? 'true' : undefined}
            aria-label={c.unreadCount > 0 ? `${label}, ${c.unreadCount} unread` : label}
            onClick={() => onSelect(c.id)}
            rightSection={
              c.unreadCount > 0 ? (
                <Badge color="blue.9" variant="filled" size="sm" aria-hidden>
                  {c.unreadCount}
                </Badge>
              ) : null
            }
          />
        );
      })}
    </Stack>
  );
}
