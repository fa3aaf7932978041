import type { Principal } from '@medvault/common/auth';
import { AppError, conflict, notFound } from '@medvault/common/errors';
import type { Envelope } from '@medvault/common/events';
import { describe, expect, it } from 'vitest';
import type { DeadLetterQueue, DeadLetterQueues, RedriveTask } from '../domain/dead-letters.js';
import type { DeadLetterPorts } from './dead-letter-ports.js';
import { listDeadLetters } from './list-dead-letters.js';
import { redriveDeadLetterQueue } from './redrive-dead-letters.js';

const who = (role: Principal['role']): Principal => ({ userId: `usr_${role}`, role, jti: 'j', iat: 0, exp: 1 });
const ctx = { requestId: 'req_1', actor: { userId: 'usr_admin', role: 'admin' as const, ip: '10.0.0.1' } };

/** SQS as a map of service → waiting count (absent: no queue); one move task at a time. */
function fakeQueues(waiting: Record<string, number>) {
  const started: string[] = [];
  const running = new Set<string>();
  const queues: DeadLetterQueues = {
    async inspect(service): Promise<DeadLetterQueue> {
      const n = waiting[service];
      if (n === undefined) throw notFound('queue');
      return { service, queue: `medvault-${service}-dlq`, exists: true, waiting: n, inFlight: 0 };
    },
    async startRedrive(service): Promise<RedriveTask> {
      if (waiting[service] === undefined) throw notFound('queue');
      if (running.has(service)) throw conflict('running');
      running.add(service);
      started.push(service);
      return { status: 'RUNNING', running: true, moved: 0, toMove: waiting[service] };
    },
  };
  return { queues, started };
}

function ports(waiting: Record<string, number>, services: string[]) {
  const fake = fakeQueues(waiting);
  const events: Envelope[] = [];
  const d: DeadLetterPorts = {
    queues: fake.queues,
    services,
    events: { enqueue: (e) => events.push(e) },
    source: 'gateway',
  };
  return { d, events, started: fake.started };
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (AppError.is(e) ? e.code : String(e)),
  );

describe('listing dead-letter queues', () => {
  it('lists every configured service, a missing queue as missing rather than failing the list', async () => {
    const { d } = ports({ files: 3, chat: 0 }, ['files', 'chat', 'ghost']);
    const r = await listDeadLetters(d, who('admin'));
    expect(r.map((q) => [q.service, q.exists, q.waiting])).toEqual([
      ['files', true, 3],
      ['chat', true, 0],
      ['ghost', false, 0],
    ]);
  });

  it('refuses every role but admin', async () => {
    const { d } = ports({ files: 1 }, ['files']);
    for (const role of ['patient', 'clinician', 'compliance'] as const)
      expect(await codeOf(listDeadLetters(d, who(role)))).toBe('FORBIDDEN');
  });
});

describe('redriving a dead-letter queue', () => {
  it('starts the move and records who started it, for which queue and how many letters', async () => {
    const { d, events, started } = ports({ scanner: 4 }, ['scanner']);
    const r = await redriveDeadLetterQueue(d, who('admin'), 'scanner', { maxPerSecond: 10 }, ctx);
    expect(r).toMatchObject({ service: 'scanner', queue: 'medvault-scanner-dlq', task: { running: true, toMove: 4 } });
    expect(started).toEqual(['scanner']);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'queue.redrive_started',
      correlationId: 'req_1',
      actor: { userId: 'usr_admin', role: 'admin' },
      data: { service: 'scanner', waiting: 4, maxPerSecond: 10, resourceType: 'dead_letter_queue' },
    });
    expect(events[0]?.data).toMatchObject({ resourceId: 'medvault-scanner-dlq' });
  });

  it('answers 404 for a service that is not configured, starting and recording nothing', async () => {
    const { d, events, started } = ports({ scanner: 4, other: 1 }, ['scanner']);
    expect(await codeOf(redriveDeadLetterQueue(d, who('admin'), 'other', {}, ctx))).toBe('NOT_FOUND');
    expect(started).toEqual([]);
    expect(events).toEqual([]);
  });

  it('passes a running move task on as a conflict and records only the first start', async () => {
    const { d, events } = ports({ files: 2 }, ['files']);
    await redriveDeadLetterQueue(d, who('admin'), 'files', {}, ctx);
    expect(await codeOf(redriveDeadLetterQueue(d, who('admin'), 'files', {}, ctx))).toBe('CONFLICT');
    expect(events).toHaveLength(1);
  });

  it('refuses a non-admin before touching the queue', async () => {
    const { d, started } = ports({ files: 2 }, ['files']);
    expect(await codeOf(redriveDeadLetterQueue(d, who('compliance'), 'files', {}, ctx))).toBe('FORBIDDEN');
    expect(started).toEqual([]);
  });
});
