import type { Readable } from 'node:stream';
import { createEncryptStream } from '@medvault/common/crypto';
import { AppError } from '@medvault/common/errors';
import { type ObjectLocation, objectKey } from '../domain/file.js';
import { createInspector, type Inspection } from '../domain/inspect.js';
import type { FilesPorts } from '../domain/ports.js';
import { chain } from '../domain/stream-chain.js';

export interface Stored {
  location: ObjectLocation;
  inspection: Inspection & { contentType: string };
  keyId: string;
  wrappedKey: string;
  headerLength: number;
}

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
  ports: Pick<FilesPorts, 'objects' | 'keys' | 'settings'>,
  source: Readable,
  fileId: string,
  ownerId: string,
  bodyState: BodyState,
): Promise<Stored> {
  const { settings } = ports;
  const inspector = createInspector({ maxBytes: settings.MAX_UPLOAD_BYTES, allowed: settings.allowedTypes });
  const enc = await createEncryptStream(ports.keys, { fileId, ownerId });
  const location = { bucket: settings.BUCKET_QUARANTINE, key: objectKey(fileId) };
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
  const upload = ports.objects.startUpload(body, location, { 'file-id': fileId });
  try {
    await Promise.race([upload.done(), streamFailed, bodyState.stalled]);
    // The body ended without an error but must also have been read to its end (flush ran).
    if (!inspector.result.sha256 || !inspector.result.contentType)
      throw streamError ?? new Error('upload body ended early');
  } catch (e) {
    // Taken now: tearing the chain down below makes it report a premature close of its own.
    const reason = streamError ?? (e as Error);
    if (!body.destroyed) body.destroy();
    // Parts, or an object a single-part PUT already completed: nothing of it may stay.
    await upload.abort();
    throw uploadError(reason, bodyState.complete());
  }
  if ((source as Readable & { truncated?: boolean }).truncated) {
    await ports.objects.delete(location).catch(() => undefined);
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
