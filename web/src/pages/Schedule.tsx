import { Alert, Button, Card, Group, Loader, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, must } from '../api/client';
import { useNames } from '../api/people';
import type { Appointment } from '../api/types';
import { ToneBadge } from '../components/StatusBadge';
import { byDay, dayOf, type Span, weekOf } from '../schedule';

const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const dayName = (d: Date) => d.toLocaleDateString([], { weekday: 'long', day: 'numeric', month: 'short' });

/** The caller's appointments in a span (a clinician's own schedule: the API scopes it). */
function useAppointments(span: Span) {
  return useQuery({
    queryKey: ['appointments', span.from.toISOString(), span.to.toISOString()],
    queryFn: () =>
      must(
        api.GET('/v1/appointments', {
          params: { query: { from: span.from.toISOString(), to: span.to.toISOString(), limit: 100 } },
        }),
      ),
    refetchInterval: 30_000,
  });
}

function Visit({ a }: { a: Appointment }) {
  // The patient's name where the clinician's people list has it (in care); else their id.
  const nameOf = useNames();
  const cancelled = a.status === 'cancelled';
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Text size="sm" fw={600} style={{ whiteSpace: 'nowrap' }} td={cancelled ? 'line-through' : undefined}>
        {time(a.start)}–{time(a.end)}
      </Text>
      <Stack gap={2}>
        <Text size="sm" style={{ wordBreak: 'break-all' }}>
          Patient {nameOf(a.patientId)}
        </Text>
        <Group gap={4}>
          {cancelled ? (
            <ToneBadge tone="neutral">Cancelled</ToneBadge>
          ) : a.confirmed ? (
            <ToneBadge tone="good">Confirmed</ToneBadge>
          ) : (
            <ToneBadge tone="pending">Awaiting confirmation</ToneBadge>
          )}
        </Group>
      </Stack>
    </Group>
  );
}

function DayList({ label, items }: { label: string; items: Appointment[] }) {
  return (
    <Card withBorder padding="sm" component="section" aria-label={label}>
      <Title order={3} size="h5" mb="xs">
        {label}
      </Title>
      {items.length === 0 ? (
        <Text size="sm">No appointments.</Text>
      ) : (
        <Stack gap="xs" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {items.map((a) => (
            <li key={a.id}>
              <Visit a={a} />
            </li>
          ))}
        </Stack>
      )}
    </Card>
  );
}

/** Clinician: today's appointments, and a week view (previous / next week). */
export function SchedulePage() {
  const [offset, setOffset] = useState(0);
  const now = new Date();
  const today = useAppointments(dayOf(now));
  const span = weekOf(now, offset);
  const week = useAppointments(span);
  const failed = today.isError || week.isError;

  return (
    <Stack>
      <Title order={2}>Schedule</Title>
      {failed && (
        <Alert color="red" role="alert">
          Could not load the schedule.
        </Alert>
      )}
      {today.isPending ? (
        <Loader aria-label="Loading today's appointments" />
      ) : (
        <DayList label={`Today, ${dayName(now)}`} items={today.data?.items ?? []} />
      )}
      <Group justify="space-between">
        <Title order={3} size="h4">
          Week of {span.from.toLocaleDateString()}
        </Title>
        <Group gap="xs">
          <Button variant="outline" size="xs" onClick={() => setOffset(offset - 1)}>
            Previous week
          </Button>
          <Button variant="outline" size="xs" onClick={() => setOffset(0)} disabled={offset === 0}>
            This week
          </Button>
          <Button variant="outline" size="xs" onClick={() => setOffset(offset + 1)}>
            Next week
          </Button>
        </Group>
      </Group>
      {week.isPending ? (
        <Loader aria-label="Loading the week" />
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
          {byDay(span, week.data?.items ?? []).map((d) => (
            <DayList key={d.day.toISOString()} label={dayName(d.day)} items={d.items} />
          ))}
        </SimpleGrid>
      )}
    </Stack>
  );
}
