import { createHash } from 'node:crypto';
import { createDecryptStream } from '@medvault/common/crypto';
import type { Envelope } from '@medvault/common/events';
import { type EventMeta, event } from '../domain/events.js';
import { type Derivative, type FileRecord, fileFacts } from '../domain/file.js';
import { canTransition, nextStatus } from '../domain/lifecycle.js';
import type { FilesPorts } from '../domain/ports.js';
import { blockForIntegrity } from './block-for-integrity.js';

type Ports = Pick<FilesPorts, 'clock' | 'files' | 'keys' | 'objects'>;

/** Plaintext size and SHA-256 of a derivative (same envelope format and context), read back. */
async function measure(
  ports: Ports,
  f: FileRecord,
  d: Omit<Derivative, 'sha256'>,
): Promise<{ size: number; sha256: string }> {
  const { body } = await ports.objects.getRange(d);
  const hash = createHash('sha256');
  let size = 0;
  const dec = createDecryptStream({ keys: ports.keys, expectedContext: { fileId: f._id, ownerId: f.ownerId } });
  body.pipe(dec);
  for await (const c of dec) {
    hash.update(c as Buffer);
    size += (c as Buffer).length;
  }
  return { size, sha256: hash.digest('hex') };
}

/**
 * file.processed: records derivatives (watermarked rendition, DICOM preview) and the indexed DICOM
 * header when there is one, and makes the file available.
 */
export async function applyProcessed(ports: Ports, e: Envelope<'file.processed'>, meta: EventMeta): Promise<string> {
  const d = e.data;
  const f = await ports.files.get(d.fileId);
  if (!f) return 'unknown file';
  if (d.generation !== f.generation) return 'outdated generation';
  if (!d.sha256Verified || d.sha256 !== f.sha256) {
    await blockForIntegrity(ports, f._id, 'processing', d.sha256, meta);
    return 'blocked';
  }
  if (!canTransition(f.status, 'processed')) return `ignored in status ${f.status}`;
  const derivatives: Derivative[] = [];
  for (const x of d.derivatives) {
    // The producer's hash (issue 18) is what measuring would compute: watermark and files are
    // both internal services reading and writing the same bucket under the same data key, so
    // re-reading the object adds no trust (a producer that lied could write matching bytes),
    // it only costs a GET and a decryption. What protects readers stays in place: every
    // download is verified against this hash as it streams, so an object changed after it was
    // written fails there. Events from producers that predate the field are still measured.
    const m = x.sha256 ? { size: x.size, sha256: x.sha256 } : await measure(ports, f, x);
    derivatives.push({ kind: x.kind, bucket: x.bucket, key: x.key, contentType: x.contentType, ...m });
  }
  const next = await ports.files.mutate(f._id, (cur) => {
    if (cur.generation !== d.generation || !canTransition(cur.status, 'processed')) return null;
    return {
      set: { status: nextStatus(cur.status, 'processed'), derivatives, ...(d.dicom ? { dicom: d.dicom } : {}) },
      events: [event(ports.clock, 'file.available', { ...fileFacts(cur), uploadedBy: cur.uploadedBy }, meta)],
    };
  });
  return next?.status ?? 'unchanged';
}
