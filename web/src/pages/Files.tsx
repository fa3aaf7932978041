import { Alert, Code, Loader, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api, must } from '../api/client';
import type { FileItem } from '../api/types';
import { FileTable } from '../components/FileTable';
import { PreviewDialog } from '../components/PreviewDialog';
import { ShareDialog } from '../components/ShareDialog';
import { SETTLING } from '../components/StatusBadge';
import { Uploader } from '../components/Uploader';
import { downloadFile } from '../download';
import { useLive } from '../live/LiveProvider';
import { useSession } from '../session';

/**
 * The files the caller may see. Live: the notification stream refreshes the list when a file
 * becomes available or is blocked; a slow poll covers the steps that notify nobody (scanned,
 * processing). Without the stream, the list polls quickly while a file is still settling.
 */
export function useFiles() {
  const live = useLive();
  return useQuery({
    queryKey: ['files'],
    queryFn: () => must(api.GET('/v1/files', { params: { query: { limit: 100 } } })),
    refetchInterval: (q) => {
      const settling = q.state.data?.items.some((f) => SETTLING.has(f.status)) ?? false;
      if (live === 'open') return settling ? 5_000 : false;
      return settling ? 1500 : 15_000;
    },
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
  onDelete,
  error,
}: {
  caption: string;
  showPatient?: boolean;
  onShare?: (f: FileItem) => void;
  onDelete?: (f: FileItem) => void;
  error?: string | null;
}) {
  const files = useFiles();
  const download = useDownload();
  const [previewing, setPreviewing] = useState<FileItem | null>(null);
  if (files.isPending) return <Loader aria-label="Loading files" />;
  if (files.isError)
    return (
      <Alert color="red" role="alert">
        Could not load files.
      </Alert>
    );
  const shown = download.error ?? error;
  return (
    <Stack>
      {shown && (
        <Alert color="red" role="alert">
          {shown}
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
          onPreview={setPreviewing}
          {...(onShare ? { onShare } : {})}
          {...(onDelete ? { onDelete } : {})}
        />
      )}
      <PreviewDialog file={previewing} onClose={() => setPreviewing(null)} />
    </Stack>
  );
}

export function MyFilesPage() {
  const qc = useQueryClient();
  const files = useFiles();
  const [sharingId, setSharingId] = useState<string | null>(null);
  // The dialog follows the list: a share or a revocation shows up in it once the list refreshes.
  const sharing = files.data?.items.find((f) => f.id === sharingId) ?? null;
  const remove = useMutation({
    mutationFn: (f: FileItem) => must(api.DELETE('/v1/files/{id}', { params: { path: { id: f.id } } })),
    onSettled: () => qc.invalidateQueries({ queryKey: ['files'] }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['trash'] }),
  });
  return (
    <Stack>
      <Title order={2}>My files</Title>
      <Uploader />
      <FilesBody
        caption="My files"
        onShare={(f) => setSharingId(f.id)}
        onDelete={(f) => remove.mutate(f)}
        error={remove.error ? remove.error.message : null}
      />
      <ShareDialog file={sharing} onClose={() => setSharingId(null)} />
    </Stack>
  );
}

export function PatientFilesPage() {
  const { me } = useSession();
  return (
    <Stack>
      <Title order={2}>Patient files</Title>
      <Text size="sm">
        Files of your patients and files shared with you. Patients find you by your name when they share a file or book
        with you; your user ID, if support asks for it: <Code>{me?.id}</Code>
      </Text>
      <FilesBody caption="Patient files" showPatient />
    </Stack>
  );
}
