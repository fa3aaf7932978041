import type { Principal } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import { newId } from '@medvault/common/ids';
import { DEIDENTIFY_ROLES, deidentifyRefusal } from '../domain/deidentify.js';
import { type EventMeta, event } from '../domain/events.js';
import type { FilesPorts } from '../domain/ports.js';
import { authorize } from './access.js';

type Ports = Pick<FilesPorts, 'files' | 'projections' | 'grants' | 'clock'>;

/**
 * POST /v1/files/:id/deidentify: the caller must be allowed to read the source's content (the
 * copy is made from it); the request goes to the watermark worker as file.deidentify_requested,
 * written to the source's outbox (its record and bytes are otherwise untouched), so it survives a
 * crash after the answer. Returns the id the copy will have: its record appears when the worker
 * has written it to quarantine (file.deidentified), then it is scanned like any upload.
 */
export async function requestDeidentify(
  ports: Ports,
  p: Principal,
  sourceId: string,
  meta: EventMeta,
): Promise<{ id: string }> {
  const f = await ports.files.mustGet(sourceId);
  await authorize(ports, p, 'file:read_content', f);
  if (!DEIDENTIFY_ROLES.has(p.role))
    throw new AppError('FORBIDDEN', 'Only clinicians and patients make de-identified copies', {
      details: { reason: 'role' },
    });
  const refusal = deidentifyRefusal(f);
  if (refusal) throw refusal;
  const id = newId('file');
  const requested = event(
    ports.clock,
    'file.deidentify_requested',
    {
      fileId: id,
      sourceFileId: f._id,
      sourceOwnerId: f.ownerId,
      ownerId: p.userId,
      requestedBy: p.userId,
      bucket: f.location.bucket,
      key: f.location.key,
      sha256: f.sha256,
      generation: f.generation,
    },
    meta,
  );
  await ports.files.append(f._id, [requested]);
  return { id };
}
