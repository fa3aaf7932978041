import { Alert, Button, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQueries, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, must } from '../api/client';
import type { FileItem } from '../api/types';
import { DataTable } from '../components/DataTable';
import { formatSize } from '../components/FileTable';
import { StatusBadge } from '../components/StatusBadge';

/**
 * Statuses that hold a file back from everyone: scan failed and blocked (no safe rendition could
 * be made), which a rescan may release, and infected (kept for ever, for forensics).
 */
export const HELD = ['scan_failed', 'blocked', 'infected'] as const;

/** Pages of 100 read per status at most. */
const MAX_PAGES = 10;

/** Every file in a status, following the cursor (the API lists oldest first): the newest are not cut off. */
async function fetchHeld(status: (typeof HELD)[number]): Promise<FileItem[]> {
  const out: FileItem[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const query = { status, limit: 100, ...(cursor ? { cursor } : {}) };
    const page = await must(api.GET('/v1/files', { params: { query } }));
    out.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
}

/** Held files first by status (scan failures, which a rescan may release, on top), then newest first. */
export function sortHeld(files: FileItem[]): FileItem[] {
  const rank = (s: string) => HELD.indexOf(s as (typeof HELD)[number]);
  return [...files].sort((a, b) => rank(a.status) - rank(b.status) || b.createdAt.localeCompare(a.createdAt));
}

/**
 * Held files (admin): metadata only, never content. A rescan sends a file through the scanner
 * again; an infected file stays blocked unless the new scan (new signatures) finds it clean.
 */
export function HeldFilesPage() {
  const qc = useQueryClient();
  const lists = useQueries({
    queries: HELD.map((status) => ({
      queryKey: ['files', 'held', status],
      queryFn: () => fetchHeld(status),
      refetchInterval: 10_000,
    })),
  });
  const rescan = useMutation({
    mutationFn: (id: string) => must(api.POST('/v1/files/{id}/rescan', { params: { path: { id } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['files', 'held'] }),
  });
  const files = sortHeld(lists.flatMap((l) => l.data ?? []));

  return (
    <Stack>
      <Title order={2}>Held files</Title>
      <Text size="sm">Files blocked by the virus scan. Their content is never served; a rescan queues them again.</Text>
      {rescan.isSuccess && (
        <Alert color="green" role="status">
          Rescan requested.
        </Alert>
      )}
      {rescan.error && (
        <Alert color="red" role="alert">
          {rescan.error instanceof ApiError ? rescan.error.message : 'Could not request a rescan'}
        </Alert>
      )}
      {lists.some((l) => l.isError) && (
        <Alert color="red" role="alert">
          Could not load the held files.
        </Alert>
      )}
      {lists.some((l) => l.isPending) ? (
        <Loader aria-label="Loading held files" />
      ) : files.length === 0 ? (
        <Text>No held files.</Text>
      ) : (
        <DataTable
          label="Held files"
          minWidth={560}
          columns={['Name', 'Patient', 'Size', 'Status', 'Uploaded', 'Actions']}
        >
          {files.map((f) => (
            <Table.Tr key={f.id} data-file-id={f.id}>
              <Table.Td style={{ wordBreak: 'break-all' }}>{f.name}</Table.Td>
              <Table.Td>{f.patientId ?? f.ownerId}</Table.Td>
              <Table.Td>{formatSize(f.size)}</Table.Td>
              <Table.Td>
                <StatusBadge status={f.status} />
              </Table.Td>
              <Table.Td>{new Date(f.createdAt).toLocaleString()}</Table.Td>
              <Table.Td>
                <Button
                  size="xs"
                  variant="outline"
                  aria-label={`Rescan ${f.name}`}
                  loading={rescan.isPending && rescan.variables === f.id}
                  onClick={() => rescan.mutate(f.id)}
                >
                  Rescan
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      )}
    </Stack>
  );
}
