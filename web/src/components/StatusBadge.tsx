import { Badge } from '@mantine/core';

/** Every file status as a person reads it; the colour never carries the meaning alone. */
export const STATUS_LABELS: Record<string, { label: string; color: string }> = {
  quarantined: { label: 'Scanning', color: 'yellow.3' },
  clean: { label: 'Processing', color: 'cyan.2' },
  available: { label: 'Available', color: 'green.9' },
  infected: { label: 'Infected', color: 'red.9' },
  scan_failed: { label: 'Scan failed', color: 'orange.3' },
  deleted: { label: 'In trash', color: 'gray.3' },
  purged: { label: 'Purged', color: 'gray.3' },
};

/** Statuses a file leaves on its own (the list keeps watching while one is shown). */
export const SETTLING = new Set(['quarantined', 'clean']);

export function StatusBadge({ status }: { status: string }) {
  const s = STATUS_LABELS[status] ?? { label: status, color: 'gray.3' };
  return (
    <Badge color={s.color} autoContrast variant="filled" data-status={status}>
      {s.label}
    </Badge>
  );
}
