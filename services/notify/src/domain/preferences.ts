export type Channel = 'inbox' | 'email';
export const CHANNELS: readonly Channel[] = ['inbox', 'email'];

export interface Preferences {
  channels: Record<Channel, boolean>;
  /** Per event type exceptions to the channel defaults. */
  overrides: { eventType: string; channel: Channel; enabled: boolean }[];
}

export const DEFAULT_PREFERENCES: Preferences = { channels: { inbox: true, email: true }, overrides: [] };

export function wants(p: Preferences, eventType: string, channel: Channel): boolean {
  const o = p.overrides.find((x) => x.eventType === eventType && x.channel === channel);
  return o ? o.enabled : p.channels[channel];
}
