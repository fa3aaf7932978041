import { Alert, Button, Divider, Group, Modal, NumberInput, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError, api, must } from '../api/client';
import { useNames } from '../api/people';
import type { FileItem } from '../api/types';
import { ClinicianPicker } from './PersonPicker';
import { SharesList } from './SharesList';

/**
 * Share one file with a clinician, picked by name (any active clinician: the care team first),
 * see who it is shared with and until when, and revoke a share.
 */
export function ShareDialog({ file, onClose }: { file: FileItem | null; onClose: () => void }) {
  const qc = useQueryClient();
  const revoke = async (userId: string) => {
    if (!file) return;
    await must(api.DELETE('/v1/files/{id}/shares/{userId}', { params: { path: { id: file.id, userId } } }));
    await qc.invalidateQueries({ queryKey: ['files'] });
  };
  const nameOf = useNames();
  const [userId, setUserId] = useState<string | null>(null);
  const [days, setDays] = useState<number | string>(30);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file || !userId) return;
    setBusy(true);
    try {
      const expiresAt =
        typeof days === 'number' && days > 0 ? new Date(Date.now() + days * 86_400_000).toISOString() : undefined;
      await must(
        api.POST('/v1/files/{id}/shares', {
          params: { path: { id: file.id } },
          body: { userId, ...(expiresAt ? { expiresAt } : {}) },
        }),
      );
      setResult({ ok: true, text: `Shared. ${nameOf(userId)} can now open this file.` });
      setUserId(null);
      await qc.invalidateQueries({ queryKey: ['files'] });
    } catch (err) {
      setResult({ ok: false, text: err instanceof ApiError ? err.message : 'Sharing failed' });
    } finally {
      setBusy(false);
    }
  };
  const close = () => {
    setResult(null);
    setUserId(null);
    onClose();
  };

  return (
    <Modal
      opened={file !== null}
      onClose={close}
      title="Share with a clinician"
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <form onSubmit={(e) => void submit(e)}>
        <Stack>
          <Text size="sm" style={{ wordBreak: 'break-all' }}>
            File: {file?.name}
          </Text>
          <ClinicianPicker
            description="Type part of their name"
            empty="No clinicians to share with"
            required
            value={userId}
            onChange={setUserId}
          />
          <NumberInput label="Expires after (days)" min={1} max={365} value={days} onChange={setDays} />
          {result && (
            <Alert color={result.ok ? 'green' : 'red'} role={result.ok ? 'status' : 'alert'}>
              {result.text}
            </Alert>
          )}
          <Divider />
          <Title order={3} size="h5">
            Shared with
          </Title>
          <SharesList shares={file?.shares ?? []} onRevoke={revoke} nameOf={nameOf} />
          <Group justify="flex-end">
            <Button variant="outline" onClick={close}>
              Close
            </Button>
            <Button type="submit" loading={busy} disabled={!userId}>
              Share
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
