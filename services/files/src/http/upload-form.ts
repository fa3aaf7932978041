import type { MultipartFile, MultipartValue } from '@fastify/multipart';
import type { Principal } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import { isId, newId } from '@medvault/common/ids';
import type { FastifyRequest } from 'fastify';
import { authorizeUpload } from '../app/access.js';
import { recordUpload, type UploadOutcome } from '../app/record-upload.js';
import { type BodyState, type Stored, storeUpload } from '../app/store-upload.js';
import { sanitizeFileName } from '../domain/filename.js';
import type { FilesPorts } from '../domain/ports.js';
import { watchBody } from './body-watchdog.js';
import { metaOf } from './request-meta.js';

const MAX_DESCRIPTION = 2000;

function fieldValue(part: MultipartValue): string {
  const v = part.value;
  if (typeof v !== 'string') throw new AppError('BAD_REQUEST', `Field ${part.fieldname} must be text`);
  return v;
}

/**
 * POST /v1/files. Form fields (`patientId`, `description`) must come BEFORE the `file` part:
 * the owner is part of the encryption context, so it must be known before the first byte is
 * encrypted. A field after the file is refused with 400 (and the upload discarded).
 */
export async function handleUpload(
  ports: FilesPorts,
  req: FastifyRequest,
  p: Principal,
  idleTimeoutMs: number,
): Promise<UploadOutcome> {
  const watchdog = watchBody(req.raw, idleTimeoutMs);
  try {
    return await readUpload(ports, req, p, { stalled: watchdog.stalled, complete: () => req.raw.complete });
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

async function readUpload(
  ports: FilesPorts,
  req: FastifyRequest,
  p: Principal,
  body: BodyState,
): Promise<UploadOutcome> {
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
      const ownerId = await authorizeUpload(ports, p, fields.patientId).catch((e: unknown) => {
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
        stored = await storeUpload(ports, file.file, fileId, ownerId, body);
      } finally {
        req.raw.off('close', onClose);
      }
    }
    if (!stored) throw new AppError('BAD_REQUEST', 'Missing the "file" part');
    return await recordUpload(
      ports,
      p,
      { fileId, name, ownerId: fields.patientId!, description: fields.description, stored },
      metaOf(req, p),
    );
  } catch (e) {
    if (stored) await ports.objects.delete(stored.location).catch(() => undefined);
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
