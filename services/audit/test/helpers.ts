import { S3Client } from '@aws-sdk/client-s3';
import type { Role } from '@medvault/common/auth';
import { s3ClientConfig } from '@medvault/common/aws';
import { createEvent, type EventData, type EventType } from '@medvault/common/events';
import { credentialsFor, mintTestToken, serviceEnv, unique, viaGateway } from '@medvault/common/testing';
import { buildApp } from '../src/app.js';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps, type Deps } from '../src/deps.js';

export const opened: Deps[] = [];

/** A private chain for one test: its own database and its own checkpoint prefix. */
export function chainEnv(extra: Record<string, string> = {}): Record<string, string> {
  const id = unique('audit_test');
  return { MONGO_DB: id, AUDIT_CHECKPOINT_PREFIX: `checkpoints/${id}/`, ...extra };
}

/** One audit instance (its own Mongo pool, Redis connection and AWS clients). */
export function instance(env: Record<string, string>): Deps {
  const deps = buildDeps(loadServiceConfig(serviceEnv('audit', { LOG_LEVEL: 'silent', ...env })));
  opened.push(deps);
  return deps;
}

/** The audit app; requests injected by tests arrive as if proxied by the gateway (app.direct: direct). */
export async function appFor(deps: Deps) {
  return viaGateway(await buildApp(deps), 'audit');
}

export async function closeAll() {
  const all = opened.splice(0);
  await Promise.all(
    all.map(async (d) => {
      await d.db.dropDatabase().catch(() => undefined);
      await d.close();
    }),
  );
}

export const bearer = (role: Role, sub = unique('usr')) => ({
  authorization: `Bearer ${mintTestToken({ sub, role })}`,
});

/** A valid bus event as a service would publish it. */
export function ev<T extends EventType>(
  type: T,
  data: EventData<T>,
  ctx: {
    correlationId?: string;
    actor?: { userId: string; role: Role | 'system'; ip?: string; userAgent?: string };
    source?: string;
  } = {},
) {
  return createEvent(type, data as never, {
    correlationId: ctx.correlationId ?? unique('req'),
    source: ctx.source ?? 'files',
    ...(ctx.actor ? { actor: ctx.actor } : {}),
  });
}

/** Admin S3 client: plays the attacker who got hold of the bucket. */
export function adminS3(): S3Client {
  return new S3Client(
    s3ClientConfig({
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
      ...credentialsFor('provisioner'),
    }),
  );
}

export const sha = (c: string) => c.repeat(64).slice(0, 64);
