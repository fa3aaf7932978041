/**
 * Which cached lists a live notification makes stale. The notify stream carries only what the
 * inbox shows (type, title, ids): the console refetches the lists it concerns rather than
 * trusting the event's payload as the new state.
 */
export function staleKeysOf(type: string): string[][] {
  const keys: string[][] = [['notifications']];
  if (type.startsWith('file.')) keys.push(['files']);
  if (type.startsWith('appointment.')) keys.push(['appointments']);
  if (type.startsWith('chat.')) keys.push(['conversations']);
  return keys;
}

/** One server-sent event as the console reads it: its name and its JSON data (or null). */
export function parseFrame(data: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(data);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
