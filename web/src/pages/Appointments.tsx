import { Alert, Button, Group, Loader, Modal, Paper, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, must } from '../api/client';
import { useNames } from '../api/people';
import type { Appointment, Slot } from '../api/types';
import { appointmentState, changeable, whenLabel } from '../appointments-rules';
import { DataTable } from '../components/DataTable';
import { ClinicianPicker } from '../components/PersonPicker';
import { SlotPicker } from '../components/SlotPicker';
import { ToneBadge } from '../components/StatusBadge';
import { useSession } from '../session';

const startOfToday = () => {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
};

export function AppointmentTable({
  items,
  now,
  onConfirm,
  onReschedule,
  onCancel,
  nameOf = (id) => id,
}: {
  items: Appointment[];
  now: Date;
  /** The clinician's name (from the caller's people), the id where the list does not name them. */
  nameOf?: (id: string) => string;
  onConfirm: (a: Appointment) => void;
  onReschedule: (a: Appointment) => void;
  onCancel: (a: Appointment) => void;
}) {
  return (
    <DataTable label="My appointments" minWidth={520} columns={['When', 'Clinician', 'Status', 'Actions']}>
      {items.map((a) => {
        const st = appointmentState(a);
        const when = whenLabel(a);
        return (
          <Table.Tr key={a.id} data-appointment-id={a.id}>
            <Table.Td>{when}</Table.Td>
            <Table.Td style={{ wordBreak: 'break-all' }}>{nameOf(a.clinicianId)}</Table.Td>
            <Table.Td>
              <ToneBadge tone={st.tone}>{st.label}</ToneBadge>
            </Table.Td>
            <Table.Td>
              {changeable(a, now) && (
                <Group gap="xs" wrap="nowrap">
                  {!a.confirmed && (
                    <Button size="xs" onClick={() => onConfirm(a)} aria-label={`Confirm appointment on ${when}`}>
                      Confirm
                    </Button>
                  )}
                  <Button
                    size="xs"
                    variant="outline"
                    onClick={() => onReschedule(a)}
                    aria-label={`Reschedule appointment on ${when}`}
                  >
                    Reschedule
                  </Button>
                  <Button
                    size="xs"
                    variant="subtle"
                    color="red"
                    onClick={() => onCancel(a)}
                    aria-label={`Cancel appointment on ${when}`}
                  >
                    Cancel
                  </Button>
                </Group>
              )}
            </Table.Td>
          </Table.Tr>
        );
      })}
    </DataTable>
  );
}

function BookForm({ patientId, onDone }: { patientId: string; onDone: (text: string) => void }) {
  const [clinicianId, setClinicianId] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const book = useMutation({
    mutationFn: (slot: Slot) =>
      must(
        api.POST('/v1/appointments', {
          body: {
            clinicianId: clinicianId ?? '',
            patientId,
            start: slot.start,
            end: slot.end,
            ...(reason.trim() ? { reason: reason.trim() } : {}),
          },
        }),
      ),
    onSuccess: (a) => {
      setReason('');
      onDone(`Booked: ${whenLabel(a)}.`);
    },
  });
  return (
    <Paper withBorder p="md">
      <Stack gap="xs">
        <Title order={3} size="h4">
          Book an appointment
        </Title>
        <ClinicianPicker
          description="Type part of their name: any clinician you may book with"
          empty="No clinicians to book with"
          value={clinicianId}
          onChange={setClinicianId}
        />
        <Textarea
          label="Reason (optional)"
          maxLength={1000}
          autosize
          minRows={1}
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
        />
        <SlotPicker
          clinicianId={clinicianId ?? ''}
          submitLabel="Book"
          onPick={(s) => book.mutate(s)}
          busy={book.isPending}
        />
        {book.isError && (
          <Alert color="red" role="alert">
            {book.error.message}
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}

export function AppointmentsPage() {
  const { me } = useSession();
  const qc = useQueryClient();
  const nameOf = useNames();
  const [notice, setNotice] = useState<string | null>(null);
  const [moving, setMoving] = useState<Appointment | null>(null);
  const list = useQuery({
    queryKey: ['appointments'],
    queryFn: () => must(api.GET('/v1/appointments', { params: { query: { from: startOfToday(), limit: 100 } } })),
  });
  const done = (text: string) => {
    setNotice(text);
    void qc.invalidateQueries({ queryKey: ['appointments'] });
    void qc.invalidateQueries({ queryKey: ['availability'] });
  };
  const act = useMutation({
    mutationFn: async (x: { kind: 'confirm' | 'cancel'; a: Appointment }) => {
      const params = { params: { path: { id: x.a.id } } };
      return x.kind === 'confirm'
        ? must(api.POST('/v1/appointments/{id}/confirm', params))
        : must(api.POST('/v1/appointments/{id}/cancel', params));
    },
    onSuccess: (a, x) => done(x.kind === 'confirm' ? `Confirmed: ${whenLabel(a)}.` : `Cancelled: ${whenLabel(a)}.`),
  });
  const reschedule = useMutation({
    mutationFn: (x: { a: Appointment; slot: Slot }) =>
      must(
        api.PATCH('/v1/appointments/{id}', {
          params: { path: { id: x.a.id } },
          body: { start: x.slot.start, end: x.slot.end },
        }),
      ),
    onSuccess: (a) => {
      setMoving(null);
      done(`Moved to ${whenLabel(a)}.`);
    },
  });
  const error = act.error ?? reschedule.error;
  return (
    <Stack>
      <Title order={2}>My appointments</Title>
      {notice && (
        <Alert color="green" role="status" withCloseButton onClose={() => setNotice(null)} closeButtonLabel="Dismiss">
          {notice}
        </Alert>
      )}
      {error && !moving && (
        <Alert color="red" role="alert">
          {error.message}
        </Alert>
      )}
      {list.isPending ? (
        <Loader aria-label="Loading appointments" />
      ) : list.isError ? (
        <Alert color="red" role="alert">
          Could not load your appointments.
        </Alert>
      ) : list.data.items.length === 0 ? (
        <Text>No upcoming appointments.</Text>
      ) : (
        <AppointmentTable
          items={list.data.items}
          now={new Date()}
          nameOf={nameOf}
          onConfirm={(a) => act.mutate({ kind: 'confirm', a })}
          onCancel={(a) => act.mutate({ kind: 'cancel', a })}
          onReschedule={(a) => {
            reschedule.reset();
            setMoving(a);
          }}
        />
      )}
      {me && <BookForm patientId={me.id} onDone={done} />}
      <Modal
        opened={moving !== null}
        onClose={() => setMoving(null)}
        title="Reschedule appointment"
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        {moving && (
          <Stack gap="xs">
            <Text size="sm">Now: {whenLabel(moving)}</Text>
            <SlotPicker
              clinicianId={moving.clinicianId}
              submitLabel="Move here"
              onPick={(slot) => reschedule.mutate({ a: moving, slot })}
              busy={reschedule.isPending}
            />
            {reschedule.isError && (
              <Alert color="red" role="alert">
                {reschedule.error.message}
              </Alert>
            )}
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
