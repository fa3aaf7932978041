import { Alert, Button, Group, Loader, NativeSelect, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError, api, must } from '../api/client';
import type { UserItem } from '../api/types';
import { fetchAllUsers, filterUsers } from '../api/users';
import { DataTable } from '../components/DataTable';

const useUsersOf = (role: 'clinician' | 'patient') =>
  useQuery({
    queryKey: ['users', role],
    queryFn: () => fetchAllUsers({ role, active: true }),
  });

/** Options of a user picker: the name people know, with the email to tell namesakes apart. */
export const userOptions = (users: UserItem[] | undefined) => [
  { value: '', label: 'Choose…' },
  ...filterUsers(users ?? [], '').map((u) => ({ value: u.id, label: `${u.name} (${u.email})` })),
];

/**
 * Care assignments (admin): the one way, besides an appointment the patient booked, to put a
 * patient in a clinician's care (CONTRACT.md). Listed per clinician.
 */
export function CareAssignmentsPage() {
  const qc = useQueryClient();
  const clinicians = useUsersOf('clinician');
  const patients = useUsersOf('patient');
  const [clinicianId, setClinicianId] = useState('');
  const [patientId, setPatientId] = useState('');
  const list = useQuery({
    queryKey: ['care', clinicianId],
    enabled: clinicianId !== '',
    queryFn: () => must(api.GET('/v1/clinicians/{clinicianId}/patients', { params: { path: { clinicianId } } })),
  });
  const refresh = () => void qc.invalidateQueries({ queryKey: ['care', clinicianId] });
  const assign = useMutation({
    mutationFn: () =>
      must(
        api.PUT('/v1/clinicians/{clinicianId}/patients/{patientId}', { params: { path: { clinicianId, patientId } } }),
      ),
    onSuccess: refresh,
  });
  const unassign = useMutation({
    mutationFn: (pid: string) =>
      must(
        api.DELETE('/v1/clinicians/{clinicianId}/patients/{patientId}', {
          params: { path: { clinicianId, patientId: pid } },
        }),
      ),
    onSuccess: refresh,
  });
  const nameOf = (id: string) => patients.data?.find((p) => p.id === id)?.name ?? id;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (clinicianId && patientId) assign.mutate();
  };
  const error = assign.error ?? unassign.error;

  return (
    <Stack>
      <Title order={2}>Care assignments</Title>
      <form onSubmit={submit} aria-label="Assign a patient to a clinician">
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <NativeSelect
            label="Clinician"
            data={userOptions(clinicians.data)}
            value={clinicianId}
            onChange={(e) => setClinicianId(e.currentTarget.value)}
          />
          <NativeSelect
            label="Patient"
            data={userOptions(patients.data)}
            value={patientId}
            onChange={(e) => setPatientId(e.currentTarget.value)}
          />
        </SimpleGrid>
        <Group mt="sm">
          <Button type="submit" disabled={!clinicianId || !patientId} loading={assign.isPending}>
            Assign
          </Button>
        </Group>
      </form>
      {assign.isSuccess && (
        <Alert color="green" role="status">
          Patient assigned.
        </Alert>
      )}
      {error && (
        <Alert color="red" role="alert">
          {error instanceof ApiError ? error.message : 'Could not change the assignment'}
        </Alert>
      )}
      {!clinicianId ? (
        <Text>Choose a clinician to see their assigned patients.</Text>
      ) : list.isPending ? (
        <Loader aria-label="Loading assignments" />
      ) : (list.data?.items.length ?? 0) === 0 ? (
        <Text>No patients assigned to this clinician.</Text>
      ) : (
        <DataTable label="Assigned patients" minWidth={480} columns={['Patient', 'Assigned', 'Actions']}>
          {list.data?.items.map((a) => (
            <Table.Tr key={a.patientId}>
              <Table.Td>{nameOf(a.patientId)}</Table.Td>
              <Table.Td>{new Date(a.assignedAt).toLocaleString()}</Table.Td>
              <Table.Td>
                <Button
                  size="xs"
                  variant="outline"
                  aria-label={`Unassign ${nameOf(a.patientId)}`}
                  onClick={() => unassign.mutate(a.patientId)}
                >
                  Unassign
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      )}
    </Stack>
  );
}
