import type { ChatPorts } from '../domain/ports.js';

/** Retention: messages older than the configured number of days are erased (text and record). */
export async function purgeExpired(ports: ChatPorts, retentionDays: number): Promise<number> {
  const cutoff = new Date(ports.clock.now().getTime() - retentionDays * 86_400_000);
  return ports.messages.purgeBefore(cutoff);
}
