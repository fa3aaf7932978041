import { Alert, Loader, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api, must } from '../api/client';
import type { FileItem } from '../api/types';
import { downloadFile } from '../download';
import { FileTable } from './FileTable';
import { SETTLING } from './StatusBadge';
import { Uploader } from './Uploader';

/**
 * One patient's files as a clinician sees them (in care, shared, or under break-glass: the files
 * service decides), with an upload for that patient. Polled while a file is still being scanned.
 */
export function PatientFiles({
  patientId,
  label,
  upload = true,
}: {
  patientId: string;
  label: string;
  upload?: boolean;
}) {
  const files = useQuery({
    queryKey: ['files', 'patient', patientId],
    queryFn: () => must(api.GET('/v1/files', { params: { query: { patientId, limit: 100 } } })),
    refetchInterval: (q) => (q.state.data?.items.some((f) => SETTLING.has(f.status)) ? 1500 : 15_000),
  });
  const [error, setError] = useState<string | null>(null);
  const download = (f: FileItem) => {
    setError(null);
    downloadFile(f.id, f.name).catch((e: unknown) => setError(e instanceof ApiError ? e.message : 'Download failed'));
  };
  return (
    <Stack component="section" aria-label={label}>
      <Title order={3} size="h4">
        {label}
      </Title>
      {upload && <Uploader fields={{ patientId }} />}
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
      {files.isPending ? (
        <Loader aria-label="Loading files" />
      ) : files.isError ? (
        <Alert color="red" role="alert">
          {files.error instanceof ApiError ? files.error.message : 'Could not load files.'}
        </Alert>
      ) : files.data.items.length === 0 ? (
        <Text>No files for this patient yet.</Text>
      ) : (
        <FileTable files={files.data.items} caption={label} onDownload={download} />
      )}
    </Stack>
  );
}
