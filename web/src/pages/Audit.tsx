import { Alert, Button, Code, Group, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError, api, must } from '../api/client';
import type { AuditItem, AuditQuery } from '../api/types';
import { AuditRecordDetail } from '../components/AuditRecordDetail';
import { DataTable } from '../components/DataTable';

/** Records per page (the audit service's own default). */
const PAGE_SIZE = 50;

const FIELDS = [
  ['actorId', 'Actor (user ID)'],
  ['patientId', 'Patient (user ID)'],
  ['resourceId', 'Resource ID'],
  ['action', 'Action'],
] as const;

/** Filter values as the API takes them: empty fields left out, local date-times as ISO instants. */
export function auditQuery(form: Record<string, string>): AuditQuery {
  const q: AuditQuery = { limit: PAGE_SIZE };
  for (const [k] of FIELDS) {
    const v = form[k]?.trim();
    if (v) q[k] = v;
  }
  for (const k of ['from', 'to'] as const) if (form[k]) q[k] = new Date(form[k]).toISOString();
  return q;
}

/**
 * The export of what the search shows (same filters, no paging) as a same-origin link: the
 * browser streams the file to disk with the session cookie, the page never holds it.
 */
export function exportUrl(q: AuditQuery, format: 'jsonl' | 'csv'): string {
  const params = new URLSearchParams({ format });
  for (const k of ['actorId', 'patientId', 'resourceId', 'action', 'from', 'to'] as const) {
    const v = q[k];
    if (v) params.set(k, v);
  }
  return `/v1/audit/export?${params.toString()}`;
}

/** Audit search (who, action, patient, resource, time range), paging, and chain verification. */
export function AuditPage() {
  const [form, setForm] = useState<Record<string, string>>({});
  const [query, setQuery] = useState<AuditQuery>({ limit: PAGE_SIZE });
  const [open, setOpen] = useState<AuditItem | null>(null);
  const events = useInfiniteQuery({
    queryKey: ['audit', query],
    queryFn: ({ pageParam }) =>
      must(
        api.GET('/v1/audit/events', { params: { query: { ...query, ...(pageParam ? { cursor: pageParam } : {}) } } }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const verify = useMutation({ mutationFn: () => must(api.GET('/v1/audit/verify', { params: { query: {} } })) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setQuery(auditQuery(form));
  };
  const items = events.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Stack>
      <Title order={2}>Audit log</Title>
      <form onSubmit={submit} aria-label="Search the audit log">
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
          {FIELDS.map(([k, label]) => (
            <TextInput
              key={k}
              label={label}
              value={form[k] ?? ''}
              onChange={(e) => setForm({ ...form, [k]: e.currentTarget.value })}
            />
          ))}
          <TextInput
            label="From"
            type="datetime-local"
            value={form.from ?? ''}
            onChange={(e) => setForm({ ...form, from: e.currentTarget.value })}
          />
          <TextInput
            label="To"
            type="datetime-local"
            value={form.to ?? ''}
            onChange={(e) => setForm({ ...form, to: e.currentTarget.value })}
          />
        </SimpleGrid>
        <Group mt="sm">
          <Button type="submit">Search</Button>
          <Button variant="outline" onClick={() => verify.mutate()} loading={verify.isPending}>
            Verify chain
          </Button>
          <Button component="a" variant="subtle" href={exportUrl(query, 'jsonl')} download="audit.jsonl">
            Export JSONL
          </Button>
          <Button component="a" variant="subtle" href={exportUrl(query, 'csv')} download="audit.csv">
            Export CSV
          </Button>
        </Group>
      </form>
      {verify.data && (
        <Alert
          color={verify.data.ok ? 'green' : 'red'}
          role="status"
          title={verify.data.ok ? 'Chain intact' : 'Chain broken'}
        >
          <Text size="sm">
            {verify.data.checked} records checked.{' '}
            {verify.data.firstInvalid ? `First invalid record: ${verify.data.firstInvalid}.` : ''}
          </Text>
          {verify.data.reason && <Text size="sm">Reason: {verify.data.reason}</Text>}
          <Text size="sm">
            {verify.data.checkpoint
              ? `Last signed checkpoint: record ${verify.data.checkpoint.seq} at ${new Date(verify.data.checkpoint.time).toLocaleString()} (${verify.data.checkpointsChecked} checkpoints checked).`
              : 'No signed checkpoint yet.'}
          </Text>
          {verify.data.checkpoint && (
            <Text size="sm">
              Checkpoint hash: <Code style={{ wordBreak: 'break-all' }}>{verify.data.checkpoint.hash}</Code>
            </Text>
          )}
        </Alert>
      )}
      {verify.error && (
        <Alert color="red" role="alert">
          {verify.error instanceof ApiError ? verify.error.message : 'Verification failed'}
        </Alert>
      )}
      {events.isError && (
        <Alert color="red" role="alert">
          {events.error instanceof ApiError ? events.error.message : 'Search failed'}
        </Alert>
      )}
      <DataTable
        label="Audit records"
        minWidth={640}
        focusable
        columns={['When', 'Action', 'Actor', 'Resource', 'Outcome', 'Record']}
      >
        {items.map((r) => (
          <Table.Tr key={r.seq}>
            <Table.Td>{new Date(r.occurredAt).toLocaleString()}</Table.Td>
            <Table.Td>{r.action}</Table.Td>
            <Table.Td>{r.actor?.userId ?? r.source}</Table.Td>
            <Table.Td>{r.resource?.id ?? ''}</Table.Td>
            <Table.Td>{r.outcome}</Table.Td>
            <Table.Td>
              <Button size="xs" variant="outline" aria-label={`Details of record ${r.seq}`} onClick={() => setOpen(r)}>
                Details
              </Button>
            </Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
      {!events.isPending && items.length === 0 && <Text>No matching records.</Text>}
      <AuditRecordDetail record={open} onClose={() => setOpen(null)} />
      {events.hasNextPage && (
        <Button variant="outline" onClick={() => void events.fetchNextPage()} loading={events.isFetchingNextPage}>
          Load more
        </Button>
      )}
    </Stack>
  );
}
