import { Button, CloseButton, Group, Paper, Progress, Stack, Text } from '@mantine/core';
import { Dropzone } from '@mantine/dropzone';
import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { formatSeconds, type Progress as P, type UploadHandle, uploadFile } from '../upload';

interface Item {
  key: number;
  name: string;
  progress: P;
  state: 'uploading' | 'done' | 'failed' | 'cancelled';
  message?: string;
  handle: UploadHandle;
}

/**
 * Drag-and-drop or choose files; each upload shows progress, time left and can be cancelled.
 * `fields` go with every upload (a clinician uploads for a patient with `patientId`).
 */
export function Uploader({ fields }: { fields?: Record<string, string> } = {}) {
  const qc = useQueryClient();
  const [items, setItems] = useState<Item[]>([]);
  const next = useRef(0);
  const update = (key: number, patch: Partial<Item>) =>
    setItems((all) => all.map((i) => (i.key === key ? { ...i, ...patch } : i)));

  const start = (files: File[]) => {
    for (const file of files) {
      const key = next.current++;
      const handle = uploadFile(file, (progress) => update(key, { progress }), fields);
      setItems((all) => [
        ...all,
        {
          key,
          name: file.name,
          progress: { loaded: 0, total: file.size, secondsLeft: undefined },
          state: 'uploading',
          handle,
        },
      ]);
      handle.done.then(
        (r) => {
          update(key, { state: 'done', message: r.duplicate ? 'Already uploaded' : 'Uploaded, now being scanned' });
          void qc.invalidateQueries({ queryKey: ['files'] });
        },
        (e: Error) =>
          update(
            key,
            e.name === 'AbortError'
              ? { state: 'cancelled', message: 'Cancelled' }
              : { state: 'failed', message: e.message },
          ),
      );
    }
  };

  return (
    <Stack gap="sm">
      <Dropzone
        onDrop={start}
        multiple
        aria-label="Drop files to upload"
        data-testid="dropzone"
        activateOnClick={false}
      >
        <Stack align="center" gap={4} py="md">
          <Text fw={600}>Drag files here to upload</Text>
          <Text size="sm">Every file is scanned for malware before anyone can open it.</Text>
          <Dropzone.Accept>
            <Text size="sm">Release to upload</Text>
          </Dropzone.Accept>
        </Stack>
      </Dropzone>
      <Group>
        <ChooseFiles onFiles={start} />
      </Group>
      {items.length > 0 && (
        <Stack gap="xs" aria-label="Uploads" role="list">
          {items.map((i) => {
            const pct = i.progress.total > 0 ? Math.round((i.progress.loaded / i.progress.total) * 100) : 0;
            return (
              <Paper key={i.key} withBorder p="xs" role="listitem">
                <Group justify="space-between" wrap="nowrap">
                  <Text size="sm" style={{ wordBreak: 'break-all' }}>
                    {i.name}
                  </Text>
                  {i.state === 'uploading' && (
                    <CloseButton aria-label={`Cancel upload of ${i.name}`} onClick={() => i.handle.cancel()} />
                  )}
                </Group>
                <Progress value={i.state === 'done' ? 100 : pct} aria-label={`Upload progress of ${i.name}`} mt={4} />
                <Text size="xs" mt={4} role="status">
                  {i.state === 'uploading' ? `${pct}% · ${formatSeconds(i.progress.secondsLeft)}` : i.message}
                </Text>
              </Paper>
            );
          })}
        </Stack>
      )}
    </Stack>
  );
}

/** A visible, keyboard-operable file picker (the drop area is for pointers). */
function ChooseFiles({ onFiles }: { onFiles: (f: File[]) => void }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <Button variant="filled" onClick={() => input.current?.click()}>
        Choose files
      </Button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        aria-label="Files to upload"
        onChange={(e) => {
          onFiles(Array.from(e.currentTarget.files ?? []));
          e.currentTarget.value = '';
        }}
      />
    </>
  );
}
