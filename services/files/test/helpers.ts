import { createCipheriv, createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { s3ClientConfig } from '@medvault/common/aws';
import type { EventHandler } from '@medvault/common/bus';
import type { Role } from '@medvault/common/events';
import { createEvent, type EventData } from '@medvault/common/events';
import { newId } from '@medvault/common/ids';
import {
  credentialsFor,
  gatewayHeaders,
  mintTestToken,
  serviceEnv,
  unique,
  viaGateway,
} from '@medvault/common/testing';
import { buildApp } from '../src/app.js';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps, type Deps } from '../src/deps.js';
import { buildHandlers } from '../src/messaging/handlers.js';

export interface Harness {
  deps: Deps;
  app: Awaited<ReturnType<typeof buildApp>>;
  handlers: ReturnType<typeof buildHandlers>;
}

const opened: Harness[] = [];

/** The files service wired to the real stack, on a scratch database. */
export async function harness(overrides: Record<string, string> = {}): Promise<Harness> {
  const deps = await buildDeps(
    loadServiceConfig(
      serviceEnv('files', { LOG_LEVEL: 'silent', MONGO_DB: unique('files_test').replace(/-/g, '_'), ...overrides }),
    ),
  );
  // Requests injected by tests arrive as if proxied by the gateway (app.direct: as a direct caller).
  const app = viaGateway(await buildApp(deps), 'files');
  const h = { deps, app, handlers: buildHandlers(deps) };
  opened.push(h);
  return h;
}

export async function closeAll() {
  for (const h of opened.splice(0)) {
    await h.app.close();
    await h.deps.db.dropDatabase().catch(() => undefined);
    await h.deps.close();
  }
}

export interface User {
  id: string;
  role: Role;
  auth: { authorization: string };
}
export function user(role: Role): User {
  const id = newId('user');
  return { id, role, auth: { authorization: `Bearer ${mintTestToken({ sub: id, role })}` } };
}

/** A user the files service knows of: its user.created event has reached the user projection. */
export async function knownUser(h: Harness, role: Role, active = true): Promise<User> {
  const u = user(role);
  await deliver(h, 'user.created', { userId: u.id, role, email: `${u.id}@test.medvault`, active }, 'gateway');
  return u;
}

/** multipart/form-data body as a stream: fields first, then the file part. */
export function multipart(
  file: Buffer | Readable,
  opts: { filename?: string; fields?: Record<string, string>; fieldsAfter?: Record<string, string> } = {},
) {
  const boundary = `----medvault${Math.random().toString(16).slice(2)}`;
  const field = (k: string, v: string) =>
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  const head = Buffer.concat([
    ...Object.entries(opts.fields ?? {}).map(([k, v]) => field(k, v)),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${opts.filename ?? 'f.bin'}"\r\nContent-Type: image/png\r\n\r\n`,
      'utf8',
    ),
  ]);
  const tail = Buffer.concat([
    Buffer.from('\r\n'),
    ...Object.entries(opts.fieldsAfter ?? {}).map(([k, v]) => field(k, v)),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  async function* gen() {
    yield head;
    if (Buffer.isBuffer(file)) yield file;
    else for await (const c of file) yield c as Buffer;
    yield tail;
  }
  return {
    payload: Readable.from(gen(), { objectMode: false }),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** Deterministic pseudo-random bytes (AES-CTR keystream) with a PDF signature, generated lazily. */
export function generated(size: number, seed = 'seed'): { stream: () => Readable; sha256: string } {
  const chunk = 1024 * 1024;
  const make = function* () {
    const key = createHash('sha256').update(seed).digest();
    const c = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
    let left = size;
    let first = true;
    while (left > 0) {
      const n = Math.min(chunk, left);
      const out = c.update(Buffer.alloc(n));
      if (first) Buffer.from('%PDF-1.7\n').copy(out, 0, 0, Math.min(9, n));
      first = false;
      left -= n;
      yield out;
    }
  };
  const h = createHash('sha256');
  for (const b of make()) h.update(b);
  return { stream: () => Readable.from(make()), sha256: h.digest('hex') };
}

/** Publishes an event straight into the files service's handler (what its queue would deliver). */
export async function deliver<
  T extends
    | 'file.scanned'
    | 'file.processed'
    | 'file.integrity_failed'
    | 'file.processing_failed'
    | 'care.relationship_started'
    | 'care.relationship_ended'
    | 'user.created'
    | 'user.updated',
>(h: Harness, type: T, data: EventData<T>, source = 'scanner') {
  const e = createEvent(type, data as never, { correlationId: newId('request'), source });
  const handler: EventHandler<T> | undefined = h.handlers[type];
  if (!handler) throw new Error(`the files service has no handler for ${type}`);
  await handler(e, { logger: h.deps.logger, receiveCount: 1 });
}

export async function scan(
  h: Harness,
  fileId: string,
  verdict: 'clean' | 'infected' | 'error',
  generation = 1,
  extra: Partial<EventData<'file.scanned'>> = {},
) {
  await deliver(h, 'file.scanned', {
    fileId,
    generation,
    verdict,
    signatures: verdict === 'infected' ? ['Eicar-Test-Signature'] : [],
    engine: 'ClamAV 1.4.6',
    databaseVersion: '27000',
    durationMs: 5,
    ...extra,
  });
}

export async function makeAvailable(h: Harness, fileId: string, sha256: string, generation = 1) {
  await scan(h, fileId, 'clean', generation);
  await deliver(
    h,
    'file.processed',
    { fileId, generation, sha256, sha256Verified: true, derivatives: [] },
    'watermark',
  );
  const status = (await h.deps.files.get(fileId))?.status;
  if (status !== 'available') throw new Error(`file ${fileId} is ${status} after clean scan + processing`);
}

export function adminS3() {
  return new S3Client(
    s3ClientConfig({
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
      ...credentialsFor('provisioner'),
    }),
  );
}

/**
 * Every key under `prefix`. The emulator miscomputes signatures of query strings holding '/',
 * so the listing uses the prefix's first path segment's stem and filters here.
 */
export async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const r = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix.split('/')[0], ContinuationToken: token }),
    );
    keys.push(...(r.Contents ?? []).map((o) => o.Key!).filter((k) => k.startsWith(prefix)));
    token = r.NextContinuationToken;
  } while (token);
  return keys;
}

/** Starts the app on an ephemeral port (large transfers: inject would buffer responses). */
export async function listen(h: Harness): Promise<string> {
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
}

/** Streams a request body (as the gateway would proxy it) and hashes the response body without keeping it. */
export function httpStream(
  url: string,
  opts: { method: string; headers: Record<string, string>; body?: Readable },
): Promise<{
  status: number;
  headers: http.IncomingHttpHeaders;
  sha256: string;
  size: number;
  text: string;
  error?: Error;
}> {
  return new Promise((resolve, reject) => {
    const headers = {
      ...opts.headers,
      ...gatewayHeaders('files', { method: opts.method, url, headers: opts.headers }),
    };
    const req = http.request(url, { method: opts.method, headers }, (res) => {
      const h = createHash('sha256');
      let size = 0;
      let text = '';
      res.on('data', (c: Buffer) => {
        h.update(c);
        size += c.length;
        if (text.length < 4096) text += c.toString('utf8');
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, sha256: h.digest('hex'), size, text }),
      );
      res.on('error', (error) =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, sha256: h.digest('hex'), size, text, error }),
      );
      res.on('aborted', () => undefined);
    });
    req.on('error', reject);
    if (opts.body) opts.body.pipe(req);
    else req.end();
  });
}
