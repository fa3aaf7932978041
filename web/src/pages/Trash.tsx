import { Alert, Button, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, must } from '../api/client';
import type { FileItem } from '../api/types';
import { DataTable } from '../components/DataTable';
import { formatSize } from '../components/FileTable';
import { daysLeft, daysLeftText } from '../files-rules';

/** The trash: files deleted in the last 30 days, with the days left before the purge, restorable. */
export function TrashTable({
  files,
  now,
  onRestore,
  restoring,
}: {
  files: FileItem[];
  now: Date;
  onRestore: (f: FileItem) => void;
  restoring?: string | undefined;
}) {
  return (
    <DataTable label="Deleted files" minWidth={420} columns={['Name', 'Size', 'Deleted', 'Purge', 'Actions']}>
      {files.map((f) => (
        <Table.Tr key={f.id} data-file-id={f.id}>
          <Table.Td>
            <Text size="sm" style={{ wordBreak: 'break-all' }}>
              {f.name}
            </Text>
          </Table.Td>
          <Table.Td>{formatSize(f.size)}</Table.Td>
          <Table.Td>{f.deletedAt ? new Date(f.deletedAt).toLocaleDateString() : ''}</Table.Td>
          <Table.Td>{daysLeftText(daysLeft(f.purgeAfter, now))}</Table.Td>
          <Table.Td>
            <Button
              size="xs"
              variant="outline"
              loading={restoring === f.id}
              onClick={() => onRestore(f)}
              aria-label={`Restore ${f.name}`}
            >
              Restore
            </Button>
          </Table.Td>
        </Table.Tr>
      ))}
    </DataTable>
  );
}

export function TrashPage() {
  const qc = useQueryClient();
  const trash = useQuery({
    queryKey: ['trash'],
    queryFn: () => must(api.GET('/v1/files', { params: { query: { status: 'deleted', limit: 100 } } })),
  });
  const restore = useMutation({
    mutationFn: (f: FileItem) => must(api.POST('/v1/files/{id}/restore', { params: { path: { id: f.id } } })),
    onSuccess: async () => {
      await Promise.all([qc.invalidateQueries({ queryKey: ['trash'] }), qc.invalidateQueries({ queryKey: ['files'] })]);
    },
  });
  return (
    <Stack>
      <Title order={2}>Trash</Title>
      <Text size="sm">Deleted files can be restored for 30 days; after that they are purged for good.</Text>
      {restore.isError && (
        <Alert color="red" role="alert">
          {restore.error.message}
        </Alert>
      )}
      {restore.isSuccess && (
        <Alert color="green" role="status">
          Restored to My files.
        </Alert>
      )}
      {trash.isPending ? (
        <Loader aria-label="Loading deleted files" />
      ) : trash.isError ? (
        <Alert color="red" role="alert">
          Could not load the trash.
        </Alert>
      ) : trash.data.items.length === 0 ? (
        <Text>The trash is empty.</Text>
      ) : (
        <TrashTable
          files={trash.data.items}
          now={new Date()}
          onRestore={(f) => restore.mutate(f)}
          restoring={restore.isPending ? restore.variables?.id : undefined}
        />
      )}
    </Stack>
  );
}
