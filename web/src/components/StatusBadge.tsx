import { Badge } from '@mantine/core';

/** Every file status as a person reads it; the colour never carries the meaning alone. */
export const STATUS_LABELS: Record<string, { label: string; tone: Tone }> = {
  quarantined: { label: 'Scanning', tone: 'pending' },
  clean: { label: 'Processing', tone: 'info' },
  available: { label: 'Available', tone: 'good' },
  infected: { label: 'Infected', tone: 'bad' },
  scan_failed: { label: 'Scan failed', tone: 'warn' },
  blocked: { label: 'Blocked', tone: 'warn' },
  deleted: { label: 'In trash', tone: 'neutral' },
  purged: { label: 'Purged', tone: 'neutral' },
};

export type Tone = 'good' | 'bad' | 'warn' | 'pending' | 'info' | 'neutral';
/** Background and text pairs measured for WCAG AA at badge size (contrast ≥ 4.5:1). */
const TONES: Record<Tone, { background: string; color: string }> = {
  good: { background: '#1b5e20', color: '#ffffff' },
  bad: { background: '#b71c1c', color: '#ffffff' },
  warn: { background: '#ffc078', color: '#000000' },
  pending: { background: '#ffe066', color: '#000000' },
  info: { background: '#99e9f2', color: '#000000' },
  neutral: { background: '#dee2e6', color: '#000000' },
};

export function ToneBadge({ tone, children, ...rest }: { tone: Tone; children: string; 'data-status'?: string }) {
  return (
    <Badge variant="filled" style={TONES[tone]} {...rest}>
      {children}
    </Badge>
  );
}

/** Statuses a file leaves on its own (the list keeps watching while one is shown). */
export const SETTLING = new Set(['quarantined', 'clean']);

export function StatusBadge({ status }: { status: string }) {
  const s = STATUS_LABELS[status] ?? { label: status, tone: 'neutral' as const };
  return (
    <ToneBadge tone={s.tone} data-status={status}>
      {s.label}
    </ToneBadge>
  );
}
