/**
 * Dead-letter queues as the admin console sees them: one per consuming service
 * (`medvault-<service>-dlq`, fed by SQS's redrive policy after maxReceiveCount failed receives).
 * Counts and move tasks only: the console never reads a dead letter's body.
 */

/** One SQS message move task (a redrive), as SQS reports it. */
export interface RedriveTask {
  /** RUNNING, COMPLETED, CANCELLING, CANCELLED or FAILED (SQS's words). */
  status: string;
  /** Still moving messages: SQS allows one such task per dead-letter queue. */
  running: boolean;
  moved: number;
  toMove: number;
  startedAt?: string;
  failureReason?: string;
}

export interface DeadLetterQueue {
  service: string;
  /** The dead-letter queue's name. */
  queue: string;
  /** False when the queue does not exist (not provisioned): the counts are then 0. */
  exists: boolean;
  /** Messages waiting to be redriven (SQS's ApproximateNumberOfMessages). */
  waiting: number;
  /** Messages received but not yet deleted: a redrive in progress holds some here. */
  inFlight: number;
  /** The newest move task SQS still lists for the queue (it keeps them for a while). */
  lastRedrive?: RedriveTask;
}

/** The port: SQS in production (adapters/sqs-dead-letters.ts). */
export interface DeadLetterQueues {
  /** The queue's counts and newest move task; NOT_FOUND when the queue does not exist. */
  inspect(service: string): Promise<DeadLetterQueue>;
  /**
   * Starts moving every waiting message back to the service's own queue, at most `maxPerSecond`
   * a second; CONFLICT when a move task already runs, NOT_FOUND when a queue is missing.
   */
  startRedrive(service: string, opts: { maxPerSecond?: number }): Promise<RedriveTask>;
}

/** The platform's queue names (infra/topology.json): `medvault-<service>` and its `-dlq`. */
export const sourceQueueName = (service: string) => `medvault-${service}`;
export const deadLetterQueueName = (service: string) => `${sourceQueueName(service)}-dlq`;

/** Service names as queue names allow them (`medvault-<name>`); the route's path parameter too. */
export const SERVICE_NAME_PATTERN = '^[a-z][a-z0-9-]{0,40}$';
const SERVICE_NAME = new RegExp(SERVICE_NAME_PATTERN);

/** The comma-separated DEAD_LETTER_SERVICES setting as a list (blank entries ignored, duplicates once). */
export function parseServiceList(csv: string): string[] {
  const names = [
    ...new Set(
      csv
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  const bad = names.filter((n) => !SERVICE_NAME.test(n));
  if (bad.length) throw new Error(`Invalid configuration: DEAD_LETTER_SERVICES has bad names: ${bad.join(', ')}`);
  return names;
}
