import { type EventMeta, event } from '../domain/events.js';
import { fileFacts } from '../domain/file.js';
import { canTransition, nextStatus } from '../domain/lifecycle.js';
import type { FilesPorts } from '../domain/ports.js';

type Ports = Pick<FilesPorts, 'clock' | 'files'>;

/** Blocks a file whose bytes failed verification; emits file.integrity_failed unless already blocked. */
export async function blockForIntegrity(
  ports: Ports,
  fileId: string,
  stage: string,
  actual: string | undefined,
  meta: EventMeta,
  emit = true,
) {
  return ports.files.mutate(fileId, (cur) => {
    if (!canTransition(cur.status, 'integrity_failed')) return null;
    const events = emit
      ? [
          event(
            ports.clock,
            'file.integrity_failed',
            {
              ...fileFacts(cur),
              stage,
              expectedSha256: cur.sha256,
              ...(actual && /^[0-9a-f]{64}$/.test(actual) ? { actualSha256: actual } : {}),
            },
            meta,
          ),
        ]
      : [];
    return { set: { status: nextStatus(cur.status, 'integrity_failed'), blockedReason: `integrity:${stage}` }, events };
  });
}
