import { type Readable, Transform } from 'node:stream';
import type { Principal } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import { newId } from '@medvault/common/ids';
import { DICOM, type DicomHeaderReader, STOW_FAILURE, type StowOutcome, stringOf } from '../domain/dicomweb.js';
import type { EventMeta } from '../domain/events.js';
import { sanitizeFileName } from '../domain/filename.js';
import type { FilesPorts } from '../domain/ports.js';
import { recordUpload } from './record-upload.js';
import { type BodyState, type Stored, storeUpload } from './store-upload.js';

/** Enough of an instance to read its UIDs (they come early in any header); bounded. */
const STOW_PREFIX_BYTES = 256 * 1024;

type Ports = Pick<FilesPorts, 'objects' | 'keys' | 'settings' | 'files' | 'clock'> & {
  dicomHeaders: DicomHeaderReader;
};

/** Passes bytes through and keeps the first `max` of them (the header, read after the upload). */
function prefixTap(max: number) {
  const chunks: Buffer[] = [];
  let kept = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (kept < max) {
        chunks.push(chunk.subarray(0, max - kept));
        kept += Math.min(chunk.length, max - kept);
      }
      cb(null, chunk);
    },
  });
  return { stream, prefix: () => Buffer.concat(chunks) };
}

/** Client errors of one instance (not DICOM, too large, refused type) fail that instance only. */
function failureOf(e: unknown): number | null {
  if (!AppError.is(e)) return null;
  if (e.code === 'UNSUPPORTED_MEDIA_TYPE') return STOW_FAILURE.notDicom;
  if (e.code === 'PAYLOAD_TOO_LARGE') return STOW_FAILURE.refused;
  return null;
}

/**
 * One STOW-RS instance (PS3.18 10.5): streamed through the same path as any upload (sniffed, size
 * capped, hashed, encrypted into quarantine; file.uploaded), so it is scanned, verified and
 * indexed before anything can retrieve it. The header's UIDs (read from the first bytes) name it
 * in the answer; an instance that is not DICOM, or not of the study the request names, is
 * refused and nothing of it is kept.
 */
export async function storeInstance(
  ports: Ports,
  p: Principal,
  input: { source: Readable; ownerId: string; study?: string; body: BodyState },
  meta: EventMeta,
): Promise<StowOutcome> {
  const fileId = newId('file');
  const tap = prefixTap(STOW_PREFIX_BYTES);
  input.source.pipe(tap.stream);
  input.source.on('error', (e) => tap.stream.destroy(e));
  // storeUpload sees the tap's failure through its own chain; once that chain is gone (it failed
  // first), a late error of the part must not become an uncaught one.
  tap.stream.on('error', () => undefined);
  let stored: Stored;
  try {
    stored = await storeUpload(ports, tap.stream, fileId, input.ownerId, input.body);
  } catch (e) {
    input.source.resume(); // the rest of this part is skipped, the next ones still read
    const reason = failureOf(e);
    if (reason === null) throw e;
    return { ok: false, reason };
  }
  const refuse = async (reason: number, uids: { sopClassUid?: string; sopInstanceUid?: string } = {}) => {
    await ports.objects.delete(stored.location).catch(() => undefined);
    return { ok: false as const, reason, ...uids };
  };
  if (stored.inspection.contentType !== DICOM) return refuse(STOW_FAILURE.notDicom);
  let uids: { sopClassUid?: string; sopInstanceUid?: string; study?: string };
  try {
    const ds = ports.dicomHeaders.read(tap.prefix());
    uids = {
      sopClassUid: stringOf(ds, '00080016'),
      sopInstanceUid: stringOf(ds, '00080018'),
      study: stringOf(ds, '0020000D'),
    };
  } catch (e) {
    if (!AppError.is(e) || e.code !== 'UNPROCESSABLE') throw e;
    return refuse(STOW_FAILURE.processing);
  }
  const ref = {
    ...(uids.sopClassUid ? { sopClassUid: uids.sopClassUid } : {}),
    ...(uids.sopInstanceUid ? { sopInstanceUid: uids.sopInstanceUid } : {}),
  };
  if (!uids.sopInstanceUid) return refuse(STOW_FAILURE.processing, ref);
  if (input.study && uids.study !== input.study) return refuse(STOW_FAILURE.studyMismatch, ref);
  const { file } = await recordUpload(
    ports,
    p,
    {
      fileId,
      name: sanitizeFileName(`${uids.sopInstanceUid}.dcm`),
      ownerId: input.ownerId,
      description: undefined,
      stored,
    },
    meta,
  );
  return { ok: true, fileId: file._id, ...ref };
}
