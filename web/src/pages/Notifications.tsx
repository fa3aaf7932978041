import { Alert, Badge, Button, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, must } from '../api/client';
import type { Notification } from '../api/types';
import { useLive } from '../live/LiveProvider';

export function NotificationList({ items, onRead }: { items: Notification[]; onRead: (n: Notification) => void }) {
  return (
    <Stack gap="xs" role="list" aria-label="Notifications">
      {items.map((n) => (
        <Paper key={n.id} withBorder p="sm" role="listitem" data-notification-id={n.id}>
          <Group justify="space-between" wrap="nowrap" align="flex-start">
            <Stack gap={2}>
              <Group gap="xs">
                <Text fw={n.readAt ? 400 : 700}>{n.title}</Text>
                {!n.readAt && (
                  <Badge color="blue.9" variant="filled" size="sm">
                    New
                  </Badge>
                )}
              </Group>
              <Text size="sm">{n.body}</Text>
              <Text size="xs">{new Date(n.createdAt).toLocaleString()}</Text>
            </Stack>
            {!n.readAt && (
              <Button size="xs" variant="outline" onClick={() => onRead(n)} aria-label={`Mark read: ${n.title}`}>
                Mark read
              </Button>
            )}
          </Group>
        </Paper>
      ))}
    </Stack>
  );
}

/** The inbox; new notifications arrive live through the notification stream (LiveProvider). */
export function NotificationsPage() {
  const qc = useQueryClient();
  const live = useLive();
  const inbox = useQuery({
    queryKey: ['notifications'],
    queryFn: () => must(api.GET('/v1/notifications', { params: { query: { limit: 50 } } })),
    refetchInterval: live === 'open' ? false : 15_000,
  });
  const read = useMutation({
    mutationFn: (n: Notification) => must(api.POST('/v1/notifications/{id}/read', { params: { path: { id: n.id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['notifications'] }),
  });
  const unread = inbox.data?.items.filter((n) => !n.readAt).length ?? 0;
  return (
    <Stack>
      <Title order={2}>Notifications</Title>
      <Text size="sm" role="status">
        {live === 'open' ? 'New notifications appear here as they arrive.' : 'Checking for new notifications…'}{' '}
        {inbox.data ? `${unread} unread.` : ''}
      </Text>
      {read.isError && (
        <Alert color="red" role="alert">
          {read.error.message}
        </Alert>
      )}
      {inbox.isPending ? (
        <Loader aria-label="Loading notifications" />
      ) : inbox.isError ? (
        <Alert color="red" role="alert">
          Could not load notifications.
        </Alert>
      ) : inbox.data.items.length === 0 ? (
        <Text>No notifications.</Text>
      ) : (
        <NotificationList items={inbox.data.items} onRead={(n) => read.mutate(n)} />
      )}
    </Stack>
  );
}
