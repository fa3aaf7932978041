import { createHash } from 'node:crypto';
import { AppError } from '@medvault/common/errors';
import { createEvent, type Envelope, type EventData } from '@medvault/common/events';
import { BASIC_PROFILE_EDITION } from '../domain/deid/basic-profile-2021b.js';
import { remapUid } from '../domain/deid/uid.js';
import { isDicomPart10 } from '../domain/dicom.js';
import type { CopyStore, DicomDeidentifier, ObjectOpener, UidSalts } from '../domain/ports.js';
import { readBounded } from './process-dicom.js';

export type DeidRequest = EventData<'file.deidentify_requested'>;

export interface DeidDeps {
  opener: ObjectOpener;
  deidentifier: DicomDeidentifier;
  salts: UidSalts;
  copies: CopyStore;
  dicomMaxBytes: number;
  publish(e: Envelope<'file.deidentified'> | Envelope<'file.integrity_failed'>): Promise<void>;
}

export type DeidOutcome = 'deidentified' | 'integrity_failed' | 'refused';

/** Where files keeps a file's object: the copy lies where an upload of that id would. */
export const copyKey = (fileId: string) => `files/${fileId}`;

/**
 * Makes the de-identified copy asked for by file.deidentify_requested: reads the source's clean
 * object (verified against its recorded digest), applies the Basic Profile with UIDs remapped
 * under the requester's salt, writes the result encrypted under the NEW file's id and owner to
 * quarantine, and announces it with file.deidentified (files records it, the scanner scans it).
 * The source object is only read. Idempotent: the output is deterministic (same source, same
 * salt: same bytes), and an object already written by an earlier delivery is left as it is.
 * Transient failures (S3, KMS, Redis) throw: SQS retries, then the DLQ.
 */
export async function deidentifyFile(
  d: DeidDeps,
  r: DeidRequest,
  ctx: { correlationId: string; actor?: Envelope['actor'] },
  warn: (msg: string) => void,
): Promise<DeidOutcome> {
  const meta = { correlationId: ctx.correlationId, source: 'watermark', ...(ctx.actor ? { actor: ctx.actor } : {}) };
  const integrityFailed = async (actualSha256?: string) => {
    const data = {
      fileId: r.sourceFileId,
      stage: 'deidentify',
      expectedSha256: r.sha256,
      ownerId: r.sourceOwnerId,
      ...(actualSha256 ? { actualSha256 } : {}),
    };
    await d.publish(createEvent('file.integrity_failed', data, meta));
    return 'integrity_failed' as const;
  };
  const refuse = (why: string) => {
    warn(`de-identification refused: ${why}`);
    return 'refused' as const;
  };

  let source: { sha256: string; data?: Buffer };
  try {
    const ref = { bucket: r.bucket, key: r.key, fileId: r.sourceFileId, ownerId: r.sourceOwnerId };
    source = await readBounded(await d.opener.open(ref), d.dicomMaxBytes);
  } catch (e) {
    const code = AppError.is(e) ? e.code : undefined;
    if (code === 'INTEGRITY_FAILED') return integrityFailed();
    if (code === 'NOT_FOUND') return refuse('source object not found');
    throw e;
  }
  if (source.sha256 !== r.sha256) return integrityFailed(source.sha256);
  if (!source.data) return refuse('source larger than DICOM_MAX_BYTES');
  if (!isDicomPart10(source.data)) return refuse('source is not DICOM Part 10');

  const salt = await d.salts.saltFor(r.ownerId);
  let copy: Buffer;
  try {
    copy = d.deidentifier.deidentify(source.data, (uid) => remapUid(salt, uid));
  } catch (e) {
    if (AppError.is(e) && e.code === 'UNPROCESSABLE') return refuse(e.message);
    throw e;
  }
  const key = copyKey(r.fileId);
  if (!(await d.copies.has(key)))
    await d.copies.put({ key, data: copy, context: { fileId: r.fileId, ownerId: r.ownerId } });
  const deidentified = {
    fileId: r.fileId,
    sourceFileId: r.sourceFileId,
    ownerId: r.ownerId,
    requestedBy: r.requestedBy,
    sha256: createHash('sha256').update(copy).digest('hex'),
    size: copy.length,
    bucket: d.copies.bucket,
    key,
    profile: 'basic',
    edition: BASIC_PROFILE_EDITION,
  };
  await d.publish(createEvent('file.deidentified', deidentified, meta));
  return 'deidentified';
}
