import type { Principal } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import { type DeadLetterQueue, deadLetterQueueName } from '../domain/dead-letters.js';
import { authoriseDeadLetters, type DeadLetterPorts } from './dead-letter-ports.js';

/**
 * Every service's dead-letter queue with its counts and newest redrive, read in parallel. A
 * queue that does not exist is listed as such rather than failing the whole page; SQS being
 * unreachable fails it (503), as nothing could be said.
 */
export async function listDeadLetters(
  d: Pick<DeadLetterPorts, 'queues' | 'services'>,
  p: Principal,
): Promise<DeadLetterQueue[]> {
  authoriseDeadLetters(p);
  return Promise.all(
    d.services.map((service) =>
      d.queues.inspect(service).catch((err: unknown): DeadLetterQueue => {
        if (AppError.is(err) && err.code === 'NOT_FOUND')
          return { service, queue: deadLetterQueueName(service), exists: false, waiting: 0, inFlight: 0 };
        throw err;
      }),
    ),
  );
}
