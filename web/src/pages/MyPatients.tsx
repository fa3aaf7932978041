import { Alert, Button, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, must } from '../api/client';
import { useNames } from '../api/people';
import { DataTable } from '../components/DataTable';
import { PatientFiles } from '../components/PatientFiles';
import { ToneBadge } from '../components/StatusBadge';
import { patientsInCare } from '../schedule';
import { useSession } from '../session';

const DAY = 86_400_000;

/**
 * Clinician: the patients in their care (admin assignments, confirmed appointments from a month
 * back to three months ahead), by name, and, for the one chosen, their files and an upload for
 * them (so the clinician never types a patient id). The chosen patient lives in page state, never
 * in the URL. Names come from GET /v1/people; a patient it does not name yet shows as their id.
 */
export function MyPatientsPage() {
  const { me } = useSession();
  const clinicianId = me?.id ?? '';
  const nameOf = useNames();
  const [open, setOpen] = useState<string | null>(null);
  const assignments = useQuery({
    queryKey: ['care', clinicianId],
    enabled: clinicianId !== '',
    queryFn: () => must(api.GET('/v1/clinicians/{clinicianId}/patients', { params: { path: { clinicianId } } })),
  });
  const appointments = useQuery({
    queryKey: ['appointments', 'care-window'],
    queryFn: () => {
      const now = Date.now();
      const query = {
        from: new Date(now - 30 * DAY).toISOString(),
        to: new Date(now + 90 * DAY).toISOString(),
        status: 'booked' as const,
        limit: 100,
      };
      return must(api.GET('/v1/appointments', { params: { query } }));
    },
  });
  const pending = assignments.isPending || appointments.isPending;
  const patients = patientsInCare(assignments.data?.items ?? [], appointments.data?.items ?? []);

  return (
    <Stack>
      <Title order={2}>My patients</Title>
      {(assignments.isError || appointments.isError) && (
        <Alert color="red" role="alert">
          Could not load your patients.
        </Alert>
      )}
      {pending ? (
        <Loader aria-label="Loading patients" />
      ) : patients.length === 0 ? (
        <Text>No patients in your care. An admin assigns patients; a confirmed appointment also counts.</Text>
      ) : (
        <DataTable label="Patients in my care" minWidth={420} columns={['Patient', 'In care through', 'Files']}>
          {patients.map((p) => (
            <Table.Tr key={p.patientId}>
              <Table.Td style={{ wordBreak: 'break-all' }}>{nameOf(p.patientId)}</Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {[...p.via].map((v) => (
                    <ToneBadge key={v} tone="info">
                      {v}
                    </ToneBadge>
                  ))}
                </Group>
              </Table.Td>
              <Table.Td>
                <Button
                  size="xs"
                  variant={open === p.patientId ? 'filled' : 'outline'}
                  aria-pressed={open === p.patientId}
                  aria-label={`Files of ${nameOf(p.patientId)}`}
                  onClick={() => setOpen(open === p.patientId ? null : p.patientId)}
                >
                  Files
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      )}
      {open && <PatientFiles key={open} patientId={open} label={`Files of ${nameOf(open)}`} />}
    </Stack>
  );
}
