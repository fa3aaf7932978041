import type { Principal } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import { compareAndSet, LOST_RACE } from '@medvault/common/retry';
import { type EventMeta, event } from '../domain/events.js';
import { contentKey, type FileRecord, isDuplicateKey } from '../domain/file.js';
import type { FilesPorts } from '../domain/ports.js';
import type { Stored } from './store-upload.js';

export interface UploadOutcome {
  file: FileRecord;
  duplicate: boolean;
}

/**
 * Records stored bytes as a new quarantined file (and its file.uploaded event), or answers the
 * live file with the same bytes from the same uploader as a duplicate (the new copy is deleted).
 */
export async function recordUpload(
  ports: Pick<FilesPorts, 'files' | 'objects' | 'clock'>,
  p: Principal,
  upload: { fileId: string; name: string; ownerId: string; description: string | undefined; stored: Stored },
  meta: EventMeta,
): Promise<UploadOutcome> {
  const { fileId, name, ownerId, description, stored: s } = upload;
  const liveKey = contentKey(ownerId, p.userId, s.inspection.sha256);
  // Same bytes again: keep the first copy only. The hash is known only at the end of the stream.
  const keepFirst = async (dup: FileRecord): Promise<UploadOutcome> => {
    await ports.objects.delete(s.location);
    return { file: dup, duplicate: true };
  };
  const dup = await ports.files.findDuplicate(ownerId, p.userId, s.inspection.sha256);
  if (dup) return keepFirst(dup);
  const now = ports.clock.now();
  const rec: Omit<FileRecord, 'rev' | 'outbox'> = {
    _id: fileId,
    ownerId,
    uploadedBy: p.userId,
    patientId: ownerId,
    name,
    ...(description ? { description } : {}),
    size: s.inspection.size,
    contentType: s.inspection.contentType,
    sha256: s.inspection.sha256,
    status: 'quarantined',
    generation: 1,
    version: 0, // set by the insert loop below
    keyId: s.keyId,
    wrappedKey: s.wrappedKey,
    headerLength: s.headerLength,
    location: s.location,
    derivatives: [],
    shares: [],
    downloads: 0,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
    purgeAfter: null,
    liveKey,
  };
  const uploaded = event(
    ports.clock,
    'file.uploaded',
    {
      fileId,
      ownerId,
      patientId: ownerId,
      uploadedBy: p.userId,
      sha256: rec.sha256,
      size: rec.size,
      contentType: rec.contentType,
      bucket: s.location.bucket,
      key: s.location.key,
      generation: 1,
    },
    meta,
  );
  // Check-then-insert is racy; the unique indexes decide. A racer that stored the same bytes
  // first wins (we answer its record as the duplicate); one that took our version number
  // makes us take the next one.
  return compareAndSet<UploadOutcome>(
    async () => {
      rec.version = await ports.files.nextVersion(ownerId, name);
      try {
        await ports.files.insert(rec, [uploaded]);
        return { file: { ...rec, outbox: [], rev: 1 }, duplicate: false };
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
        const winner = await ports.files.findDuplicate(ownerId, p.userId, s.inspection.sha256);
        return winner ? keepFirst(winner) : LOST_RACE;
      }
    },
    {
      attempts: 10,
      exhausted: () => {
        throw new AppError('CONFLICT', 'Too many concurrent uploads under this name, retry', { retryable: true });
      },
    },
  );
}
