import type { Principal } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import type { EventMeta } from '../domain/events.js';
import type { FileRecord } from '../domain/file.js';
import { isServable } from '../domain/lifecycle.js';
import type { FilesPorts } from '../domain/ports.js';
import { authorize } from './access.js';
import { openVerified } from './open-verified.js';
import type { Download } from './serve-link.js';

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
  const body = await openVerified(
    ports,
    f,
    { location: { bucket: preview.bucket, key: preview.key }, size: preview.size, sha256: preview.sha256! },
    'preview',
    meta,
  );
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
