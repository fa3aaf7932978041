import type { Role } from '@medvault/common/auth';
import { createEvent, type Envelope } from '@medvault/common/events';
import { newId } from '@medvault/common/ids';
import { mintTestToken, serviceEnv, unique, viaGateway } from '@medvault/common/testing';
import { buildApp } from '../src/app.js';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps, type Deps } from '../src/deps.js';
import { buildHandlers } from '../src/messaging/handlers.js';

/** One "instance" of the service: its own clients and app, on a shared scratch database. */
export async function instance(db: string, overrides: Record<string, string> = {}) {
  const deps = buildDeps(
    loadServiceConfig(serviceEnv('appointments', { LOG_LEVEL: 'silent', MONGO_DB: db, ...overrides })),
  );
  // Requests injected by tests arrive as if proxied by the gateway (app.direct: as a direct caller).
  const app = viaGateway(await buildApp(deps), 'appointments');
  return { deps, app };
}

export const scratchDb = () => unique('appointments_test').replace(/-/g, '_');

/** Seeds the user projection through the real handler, as the queue consumer would. */
export async function seedUser(deps: Deps, role: Role, active = true): Promise<string> {
  const userId = newId('user');
  const event = createEvent('user.created', { userId, role, active }, { correlationId: 'test', source: 'test' });
  await buildHandlers(deps)['user.created']!(event as Envelope<'user.created'>, {
    logger: deps.logger,
    receiveCount: 1,
  });
  return userId;
}

export const bearer = (sub: string, role: Role) => ({ authorization: `Bearer ${mintTestToken({ sub, role })}` });

/** A Monday at least `weeksAhead` weeks from now, at hh:mm UTC (inside the default 08:00-18:00 UTC hours). */
export function futureMonday(hh: number, mm = 0, weeksAhead = 2): Date {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + 7 * weeksAhead + ((8 - d.getUTCDay()) % 7));
  d.setUTCHours(hh, mm, 0, 0);
  return d;
}

export const plusMinutes = (d: Date, m: number) => new Date(d.getTime() + m * 60_000);
