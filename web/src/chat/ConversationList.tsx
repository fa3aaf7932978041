import { Badge, NavLink, Stack, Text } from '@mantine/core';
import type { Conversation } from '../api/types';
import { conversationLabel } from './rules';

/** The caller's conversations, newest activity first, each with its unread count. */
export function ConversationList({
  items,
  meId,
  selected,
  onSelect,
  nameOf,
}: {
  items: Conversation[];
  /** Names of the other participants (the caller's people), ids where the list does not name them. */
  nameOf?: (id: string) => string;
  meId: string;
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  if (items.length === 0) return <Text size="sm">No conversations yet.</Text>;
  return (
    <Stack gap={2} component="nav" aria-label="Conversations">
      {items.map((c) => {
        const label = conversationLabel(c, meId, nameOf);
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
