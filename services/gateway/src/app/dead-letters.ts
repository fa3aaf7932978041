import type { Principal } from '@medvault/common/auth';
import type { RequestContext } from '../domain/users.js';
import type { DeadLetterPorts } from './dead-letter-ports.js';
import { listDeadLetters } from './list-dead-letters.js';
import { redriveDeadLetterQueue } from './redrive-dead-letters.js';

export type { DeadLetterPorts } from './dead-letter-ports.js';

/** The dead-letter use cases bound to their ports (what deps.ts hands to the routes). */
export function deadLetterUseCases(d: DeadLetterPorts) {
  return {
    list: (p: Principal) => listDeadLetters(d, p),
    redrive: (p: Principal, service: string, opts: { maxPerSecond?: number }, ctx: RequestContext) =>
      redriveDeadLetterQueue(d, p, service, opts, ctx),
  };
}
export type DeadLetterUseCases = ReturnType<typeof deadLetterUseCases>;
