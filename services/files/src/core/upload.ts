import type { Readable } from 'node:stream';
import type { MultipartFile, MultipartValue } from '@fastify/multipart';
import type { Principal } from '@medvault/common/auth';
import { createEncryptStream } from '@medvault/common/crypto';
import { AppError } from '@medvault/common/errors';
import { isId, newId } from '@medvault/common/ids';
import type { FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import { sanitizeFileName } from '../domain/filename.js';
import { createInspector, type Inspection } from '../domain/inspect.js';
import { chain } from '../storage/chain.js';
import { objectKey } from '../storage/objects.js';
import { contentKey, type FileRecord, isDuplicateKey, type ObjectLocation } from '../store/files-repo.js';
import { authorizeUpload } from './access.js';
import { watchBody } from './body-watchdog.js';
import { event, metaOf } from './events.js';

interface Stored {
  location: ObjectLocation;
  inspection: Inspection & { contentType: string };
  keyId: string;
  wrappedKey: string;
  headerLength: number;
}

const MAX_DESCRIPTION = 2000;

/**
 * One streaming pass: plaintext → inspector (sniff, size cap, SHA-256) → encryptor → S3
 * multipart. Any failure aborts the multipart upload (lib-storage) and deletes what was stored.
 */
export interface BodyState {
  /** Rejects (408) when the client stops sending: the upload is then abandoned. */
  stalled: Promise<never>;
  /** Whether the whole HTTP body has arrived (a part ending early then means a malformed body). */
  complete(): boolean;
}

export async function storeUpload(
  deps: Deps,
  source: Readable,
  fileId: string,
  ownerId: string,
  bodyState: BodyState,
): Promise<Stored> {
  const inspector = createInspector({ maxBytes: deps.config.MAX_UPLOAD_BYTES, allowed: deps.allowedTypes });
  const enc = await createEncryptStream(deps.keys, { fileId, ownerId });
  const location = { bucket: deps.config.BUCKET_QUARANTINE, key: objectKey(fileId) };
  let streamError: Error | undefined;
  let failStream: (e: Error) => void = () => undefined;
  // lib-storage does not notice a Body destroyed with an error (it waits for ever): race it.
  const streamFailed = new Promise<never>((_, reject) => {
    failStream = reject;
  });
  streamFailed.catch(() => undefined);
  const body = chain(source, [inspector.stream, enc.stream], (e) => {
    streamError = e;
    failStream(e);
  });
  const upload = deps.objects.startUpload(body, location, { 'file-id': fileId });
  try {
    await Promise.race([upload.done(), streamFailed, bodyState.stalled]);
    // The body ended without an error but must also have been read to its end (flush ran).
    if (!inspector.result.sha256 || !inspector.result.contentType)
      throw streamError ?? new Error('upload body ended early');
  } catch (e) {
    // Taken now: tearing the chain down below makes it report a premature close of its own.
    const reason = streamError ?? (e as Error);
    if (!body.destroyed) body.destroy();
    await upload.abort().catch(() => undefined);
    // lib-storage only aborts the multipart upload itself when its own part uploads fail.
    await deps.objects
      .abortMultipart(location, (upload as unknown as { uploadId?: string }).uploadId)
      .catch(() => undefined);
    // A completed single-part PUT cannot be aborted: delete whatever may have been written.
    await deps.objects.delete(location).catch(() => undefined);
    throw uploadError(reason, bodyState.complete());
  }
  if ((source as Readable & { truncated?: boolean }).truncated) {
    await deps.objects.delete(location).catch(() => undefined);
    throw new AppError('PAYLOAD_TOO_LARGE', 'File is larger than allowed');
  }
  return {
    location,
    inspection: inspector.result as Inspection & { contentType: string },
    keyId: enc.header.keyId,
    wrappedKey: enc.header.wrappedKey.toString('base64'),
    headerLength: enc.header.raw.length,
  };
}

function uploadError(reason: Error, bodyComplete: boolean): AppError {
  if (AppError.is(reason)) return reason;
  const code = (reason as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return new AppError('PAYLOAD_TOO_LARGE', 'File is larger than allowed');
  if (
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    /Unexpected end of (form|multipart data)|terminated early|aborted/i.test(reason.message)
  ) {
    // The part stopped before its end: if the whole HTTP body arrived, the body itself is cut
    // short (no closing boundary); otherwise the client went away mid-upload.
    return bodyComplete
      ? new AppError('MALFORMED_MULTIPART', 'The multipart body ended before its closing boundary', { cause: reason })
      : new AppError('BAD_REQUEST', 'Upload was interrupted', { cause: reason });
  }
  return new AppError('DEPENDENCY_UNAVAILABLE', 'Storage is unavailable', {
    cause: reason,
    details: { dependency: 's3' },
  });
}

function fieldValue(part: MultipartValue): string {
  const v = part.value;
  if (typeof v !== 'string') throw new AppError('BAD_REQUEST', `Field ${part.fieldname} must be text`);
  return v;
}

export interface UploadOutcome {
  file: FileRecord;
  duplicate: boolean;
}

/**
 * POST /v1/files. Form fields (`patientId`, `description`) must come BEFORE the `file` part:
 * the owner is part of the encryption context, so it must be known before the first byte is
 * encrypted. A field after the file is refused with 400 (and the upload discarded).
 */
export async function handleUpload(deps: Deps, req: FastifyRequest, p: Principal): Promise<UploadOutcome> {
  const watchdog = watchBody(req.raw, deps.config.UPLOAD_IDLE_TIMEOUT_MS);
  try {
    return await readUpload(deps, req, p, { stalled: watchdog.stalled, complete: () => req.raw.complete });
  } finally {
    watchdog.stop();
  }
}

/** Busboy reports an unparseable body (no boundary, broken part headers) as plain Errors. */
function multipartError(e: unknown): unknown {
  if (AppError.is(e) || (e as { code?: string }).code?.startsWith('FST_')) return e;
  const message = (e as Error)?.message ?? '';
  if (/boundary|multipart|part header|terminated early|unexpected end/i.test(message))
    return new AppError('MALFORMED_MULTIPART', `Malformed multipart body: ${message.slice(0, 100)}`, { cause: e });
  return e;
}

async function readUpload(deps: Deps, req: FastifyRequest, p: Principal, body: BodyState): Promise<UploadOutcome> {
  const fields: { patientId?: string; description?: string } = {};
  const fileId = newId('file');
  let stored: Stored | null = null;
  let name = 'unnamed';
  try {
    let parts: AsyncIterator<MultipartFile | MultipartValue>;
    try {
      parts = req.parts()[Symbol.asyncIterator]();
    } catch (e) {
      throw multipartError(e);
    }
    for (;;) {
      // Raced with the watchdog: a client silent between two parts must not hold us either.
      const step = await Promise.race([parts.next(), body.stalled]).catch((e: unknown) => {
        throw multipartError(e);
      });
      if (step.done) break;
      const part = step.value;
      if (part.type === 'field') {
        if (stored) throw new AppError('BAD_REQUEST', 'Form fields must be sent before the file part');
        readField(part as MultipartValue, fields);
        continue;
      }
      const file = part as MultipartFile;
      if (file.fieldname !== 'file' || stored) {
        file.file.resume();
        throw new AppError('BAD_REQUEST', 'Send exactly one file, in the part named "file"');
      }
      try {
        name = sanitizeFileName(file.filename);
      } catch (e) {
        file.file.resume();
        throw e;
      }
      const ownerId = await authorizeUpload(deps, p, fields.patientId).catch((e: unknown) => {
        file.file.resume();
        throw e;
      });
      fields.patientId = ownerId;
      // A client that disconnects mid-body does not always make the part stream fail: tie the
      // stream to the connection so the multipart upload is aborted instead of left pending.
      const onClose = () => {
        if (!req.raw.complete) file.file.destroy(new AppError('BAD_REQUEST', 'Upload was interrupted'));
      };
      req.raw.once('close', onClose);
      try {
        stored = await storeUpload(deps, file.file, fileId, ownerId, body);
      } finally {
        req.raw.off('close', onClose);
      }
    }
    if (!stored) throw new AppError('BAD_REQUEST', 'Missing the "file" part');
    return await record(deps, req, p, fileId, name, fields.patientId!, fields.description, stored);
  } catch (e) {
    if (stored) await deps.objects.delete(stored.location).catch(() => undefined);
    throw e;
  }
}

function readField(part: MultipartValue, fields: { patientId?: string; description?: string }) {
  const value = fieldValue(part);
  if (part.fieldname === 'patientId') {
    if (!isId('user', value))
      throw new AppError('BAD_REQUEST', 'patientId must be a user id', { details: { field: 'patientId' } });
    fields.patientId = value;
  } else if (part.fieldname === 'description') {
    if (value.length > MAX_DESCRIPTION || value.includes('\u0000')) {
      throw new AppError('BAD_REQUEST', `description must be at most ${MAX_DESCRIPTION} characters, without NUL`, {
        details: { field: 'description' },
      });
    }
    fields.description = value;
  } else {
    throw new AppError('BAD_REQUEST', `Unknown form field ${part.fieldname.slice(0, 40)}`);
  }
}

async function record(
  deps: Deps,
  req: FastifyRequest,
  p: Principal,
  fileId: string,
  name: string,
  ownerId: string,
  description: string | undefined,
  s: Stored,
): Promise<UploadOutcome> {
  const liveKey = contentKey(ownerId, p.userId, s.inspection.sha256);
  // Same bytes again: keep the first copy only. The hash is known only at the end of the stream.
  const keepFirst = async (dup: FileRecord): Promise<UploadOutcome> => {
    await deps.objects.delete(s.location);
    return { file: dup, duplicate: true };
  };
  const dup = await deps.files.findDuplicate(ownerId, p.userId, s.inspection.sha256);
  if (dup) return keepFirst(dup);
  const now = deps.clock.now();
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
    deps.clock,
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
    metaOf(req, p),
  );
  // Check-then-insert is racy; the unique indexes decide. A racer that stored the same bytes
  // first wins (we answer its record as the duplicate); one that took our version number
  // makes us take the next one.
  for (let attempt = 0; attempt < 10; attempt++) {
    rec.version = await deps.files.nextVersion(ownerId, name);
    try {
      await deps.files.insert(rec, [uploaded]);
      return { file: { ...rec, outbox: [], rev: 1 }, duplicate: false };
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      const winner = await deps.files.findDuplicate(ownerId, p.userId, s.inspection.sha256);
      if (winner) return keepFirst(winner);
    }
  }
  throw new AppError('CONFLICT', 'Too many concurrent uploads under this name, retry', { retryable: true });
}
