import { Alert, Code, Loader, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api, must } from '../api/client';
import type { FileItem } from '../api/types';
import { FileTable } from '../components/FileTable';
import { ShareDialog } from '../components/ShareDialog';
import { SETTLING } from '../components/StatusBadge';
import { Uploader } from '../components/Uploader';
import { downloadFile } from '../download';
import { useSession } from '../session';

/** The files the caller may see; polled while any of them is still being scanned or processed. */
function useFiles() {
  return useQuery({
    queryKey: ['files'],
    queryFn: () => must(api.GET('/v1/files', { params: { query: { limit: 100 } } })),
    refetchInterval: (q) => (q.state.data?.items.some((f) => SETTLING.has(f.status)) ? 1500 : 15_000),
  });
}

function useDownload() {
  const [error, setError] = useState<string | null>(null);
  const run = (f: FileItem) => {
    setError(null);
    downloadFile(f.id, f.name).catch((e: unknown) => setError(e instanceof ApiError ? e.message : 'Download failed'));
  };
  return { error, run };
}

function FilesBody({
  caption,
  showPatient,
  onShare,
}: {
  caption: string;
  showPatient?: boolean;
  onShare?: (f: FileItem) => void;
}) {
  const files = useFiles();
  const download = useDownload();
  if (files.isPending) return <Loader aria-label="Loading files" />;
  if (files.isError)
    return (
      <Alert color="red" role="alert">
        Could not load files.
      </Alert>
    );
  return (
    <Stack>
      {download.error && (
        <Alert color="red" role="alert">
          {download.error}
        </Alert>
      )}
      {files.data.items.length === 0 ? (
        <Text>No files yet.</Text>
      ) : (
        <FileTable
          files={files.data.items}
          caption={caption}
          showPatient={showPatient ?? false}
          onDownload={download.run}
          {...(onShare ? { onShare } : {})}
        />
      )}
    </Stack>
  );
}

export function MyFilesPage() {
  const [sharing, setSharing] = useState<FileItem | null>(null);
  return (
    <Stack>
      <Title order={2}>My files</Title>
      <Uploader />
      <FilesBody caption="My files" onShare={setSharing} />
      <ShareDialog file={sharing} onClose={() => setSharing(null)} />
    </Stack>
  );
}

export function PatientFilesPage() {
  const { me } = useSession();
  return (
    <Stack>
      <Title order={2}>Patient files</Title>
      <Text size="sm">
        Files of your patients and files shared with you. Your user ID (give it to a patient who wants to share a file
        with you): <Code>{me?.id}</Code>
      </Text>
      <FilesBody caption="Patient files" showPatient />
    </Stack>
  );
}
