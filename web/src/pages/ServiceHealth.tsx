import { Alert, Card, Group, Loader, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { ApiError, api, must } from '../api/client';
import type { ServiceHealthItem } from '../api/types';
import { ToneBadge } from '../components/StatusBadge';

/** Down first, so a problem is the first thing an admin sees; then by name. */
export const byConcern = (items: ServiceHealthItem[]) =>
  [...items].sort((a, b) => (a.status === b.status ? a.name.localeCompare(b.name) : a.status === 'down' ? -1 : 1));

/** Admin: each service up or down (and which dependency fails), refreshed every 15 s. */
export function ServiceHealthPage() {
  const health = useQuery({
    queryKey: ['admin-health'],
    queryFn: () => must(api.GET('/v1/admin/health')),
    refetchInterval: 15_000,
  });
  const items = byConcern(health.data?.items ?? []);
  const down = items.filter((s) => s.status === 'down').length;

  return (
    <Stack>
      <Title order={2}>Service health</Title>
      {health.isPending ? (
        <Loader aria-label="Loading service health" />
      ) : health.isError ? (
        <Alert color="red" role="alert">
          {health.error instanceof ApiError ? health.error.message : 'Could not read service health'}
        </Alert>
      ) : (
        <>
          <Text role="status">
            {down === 0 ? `All ${items.length} services are up.` : `${down} of ${items.length} services down.`} Checked{' '}
            {new Date(health.data.checkedAt).toLocaleTimeString()}.
          </Text>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} component="ul" style={{ listStyle: 'none', padding: 0 }}>
            {items.map((s) => (
              <Card key={s.name} withBorder padding="sm" component="li" aria-label={`${s.name}: ${s.status}`}>
                <Group justify="space-between" wrap="nowrap">
                  <Text fw={700}>{s.name}</Text>
                  <ToneBadge tone={s.status === 'up' ? 'good' : 'bad'}>{s.status === 'up' ? 'Up' : 'Down'}</ToneBadge>
                </Group>
                <Text size="sm">
                  {s.status === 'up'
                    ? `Ready in ${s.latencyMs} ms`
                    : s.down.length
                      ? `Failing: ${s.down.join(', ')}`
                      : 'Not answering'}
                </Text>
              </Card>
            ))}
          </SimpleGrid>
        </>
      )}
    </Stack>
  );
}
