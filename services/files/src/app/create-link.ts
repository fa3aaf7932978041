import type { Principal } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import { newId } from '@medvault/common/ids';
import { type EventMeta, event } from '../domain/events.js';
import { signLink } from '../domain/links.js';
import type { FilesPorts } from '../domain/ports.js';
import { authorize } from './access.js';

type Ports = Pick<FilesPorts, 'files' | 'links' | 'projections' | 'grants' | 'clock' | 'settings'>;

export interface CreatedLink {
  id: string;
  /** The signed token: only ever returned to the caller, never logged or put in an event. */
  token: string;
  expiresAt: Date;
  maxDownloads: number | null;
}

/** POST /v1/files/:id/links: a signed, caller-bound, time-limited download link (file.link_created). */
export async function createLink(
  ports: Ports,
  p: Principal,
  fileId: string,
  input: { ttlSeconds?: number | undefined; maxDownloads?: number | undefined },
  meta: EventMeta,
): Promise<CreatedLink> {
  const cfg = ports.settings;
  const ttl = input.ttlSeconds ?? cfg.LINK_DEFAULT_TTL_SECONDS;
  if (ttl > cfg.LINK_MAX_TTL_SECONDS)
    throw new AppError('BAD_REQUEST', `ttlSeconds must be at most ${cfg.LINK_MAX_TTL_SECONDS}`, {
      details: { field: 'ttlSeconds' },
    });
  const f = await ports.files.mustGet(fileId);
  await authorize(ports, p, 'file:read_content', f);
  if (f.status === 'deleted' || f.status === 'infected')
    throw new AppError('FILE_NOT_AVAILABLE', `File is ${f.status}`, { details: { fileStatus: f.status } });
  const now = ports.clock.now();
  const exp = Math.floor(now.getTime() / 1000) + ttl;
  const expiresAt = new Date(exp * 1000);
  const linkId = newId('link');
  const maxDownloads = input.maxDownloads ?? null;
  await ports.links.insert({
    _id: linkId,
    fileId: f._id,
    userId: p.userId,
    expiresAt,
    maxDownloads,
    downloads: 0,
    createdAt: now,
  });
  const token = signLink(cfg.LINK_SIGNING_SECRET, { linkId, fileId: f._id, userId: p.userId, exp });
  await ports.files.append(f._id, [
    event(
      ports.clock,
      'file.link_created',
      {
        fileId: f._id,
        linkId,
        expiresAt: expiresAt.toISOString(),
        patientId: f.patientId,
        ...(maxDownloads ? { maxDownloads } : {}),
      },
      meta,
    ),
  ]);
  return { id: linkId, token, expiresAt, maxDownloads };
}
