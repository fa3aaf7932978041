import { enforce, type Principal } from '@medvault/common/auth';
import type { DeadLetterQueues } from '../domain/dead-letters.js';
import type { EventSink } from '../domain/ports.js';

/** What the dead-letter use cases need. */
export interface DeadLetterPorts {
  queues: DeadLetterQueues;
  /** The services whose dead-letter queues the console shows (DEAD_LETTER_SERVICES). */
  services: readonly string[];
  /** The audit trail: every redrive is recorded (queue.redrive_started). */
  events: EventSink;
  source: string;
}

/** Dead letters are operations: admins only (compliance reads the audit of them, not the queues). */
export function authoriseDeadLetters(p: Principal) {
  enforce(
    p.role === 'admin' ? { allowed: true, reason: 'admin' } : { allowed: false, reason: 'dead letters are for admins' },
    'Only admins manage dead-letter queues',
  );
}
