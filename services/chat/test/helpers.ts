import { Writable } from 'node:stream';
import type { Role } from '@medvault/common/auth';
import { createEvent, type Envelope, type EventData, type EventType } from '@medvault/common/events';
import { newId } from '@medvault/common/ids';
import { mintTestToken, serviceEnv, sseClient as sharedSseClient, unique, viaGateway } from '@medvault/common/testing';
import { pino } from 'pino';
import { buildApp } from '../src/app.js';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps } from '../src/deps.js';
import { buildHandlers } from '../src/messaging/handlers.js';

export const scratch = () => unique('chat_test').replace(/-/g, '_');

/**
 * One chat "instance" on the real stack (KMS, SNS, Mongo, Redis) with the chat IAM user's
 * credentials: own clients and app, on a scratch database and live channel that several
 * instances may share. Its log lines are kept in `logs` (to prove no text reaches them).
 */
export async function instance(db: string, channel: string, overrides: Record<string, string> = {}) {
  const deps = buildDeps(
    loadServiceConfig(serviceEnv('chat', { MONGO_DB: db, CHAT_LIVE_CHANNEL: channel, ...overrides })),
  );
  const logs: string[] = [];
  deps.logger = pino(
    { level: 'debug', base: { service: 'chat' } },
    new Writable({
      write(chunk, _enc, cb) {
        logs.push(String(chunk));
        cb();
      },
    }),
  );
  await deps.ensureIndexes();
  const app = viaGateway(await buildApp(deps), 'chat');
  const handlers = buildHandlers(deps);
  const handle = async (event: Envelope) => {
    const h = handlers[event.type] as ((e: Envelope, c: unknown) => Promise<void>) | undefined;
    if (!h) throw new Error(`no handler for ${event.type}`);
    await h(event, { logger: deps.logger, receiveCount: 1 });
  };
  const close = async () => {
    await app.close();
    await deps.close();
  };
  return { deps, app, handle, logs, close };
}
export type Instance = Awaited<ReturnType<typeof instance>>;

export const event = <T extends EventType>(type: T, data: EventData<T>) =>
  createEvent(type as EventType, data as never, { correlationId: 'test', source: 'test' }) as Envelope;

export async function seedUser(inst: Instance, role: Role): Promise<string> {
  const userId = newId('user');
  await inst.handle(event('user.created', { userId, role, active: true }));
  return userId;
}

export const care = (inst: Instance, clinicianId: string, patientId: string, active = true) =>
  inst.handle(
    active
      ? event('care.relationship_started', { clinicianId, patientId, basis: 'assignment' })
      : event('care.relationship_ended', { clinicianId, patientId }),
  );

export const bearer = (sub: string, role: Role) => ({ authorization: `Bearer ${mintTestToken({ sub, role })}` });

export async function open(inst: Instance, by: { id: string; role: Role }, participantIds: string[]) {
  return inst.app.inject({
    method: 'POST',
    url: '/v1/conversations',
    headers: bearer(by.id, by.role),
    payload: { participantIds },
  });
}

export async function send(inst: Instance, by: { id: string; role: Role }, conversationId: string, text: string) {
  return inst.app.inject({
    method: 'POST',
    url: `/v1/conversations/${conversationId}/messages`,
    headers: bearer(by.id, by.role),
    payload: { text },
  });
}

/** The shared SSE reader (common/testing), with this service's gateway assertion. */
export const sseClient = (url: string, headers: Record<string, string>) => sharedSseClient('chat', url, headers);
