import type { Principal } from '@medvault/common/auth';
import { canonicalContext, createDecryptStream, encryptedSize } from '@medvault/common/crypto';
import { AppError } from '@medvault/common/errors';
import { type EventMeta, event } from '../domain/events.js';
import type { FileRecord } from '../domain/file.js';
import { createHashVerifier } from '../domain/inspect.js';
import { isServable } from '../domain/lifecycle.js';
import type { FilesPorts } from '../domain/ports.js';
import { chain } from '../domain/stream-chain.js';
import { authorize } from './access.js';
import { type Download, failBefore, onStreamEnd } from './serve-link.js';

type Ports = Pick<FilesPorts, 'files' | 'objects' | 'keys' | 'clock' | 'projections' | 'grants'> & {
  logger: { error(o: object, m: string): void };
};

export const previewOf = (f: FileRecord) => f.derivatives.find((d) => d.kind === 'preview' && d.sha256);

/**
 * GET /v1/files/:id/preview (issue 17): the watermarked PNG rendition of a DICOM frame, decrypted
 * and verified against its recorded hash while it streams. The original is never touched; the
 * read is recorded as a download of the 'preview' rendition.
 */
export async function servePreview(ports: Ports, p: Principal, id: string, meta: EventMeta): Promise<Download> {
  const f = await ports.files.mustGet(id);
  await authorize(ports, p, 'file:read_content', f);
  if (!isServable(f.status))
    throw new AppError('FILE_NOT_AVAILABLE', `File is ${f.status}, not available`, {
      details: { fileStatus: f.status },
    });
  const preview = previewOf(f);
  if (!preview) throw new AppError('NOT_FOUND', 'This file has no preview');
  const ctx = { fileId: f._id, ownerId: f.ownerId };
  const { header, totalSize } = await ports.objects.readHeader(preview);
  if (canonicalContext(header.context) !== canonicalContext(ctx))
    return failBefore(ports, f, meta, 'Encryption context does not match the file');
  if (totalSize !== encryptedSize(preview.size, header))
    return failBefore(ports, f, meta, 'Stored object has the wrong size');
  const obj = await ports.objects.getRange(preview);
  const body = chain(
    obj.body,
    [
      createDecryptStream({ keys: ports.keys, expectedContext: ctx }),
      createHashVerifier(preview.sha256!, () => undefined),
    ],
    onStreamEnd(ports, f, meta),
  );
  await ports.files.append(f._id, [
    event(
      ports.clock,
      'file.downloaded',
      { fileId: f._id, ownerId: f.ownerId, patientId: f.patientId, bytes: preview.size, rendition: 'preview' },
      meta,
    ),
  ]);
  return {
    status: 200,
    headers: {
      'content-type': 'image/png',
      'content-length': String(preview.size),
      'repr-digest': `sha-256=:${Buffer.from(preview.sha256!, 'hex').toString('base64')}:`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    },
    body,
  };
}
