import type { Envelope } from '@medvault/common/events';
import { canTransition, nextStatus } from '../domain/lifecycle.js';
import type { FilesPorts } from '../domain/ports.js';

type Ports = Pick<FilesPorts, 'files'>;

/** file.processing_failed: the watermark service refused the file; it must never become available. */
export async function applyProcessingFailed(ports: Ports, e: Envelope<'file.processing_failed'>): Promise<string> {
  const d = e.data;
  const next = await ports.files.mutate(d.fileId, (cur) => {
    if (cur.generation !== d.generation || !canTransition(cur.status, 'processing_failed')) return null;
    return { set: { status: nextStatus(cur.status, 'processing_failed'), blockedReason: `processing:${d.code}` } };
  });
  return next?.status ?? 'unchanged';
}
