import type { Readable } from 'node:stream';
import type { Principal } from '@medvault/common/auth';
import {
  canonicalContext,
  createDecryptStream,
  createHashVerifier,
  createRangeDecryptStream,
  encryptedSize,
  segmentRange,
} from '@medvault/common/crypto';
import { AppError } from '@medvault/common/errors';
import { type EventMeta, event } from '../domain/events.js';
import type { FileRecord, ObjectLocation } from '../domain/file.js';
import { isServable } from '../domain/lifecycle.js';
import { verifyLink, withinBudget } from '../domain/links.js';
import type { FilesPorts } from '../domain/ports.js';
import { parseRange } from '../domain/range.js';
import { chain } from '../domain/stream-chain.js';
import { authorize } from './access.js';
import { blockForIntegrity } from './block-for-integrity.js';

type Ports = Pick<
  FilesPorts,
  'files' | 'links' | 'objects' | 'keys' | 'clock' | 'projections' | 'grants' | 'settings'
> & { logger: { error(o: object, m: string): void } };

/** What the HTTP layer sends: status, headers, then the (verified while streaming) body. */
export interface Download {
  status: 200 | 206;
  headers: Record<string, string>;
  body: Readable;
}

interface Representation {
  location: ObjectLocation;
  size: number;
  sha256: string;
  contentType: string;
  rendition: 'original' | 'watermarked';
}

/** Images are served as their watermarked rendition when the watermark service produced one. */
export function representationOf(f: FileRecord): Representation {
  const wm = f.contentType.startsWith('image/')
    ? f.derivatives.find((d) => d.kind === 'watermarked' && d.sha256)
    : undefined;
  if (wm)
    return { location: wm, size: wm.size, sha256: wm.sha256!, contentType: wm.contentType, rendition: 'watermarked' };
  return { location: f.location, size: f.size, sha256: f.sha256, contentType: f.contentType, rendition: 'original' };
}

/** What blocking a file after an integrity failure needs (also the preview's path). */
type BlockPorts = Parameters<typeof blockForIntegrity>[0] & Pick<Ports, 'logger'>;

const integrity = (msg: string) => new AppError('INTEGRITY_FAILED', msg);

