import { Alert, Button, Chip, Group, Loader, Stack, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, must } from '../api/client';
import type { Slot } from '../api/types';
import { browserTimeZone, localDate, slotLabel } from '../appointments-rules';

/** The free slots as choices; one can be picked (keyboard: Tab to a slot, Space to choose it). */
export function SlotChoices({
  slots,
  value,
  onChange,
}: {
  slots: Slot[];
  value: string | null;
  onChange: (start: string) => void;
}) {
  if (slots.length === 0) return <Text size="sm">No free slots that day.</Text>;
  return (
    <Chip.Group multiple={false} value={value} onChange={onChange}>
      <Group gap="xs" role="group" aria-label="Free slots">
        {slots.map((s) => (
          <Chip key={s.start} value={s.start} size="sm" type="radio">
            {slotLabel(s)}
          </Chip>
        ))}
      </Group>
    </Chip.Group>
  );
}

/**
 * A clinician's free slots on a day (GET /v1/clinicians/:id/availability, in the browser's time
 * zone), one picked, then `onPick` with it. Used to book and to reschedule.
 */
export function SlotPicker({
  clinicianId,
  submitLabel,
  onPick,
  busy,
}: {
  clinicianId: string;
  submitLabel: string;
  onPick: (slot: Slot) => void;
  busy?: boolean;
}) {
  const [date, setDate] = useState(() => localDate(new Date(Date.now() + 86_400_000)));
  const [picked, setPicked] = useState<string | null>(null);
  const valid = /^usr_\w+$/.test(clinicianId.trim()) && /^\d{4}-\d{2}-\d{2}$/.test(date);
  const slots = useQuery({
    queryKey: ['availability', clinicianId.trim(), date],
    queryFn: () =>
      must(
        api.GET('/v1/clinicians/{id}/availability', {
          params: { path: { id: clinicianId.trim() }, query: { date, tz: browserTimeZone() } },
        }),
      ),
    enabled: valid,
    retry: false,
  });
  const slot = slots.data?.slots.find((s) => s.start === picked);
  return (
    <Stack gap="xs">
      <TextInput
        type="date"
        label="Day"
        value={date}
        onChange={(e) => {
          setDate(e.currentTarget.value);
          setPicked(null);
        }}
      />
      {!valid ? null : slots.isPending ? (
        <Loader size="sm" aria-label="Loading free slots" />
      ) : slots.isError ? (
        <Alert color="red" role="alert">
          {slots.error.message}
        </Alert>
      ) : (
        <SlotChoices slots={slots.data.slots} value={picked} onChange={setPicked} />
      )}
      <Group>
        <Button disabled={!slot} loading={busy ?? false} onClick={() => slot && onPick(slot)}>
          {submitLabel}
        </Button>
      </Group>
    </Stack>
  );
}
