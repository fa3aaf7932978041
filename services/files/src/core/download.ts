import type { Readable } from 'node:stream';
import type { Principal } from '@medvault/common/auth';
import {
  canonicalContext,
  createDecryptStream,
  createRangeDecryptStream,
  encryptedSize,
  segmentRange,
} from '@medvault/common/crypto';
import { AppError } from '@medvault/common/errors';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import { createHashVerifier } from '../domain/inspect.js';
import { isServable } from '../domain/lifecycle.js';
import { verifyLink, withinBudget } from '../domain/links.js';
import { parseRange } from '../domain/range.js';
import { chain } from '../storage/chain.js';
import type { FileRecord, ObjectLocation } from '../store/files-repo.js';
import { authorize } from './access.js';
import { type EventMeta, event, metaOf } from './events.js';
import { blockForIntegrity } from './transitions.js';

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

const integrity = (msg: string) => new AppError('INTEGRITY_FAILED', msg);

/** GET /v1/links/:token: checks, then streams decrypted, verified content (whole or a range). */
export async function serveLink(deps: Deps, req: FastifyRequest, reply: FastifyReply, p: Principal, token: string) {
  const now = deps.clock.now();
  const claims = verifyLink(deps.config.LINK_SIGNING_SECRET, token, Math.floor(now.getTime() / 1000));
  // The stored link decides, whatever a (validly signed) token claims: a token re-signed with a
  // later expiry or another user changes nothing.
  const link = await deps.links.get(claims.linkId);
  if (!link || link.fileId !== claims.fileId) throw new AppError('LINK_INVALID', 'Download link is invalid');
  if (link.userId !== p.userId || claims.userId !== p.userId)
    throw new AppError('LINK_INVALID', 'This link belongs to another user');
  if (new Date(link.expiresAt) <= now) throw new AppError('LINK_EXPIRED', 'Download link has expired');
  const f = await deps.files.get(claims.fileId);
  if (!f || f.status === 'purged') throw new AppError('GONE', 'The file no longer exists');
  await authorize(deps, p, 'file:read_content', f);
  if (!isServable(f.status))
    throw new AppError('FILE_NOT_AVAILABLE', `File is ${f.status}, not available`, {
      details: { fileStatus: f.status },
    });
  const rep = representationOf(f);
  // Images are only ever served watermarked (CONTRACT): no rendition, no download.
  if (f.contentType.startsWith('image/') && rep.rendition !== 'watermarked') {
    throw new AppError('FILE_NOT_AVAILABLE', 'The watermarked rendition of this image is missing');
  }
  const range = parseRange(req.headers.range, rep.size);
  // Counted by what is served (see withinBudget): a range at any offset takes its bytes.
  const cost = range ? range.end - range.start + 1 : rep.size;
  if (!withinBudget(link, rep.size, cost) || !(await deps.links.consume(link, rep.size, cost)))
    throw new AppError('LINK_EXPIRED', 'Download link is exhausted');

  const meta = metaOf(req, p);
  const ctx = { fileId: f._id, ownerId: f.ownerId };
  const { header, totalSize } = await deps.objects.readHeader(rep.location);
  // Checked before the status line: a substituted or truncated object fails cleanly, with no body.
  if (canonicalContext(header.context) !== canonicalContext(ctx))
    return failBefore(deps, f, meta, 'Encryption context does not match the file');
  if (totalSize !== encryptedSize(rep.size, header))
    return failBefore(deps, f, meta, 'Stored object has the wrong size');

  let body: Readable;
  let length: number;
  if (range) {
    let dataKey: Buffer;
    try {
      dataKey = await deps.keys.unwrap(header.wrappedKey, header.keyId, ctx);
    } catch (e) {
      if (AppError.is(e) && e.code === 'INTEGRITY_FAILED') return failBefore(deps, f, meta, e.message);
      throw e;
    }
    const sr = segmentRange(header, rep.size, range.start, range.end);
    const obj = await deps.objects.getRange(rep.location, sr.cipherStart, sr.cipherEnd);
    body = chain(obj.body, [createRangeDecryptStream(dataKey, header, sr)], onStreamEnd(deps, f, meta));
    dataKey.fill(0);
    length = sr.take;
    reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${rep.size}`);
  } else {
    const obj = await deps.objects.getRange(rep.location);
    const verify = createHashVerifier(rep.sha256, () => undefined);
    body = chain(
      obj.body,
      [createDecryptStream({ keys: deps.keys, expectedContext: ctx }), verify],
      onStreamEnd(deps, f, meta),
    );
    length = rep.size;
  }
  await deps.files.append(
    f._id,
    [
      event(
        deps.clock,
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
  deps.outbox.kick();
  return reply
    .header('content-type', rep.contentType)
    .header('content-length', String(length))
    .header('accept-ranges', 'bytes')
    .header('repr-digest', `sha-256=:${Buffer.from(rep.sha256, 'hex').toString('base64')}:`)
    .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(f.name)}`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .send(body);
}

export async function failBefore(deps: Deps, f: FileRecord, meta: EventMeta, message: string): Promise<never> {
  await blockForIntegrity(deps, f._id, 'download', undefined, meta).catch(() => undefined);
  deps.outbox.kick();
  throw integrity(message);
}

/** After a failed stream (bad segment, hash mismatch): block the file and tell the bus. */
export function onStreamEnd(deps: Deps, f: FileRecord, meta: EventMeta) {
  return (err: Error) => {
    if (!AppError.is(err) || err.code !== 'INTEGRITY_FAILED') return;
    deps.logger.error({ fileId: f._id, err }, 'integrity failure while serving a file: response aborted');
    blockForIntegrity(deps, f._id, 'download', undefined, meta)
      .then(() => deps.outbox.kick())
      .catch((e: unknown) =>
        deps.logger.error({ fileId: f._id, err: e }, 'could not block file after integrity failure'),
      );
  };
}
