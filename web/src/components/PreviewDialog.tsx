import { Alert, Center, Image, Loader, Modal, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, must } from '../api/client';
import type { FileItem } from '../api/types';
import { previewOf } from '../files-rules';

/**
 * Where the browser loads a file's watermarked image from: a DICOM file's preview route, or a
 * one-use short-lived signed link to an image (served only as its watermarked rendition). The
 * browser fetches it with the session cookie; the page never holds the bytes.
 */
async function imageUrl(f: FileItem): Promise<string> {
  if (previewOf(f) === 'preview') return `/v1/files/${f.id}/preview`;
  const link = await must(
    api.POST('/v1/files/{id}/links', {
      params: { path: { id: f.id } },
      body: { ttlSeconds: 60, maxDownloads: 1 },
    }),
  );
  return link.url;
}

export function PreviewDialog({ file, onClose }: { file: FileItem | null; onClose: () => void }) {
  const src = useQuery({
    queryKey: ['preview', file?.id],
    queryFn: () => imageUrl(file as FileItem),
    enabled: file !== null,
    // A one-use link: fetch a new one each time the dialog opens, never reuse a spent one.
    gcTime: 0,
    staleTime: 0,
    retry: false,
  });
  return (
    <Modal
      opened={file !== null}
      onClose={onClose}
      title="Preview"
      size="lg"
      closeButtonProps={{ 'aria-label': 'Close preview' }}
    >
      <Stack>
        <Text size="sm" style={{ wordBreak: 'break-all' }}>
          {file?.name}
        </Text>
        <Text size="xs">Previews carry a visible watermark naming the owner and the file's fingerprint.</Text>
        {src.isPending && (
          <Center>
            <Loader aria-label="Loading preview" />
          </Center>
        )}
        {src.isError && (
          <Alert color="red" role="alert">
            The preview could not be loaded.
          </Alert>
        )}
        {src.data && file && <Image src={src.data} alt={`Watermarked preview of ${file.name}`} fit="contain" />}
      </Stack>
    </Modal>
  );
}