/** GET /v1/links/:token: checks, then streams decrypted, verified content (whole or a range). */
export async function serveLink(
  ports: Ports,
  p: Principal,
  token: string,
  rangeHeader: string | undefined,
  meta: EventMeta,
): Promise<Download> {
  const now = ports.clock.now();
  const claims = verifyLink(ports.settings.LINK_SIGNING_SECRET, token, Math.floor(now.getTime() / 1000));
  // The stored link decides, whatever a (validly signed) token claims: a token re-signed with a
  // later expiry or another user changes nothing.
  const link = await ports.links.get(claims.linkId);
  if (!link || link.fileId !== claims.fileId) throw new AppError('LINK_INVALID', 'Download link is invalid');
  if (link.userId !== p.userId || claims.userId !== p.userId)
    throw new AppError('LINK_INVALID', 'This link belongs to another user');
  if (new Date(link.expiresAt) <= now) throw new AppError('LINK_EXPIRED', 'Download link has expired');
  const f = await ports.files.get(claims.fileId);
  if (!f || f.status === 'purged') throw new AppError('GONE', 'The file no longer exists');
  await authorize(ports, p, 'file:read_content', f);
  if (!isServable(f.status))
    throw new AppError('FILE_NOT_AVAILABLE', `File is ${f.status}, not available`, {
      details: { fileStatus: f.status },
    });
  const rep = representationOf(f);
  // Images are only ever served watermarked (CONTRACT): no rendition, no download.
  if (f.contentType.startsWith('image/') && rep.rendition !== 'watermarked') {
    throw new AppError('FILE_NOT_AVAILABLE', 'The watermarked rendition of this image is missing');
  }
  const range = parseRange(rangeHeader, rep.size);
  // Counted by what is served (see withinBudget): a range at any offset takes its bytes.
  const cost = range ? range.end - range.start + 1 : rep.size;
  if (!withinBudget(link, rep.size, cost) || !(await ports.links.consume(link, rep.size, cost)))
    throw new AppError('LINK_EXPIRED', 'Download link is exhausted');

  const ctx = { fileId: f._id, ownerId: f.ownerId };
  const { header, totalSize } = await ports.objects.readHeader(rep.location);
  // Checked before the status line: a substituted or truncated object fails cleanly, with no body.
  if (canonicalContext(header.context) !== canonicalContext(ctx))
    return failBefore(ports, f, meta, 'Encryption context does not match the file');
  if (totalSize !== encryptedSize(rep.size, header))
    return failBefore(ports, f, meta, 'Stored object has the wrong size');

  // One KMS call per download, before the status line (a key that does not match fails cleanly);
  // the whole file is the range of all its bytes, read as parallel ranged GETs ahead of the writer.
  let dataKey: Buffer;
  try {
    dataKey = await ports.keys.unwrap(header.wrappedKey, header.keyId, ctx);
  } catch (e) {
    if (AppError.is(e) && e.code === 'INTEGRITY_FAILED') return failBefore(ports, f, meta, e.message);
    throw e;
  }
  const wanted = range ?? { start: 0, end: rep.size - 1 };
  let body: Readable;
  if (rep.size === 0) {
    // No byte to range over: the one (empty, authenticated) segment through the whole-object path.
    const obj = await ports.objects.getRange(rep.location);
    const stages = [createDecryptStream({ keys: ports.keys, expectedContext: ctx }), hashVerifier(rep)];
    body = chain(obj.body, stages, onStreamEnd(ports, f, meta));
  } else {
    const sr = segmentRange(header, rep.size, wanted.start, wanted.end);
    const decrypt = createRangeDecryptStream(dataKey, header, sr);
    const source = ports.objects.readRange(rep.location, sr.cipherStart, sr.cipherEnd);
    // A whole file is also checked against the SHA-256 recorded at upload (a range cannot be).
    body = chain(source, range ? [decrypt] : [decrypt, hashVerifier(rep)], onStreamEnd(ports, f, meta));
  }
  dataKey.fill(0);
  const length = range ? wanted.end - wanted.start + 1 : rep.size;
  await ports.files.append(
    f._id,
    [
      event(
        ports.clock,
        'file.downloaded',
        {
          fileId: f._id,
          linkId: link._id,
          ownerId: f.ownerId,
          patientId: f.patientId,
          bytes: length,
          ...(range ? { range: `bytes=${range.start}-${range.end}` } : {}),
          rendition: rep.rendition,
        },
        meta,
      ),
    ],
    range && range.start > 0 ? {} : { downloads: 1 },
  );
  return {
    status: range ? 206 : 200,
    headers: {
      ...(range ? { 'content-range': `bytes ${range.start}-${range.end}/${rep.size}` } : {}),
      'content-type': rep.contentType,
      'content-length': String(length),
      'accept-ranges': 'bytes',
      'repr-digest': `sha-256=:${Buffer.from(rep.sha256, 'hex').toString('base64')}:`,
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(f.name)}`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    },
    body,
  };
}

const hashVerifier = (rep: Representation) => createHashVerifier(rep.sha256, () => undefined);

export async function failBefore(ports: BlockPorts, f: FileRecord, meta: EventMeta, message: string): Promise<never> {
  await blockForIntegrity(ports, f._id, 'download', undefined, meta).catch(() => undefined);
  throw integrity(message);
}

/** After a failed stream (bad segment, hash mismatch): block the file and tell the bus. */
export function onStreamEnd(ports: BlockPorts, f: FileRecord, meta: EventMeta) {
  return (err: Error) => {
    if (!AppError.is(err) || err.code !== 'INTEGRITY_FAILED') return;
    ports.logger.error({ fileId: f._id, err }, 'integrity failure while serving a file: response aborted');
    blockForIntegrity(ports, f._id, 'download', undefined, meta).catch((e: unknown) =>
      ports.logger.error({ fileId: f._id, err: e }, 'could not block file after integrity failure'),
    );
  };
}
