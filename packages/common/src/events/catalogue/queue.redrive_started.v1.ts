import { Type } from '@sinclair/typebox';
import { Ref } from '../envelope.js';

export const type = 'queue.redrive_started';
export const version = 1;
/**
 * An admin started moving a service's dead letters back to its queue (SQS message move task).
 * Names the queue as audit resource; carries counts only, never a message.
 */
export const schema = Type.Object({
  service: Type.String({ minLength: 1, maxLength: 64 }),
  /** How many messages were waiting in the dead-letter queue when the move started. */
  waiting: Type.Integer({ minimum: 0 }),
  maxPerSecond: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  resourceType: Type.Literal('dead_letter_queue'),
  /** The dead-letter queue's name (medvault-<service>-dlq). */
  resourceId: Ref,
});
