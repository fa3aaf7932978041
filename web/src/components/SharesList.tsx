import { Button, Group, List, Text } from '@mantine/core';
import { useState } from 'react';
import { shareActive } from '../files-rules';

export interface Share {
  userId: string;
  expiresAt?: string;
}

const when = (iso: string) => new Date(iso).toLocaleString();

/** Who a file is shared with (by name where the caller's people list names them) and until when; each share can be revoked at once. */
export function SharesList({
  shares,
  onRevoke,
  nameOf = (id) => id,
}: {
  shares: Share[];
  onRevoke: (userId: string) => Promise<void>;
  nameOf?: (userId: string) => string;
}) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (shares.length === 0) return <Text size="sm">Not shared with anyone.</Text>;
  const revoke = async (userId: string) => {
    setBusy(userId);
    setError(null);
    try {
      await onRevoke(userId);
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Revoking failed');
    } finally {
      setBusy(null);
    }
  };
  const now = new Date();
  return (
    <>
      <List aria-label="Shared with" listStyleType="none" spacing="xs">
        {shares.map((s) => (
          <List.Item key={s.userId}>
            <Group justify="space-between" wrap="nowrap" gap="xs">
              <Text size="sm" style={{ wordBreak: 'break-all' }}>
                {nameOf(s.userId)} ·{' '}
                {!s.expiresAt ? 'no expiry' : shareActive(s, now) ? `until ${when(s.expiresAt)}` : 'expired'}
              </Text>
              <Button
                size="xs"
                color="red"
                variant="outline"
                loading={busy === s.userId}
                onClick={() => void revoke(s.userId)}
                aria-label={`Revoke share with ${nameOf(s.userId)}`}
              >
                Revoke
              </Button>
            </Group>
          </List.Item>
        ))}
      </List>
      {error && (
        <Text size="sm" c="red.9" role="alert">
          {error}
        </Text>
      )}
    </>
  );
}
