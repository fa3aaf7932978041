import { Alert, Button, Group, Loader, Modal, NumberInput, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api, must } from '../api/client';
import type { DeadLetterQueue, RedriveStarted } from '../api/types';
import { DataTable } from '../components/DataTable';
import { type Tone, ToneBadge } from '../components/StatusBadge';

const letters = (n: number) => `${n} letter${n === 1 ? '' : 's'}`;

/** The newest redrive of a queue in words (what SQS still lists), or a dash. */
export function lastRedriveText(q: DeadLetterQueue): string {
  const t = q.lastRedrive;
  if (!t) return '—';
  const when = t.startedAt ? ` ${new Date(t.startedAt).toLocaleString()}` : '';
  if (t.running) return `Running: ${t.moved} of ${t.toMove} moved`;
  if (t.status === 'COMPLETED') return `Completed${when}: ${t.moved} moved`;
  if (t.status === 'FAILED') return `Failed${when}: ${t.failureReason ?? 'no reason given'}`;
  return `${t.status}${when}: ${t.moved} moved`;
}

/** What an admin should look at first: the waiting count as a badge, or why there is none. */
function waitingBadge(q: DeadLetterQueue): { tone: Tone; label: string } {
  if (!q.exists) return { tone: 'neutral', label: 'No queue' };
  return q.waiting > 0 ? { tone: 'bad', label: String(q.waiting) } : { tone: 'good', label: '0' };
}

/** The answer to a redrive in one sentence for the status line. */
export function redriveResult(r: RedriveStarted): string {
  const t = r.task;
  if (t.status === 'COMPLETED') return `Redrive of ${r.service} completed: ${letters(t.moved)} moved back.`;
  if (t.status === 'FAILED') return `Redrive of ${r.service} failed: ${t.failureReason ?? 'no reason given'}.`;
  return `Redrive of ${r.service} started: ${letters(t.toMove)} moving back to its queue.`;
}

/**
 * Admin: each service's dead-letter queue (counts only, never a letter) and a redrive back to
 * the service's queue, confirmed first. SQS moves the letters in the background: the page
 * refreshes quickly while a move runs, and every 15 s otherwise.
 */
export function DeadLettersPage() {
  const qc = useQueryClient();
  const [asking, setAsking] = useState<DeadLetterQueue | null>(null);
  const [rate, setRate] = useState<number | string>('');
  const queues = useQuery({
    queryKey: ['admin-dead-letters'],
    queryFn: () => must(api.GET('/v1/admin/dead-letters')),
    refetchInterval: (q) => (q.state.data?.items.some((i) => i.lastRedrive?.running) ? 2_000 : 15_000),
  });
  const redrive = useMutation({
    mutationFn: (x: { service: string; rate?: number }) =>
      must(
        api.POST('/v1/admin/dead-letters/{service}/redrive', {
          params: { path: { service: x.service } },
          body: x.rate ? { rate: x.rate } : {},
        }),
      ),
    onSettled: () => void qc.invalidateQueries({ queryKey: ['admin-dead-letters'] }),
  });
  const items = queues.data?.items ?? [];
  const waiting = items.reduce((n, q) => n + q.waiting, 0);
  const holding = items.filter((q) => q.waiting > 0).length;

  const confirm = () => {
    if (!asking) return;
    redrive.mutate({ service: asking.service, ...(typeof rate === 'number' ? { rate } : {}) });
    setAsking(null);
  };

  return (
    <Stack>
      <Title order={2}>Dead letters</Title>
      <Text size="sm">
        Events a service failed to handle again and again wait in its dead-letter queue. Once the cause is fixed, a
        redrive sends them back to the service; letters it already handled are acknowledged without effect.
      </Text>
      {redrive.isSuccess && (
        <Alert color="green" role="status">
          {redriveResult(redrive.data)}
        </Alert>
      )}
      {redrive.error && (
        <Alert color="red" role="alert">
          {redrive.error instanceof ApiError ? redrive.error.message : 'Could not start the redrive'}
        </Alert>
      )}
      {queues.isPending ? (
        <Loader aria-label="Loading dead-letter queues" />
      ) : queues.isError ? (
        <Alert color="red" role="alert">
          {queues.error instanceof ApiError ? queues.error.message : 'Could not read the dead-letter queues'}
        </Alert>
      ) : (
        <>
          <Group justify="space-between">
            <Text aria-live="polite">
              {waiting === 0
                ? `No dead letters in ${items.length} queues.`
                : `${letters(waiting)} waiting in ${holding} of ${items.length} queues.`}{' '}
              Checked {new Date(queues.data.checkedAt).toLocaleTimeString()}.
            </Text>
            <Button variant="default" size="xs" loading={queues.isFetching} onClick={() => void queues.refetch()}>
              Refresh
            </Button>
          </Group>
          {/* Focusable: with no letters waiting every Redrive is disabled, and a phone must still scroll. */}
          <DataTable
            label="Dead-letter queues"
            minWidth={620}
            focusable
            columns={['Service', 'Waiting', 'In flight', 'Last redrive', 'Actions']}
          >
            {items.map((q) => {
              const badge = waitingBadge(q);
              return (
                <Table.Tr key={q.service} data-service={q.service}>
                  <Table.Td>{q.service}</Table.Td>
                  <Table.Td>
                    <ToneBadge tone={badge.tone} data-status={badge.label}>
                      {badge.label}
                    </ToneBadge>
                  </Table.Td>
                  <Table.Td>{q.inFlight}</Table.Td>
                  <Table.Td>{lastRedriveText(q)}</Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="outline"
                      aria-label={`Redrive ${q.service}`}
                      disabled={!q.exists || q.waiting === 0 || q.lastRedrive?.running === true}
                      loading={redrive.isPending && redrive.variables?.service === q.service}
                      onClick={() => {
                        redrive.reset();
                        setRate('');
                        setAsking(q);
                      }}
                    >
                      Redrive
                    </Button>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </DataTable>
        </>
      )}
      <Modal
        opened={asking !== null}
        onClose={() => setAsking(null)}
        title="Redrive dead letters?"
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        {asking && (
          <Stack gap="sm">
            <Text size="sm">
              Send {letters(asking.waiting)} of {asking.service} back to its queue to be handled again. The redrive is
              recorded in the audit log.
            </Text>
            <NumberInput
              label="At most per second (optional)"
              description="Leave empty to let SQS move them as fast as it can."
              min={1}
              max={500}
              allowDecimal={false}
              value={rate}
              onChange={setRate}
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setAsking(null)}>
                Cancel
              </Button>
              <Button onClick={confirm}>Redrive {asking.service}</Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
