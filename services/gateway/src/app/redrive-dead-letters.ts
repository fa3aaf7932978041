import type { Principal } from '@medvault/common/auth';
import { notFound } from '@medvault/common/errors';
import { createEvent } from '@medvault/common/events';
import { deadLetterQueueName, type RedriveTask } from '../domain/dead-letters.js';
import type { RequestContext } from '../domain/users.js';
import { authoriseDeadLetters, type DeadLetterPorts } from './dead-letter-ports.js';

export interface RedriveStarted {
  service: string;
  queue: string;
  task: RedriveTask;
}

/**
 * An admin moves a service's dead letters back to its queue (after fixing the cause); the
 * consumers are idempotent on event id, so a letter handled before is acknowledged without
 * effect. SQS moves them in the background: this answers the started task at once. The start is
 * recorded in the audit trail (queue.redrive_started, who and how many) once SQS accepted it.
 */
export async function redriveDeadLetterQueue(
  d: DeadLetterPorts,
  p: Principal,
  service: string,
  opts: { maxPerSecond?: number },
  ctx: RequestContext,
): Promise<RedriveStarted> {
  authoriseDeadLetters(p);
  if (!d.services.includes(service)) throw notFound('Dead-letter queue');
  const task = await d.queues.startRedrive(service, opts);
  const queue = deadLetterQueueName(service);
  d.events.enqueue(
    createEvent(
      'queue.redrive_started',
      {
        service,
        waiting: task.toMove,
        ...(opts.maxPerSecond ? { maxPerSecond: opts.maxPerSecond } : {}),
        resourceType: 'dead_letter_queue',
        resourceId: queue,
      },
      { correlationId: ctx.requestId, source: d.source, actor: ctx.actor },
    ),
  );
  return { service, queue, task };
}
