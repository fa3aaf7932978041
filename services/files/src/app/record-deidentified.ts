import type { Envelope } from '@medvault/common/events';
import { copyLiveKey, deidentifiedName } from '../domain/deidentify.js';
import { type EventMeta, event } from '../domain/events.js';
import { type FileRecord, isDuplicateKey, objectKey } from '../domain/file.js';
import type { FilesPorts } from '../domain/ports.js';

type Ports = Pick<FilesPorts, 'files' | 'objects' | 'clock' | 'settings'>;

/**
 * file.deidentified: the worker wrote the copy, encrypted, to quarantine. Records it as a new
 * quarantined file of the requester with its file.uploaded event, so the scanner takes it like
 * any upload. Idempotent: a redelivery finds the record already there. The key material comes
 * from the object's own envelope header (never through the bus). A copy that is not where a
 * copy must be (the quarantine bucket, under its own id) is ignored.
 */
export async function recordDeidentified(
  ports: Ports,
  e: Envelope<'file.deidentified'>,
  meta: EventMeta,
): Promise<'recorded' | 'already recorded' | 'ignored'> {
  const d = e.data;
  if (await ports.files.get(d.fileId)) return 'already recorded';
  const location = { bucket: d.bucket, key: d.key };
  if (d.bucket !== ports.settings.BUCKET_QUARANTINE || d.key !== objectKey(d.fileId)) return 'ignored';
  const { header } = await ports.objects.readHeader(location);
  const now = ports.clock.now();
  const name = deidentifiedName(d.fileId);
  const rec: Omit<FileRecord, 'rev' | 'outbox'> = {
    _id: d.fileId,
    ownerId: d.ownerId,
    uploadedBy: d.requestedBy,
    patientId: d.ownerId,
    name,
    size: d.size,
    contentType: 'application/dicom',
    sha256: d.sha256,
    status: 'quarantined',
    generation: 1,
    version: await ports.files.nextVersion(d.ownerId, name),
    keyId: header.keyId,
    wrappedKey: header.wrappedKey.toString('base64'),
    headerLength: header.raw.length,
    location,
    derivatives: [],
    shares: [],
    downloads: 0,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
    purgeAfter: null,
    liveKey: copyLiveKey(d.fileId),
    deidentifiedFrom: d.sourceFileId,
  };
  const uploaded = event(
    ports.clock,
    'file.uploaded',
    {
      fileId: d.fileId,
      ownerId: d.ownerId,
      patientId: d.ownerId,
      uploadedBy: d.requestedBy,
      sha256: d.sha256,
      size: d.size,
      contentType: rec.contentType,
      bucket: d.bucket,
      key: d.key,
      generation: 1,
    },
    meta,
  );
  try {
    await ports.files.insert(rec, [uploaded]);
  } catch (err) {
    // A concurrent redelivery inserted it first (the id is unique): done.
    if (isDuplicateKey(err) && (await ports.files.get(d.fileId))) return 'already recorded';
    throw err;
  }
  return 'recorded';
}
