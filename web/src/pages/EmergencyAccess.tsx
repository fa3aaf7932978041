import { Alert, Button, Card, Group, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, api, must } from '../api/client';
import type { EmergencyGrant } from '../api/types';
import { PatientFiles } from '../components/PatientFiles';
import { timeLeft } from '../schedule';
import { useSession } from '../session';

/** The API's floor for a break-glass reason (EMERGENCY_REASON_MIN_LENGTH). */
export const REASON_MIN = 10;

/** A clock that ticks every `ms`, so time left counts down on screen. */
function useNow(ms = 15_000) {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

function GrantCard({ g, now, onOpen, opened }: { g: EmergencyGrant; now: Date; onOpen: () => void; opened: boolean }) {
  return (
    <Card withBorder padding="sm" style={{ borderColor: 'var(--mantine-color-red-7)', borderWidth: 2 }}>
      <Group justify="space-between" wrap="wrap">
        <Stack gap={2}>
          <Text fw={700} c="red.9">
            Emergency access · {timeLeft(g.expiresAt, now)}
          </Text>
          <Text size="sm" style={{ wordBreak: 'break-all' }}>
            Patient {g.patientId} · until {new Date(g.expiresAt).toLocaleTimeString()}
          </Text>
          <Text size="sm">Reason: {g.reason}</Text>
        </Stack>
        <Button
          size="xs"
          color="red"
          variant={opened ? 'filled' : 'outline'}
          aria-pressed={opened}
          aria-label={`Files of patient ${g.patientId} under emergency access`}
          onClick={onOpen}
        >
          Files
        </Button>
      </Group>
    </Card>
  );
}

/**
 * Break-glass (clinician, admin): a time-boxed grant to one patient's files, opened by stating
 * a reason. Every grant is audited at high severity and compliance is told; the page says so
 * before, and marks every active grant in red with the time it has left.
 */
export function EmergencyAccessPage() {
  const qc = useQueryClient();
  const { me } = useSession();
  const now = useNow();
  const [patientId, setPatientId] = useState('');
  const [reason, setReason] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const grants = useQuery({
    queryKey: ['emergency-access'],
    queryFn: () => must(api.GET('/v1/emergency-access')),
    refetchInterval: 30_000,
  });
  const grant = useMutation({
    mutationFn: () => must(api.POST('/v1/emergency-access', { body: { patientId: patientId.trim(), reason } })),
    onSuccess: (g) => {
      setPatientId('');
      setReason('');
      setOpen(g.patientId);
      void qc.invalidateQueries({ queryKey: ['emergency-access'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    grant.mutate();
  };
  const active = (grants.data?.items ?? []).filter((g) => new Date(g.expiresAt) > now);
  const short = reason.trim().length < REASON_MIN;

  return (
    <Stack>
      <Title order={2}>Emergency access</Title>
      <Alert color="red" variant="outline" title="Break-glass">
        Use only in an emergency, for a patient who is not in your care. Access is time-boxed, audited at high severity
        and reported to compliance at once.
      </Alert>
      <form onSubmit={submit} aria-label="Open emergency access">
        <Stack gap="sm">
          {/*
            The one place a user id is still typed: break-glass is for a patient NOT in the
            clinician's care, and least privilege keeps such patients out of the people picker
            (GET /v1/people lists a clinician's patients in care only). The id comes from the
            patient, their record or the care team that asks for help; the grant is audited.
          */}
          <TextInput
            label="Patient user ID"
            description="Patients outside your care are not listed: enter the ID from the patient or their record."
            required
            value={patientId}
            onChange={(e) => setPatientId(e.currentTarget.value)}
          />
          <Textarea
            label="Reason"
            description={`At least ${REASON_MIN} characters; recorded in the audit log.`}
            required
            rows={3}
            maxLength={1000}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
          />
          <Group>
            <Button type="submit" color="red" disabled={short || !patientId.trim()} loading={grant.isPending}>
              Open emergency access
            </Button>
          </Group>
        </Stack>
      </form>
      {grant.error && (
        <Alert color="red" role="alert">
          {grant.error instanceof ApiError ? grant.error.message : 'Emergency access was not granted'}
        </Alert>
      )}
      <Title order={3} size="h4">
        Active emergency grants
      </Title>
      <Stack gap="xs" role="status" aria-label="Active emergency grants">
        {active.length === 0 ? (
          <Text size="sm">None.</Text>
        ) : (
          active.map((g) => (
            <GrantCard
              key={g.id}
              g={g}
              now={now}
              opened={open === g.patientId}
              onOpen={() => setOpen(open === g.patientId ? null : g.patientId)}
            />
          ))
        )}
      </Stack>
      {open && active.some((g) => g.patientId === open) && (
        <PatientFiles
          key={open}
          patientId={open}
          label={`Files of patient ${open} (emergency access)`}
          upload={me?.role === 'clinician'}
        />
      )}
    </Stack>
  );
}
