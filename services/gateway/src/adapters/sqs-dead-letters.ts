import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { queueUrl } from '@medvault/common/aws';
import { isMoveTaskActive, listMoveTasks, type MoveTask, startMoveTask } from '@medvault/common/bus';
import { AppError, conflict, dependencyUnavailable, notFound } from '@medvault/common/errors';
import {
  type DeadLetterQueue,
  type DeadLetterQueues,
  deadLetterQueueName,
  type RedriveTask,
} from '../domain/dead-letters.js';

type SdkError = { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };

const MISSING = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'ResourceNotFoundException']);

/**
 * SDK failures in the API's words: a missing queue is 404, a second move task 409 (SQS refuses
 * it as an invalid parameter), SQS down or unreachable 503 naming it. Anything else (e.g. access
 * denied: a policy that lacks a grant) stays a 500 whose details go to the log only.
 */
export function sqsProblem(err: unknown, what: string): unknown {
  if (AppError.is(err)) return err;
  const e = (err ?? {}) as SdkError;
  if (MISSING.has(e.name ?? '')) return notFound(what);
  if (/already a task running|active message movement task/i.test(e.message ?? '')) {
    return conflict('A redrive of this dead-letter queue is already running');
  }
  // Only what came from the SDK ($metadata) is an outage: a bug of ours stays a 500.
  const status = e.$metadata?.httpStatusCode;
  const sdk = e.$metadata !== undefined || e.name === 'TimeoutError';
  if (sdk && (status === undefined || status >= 500)) return dependencyUnavailable('sqs', err);
  return err;
}

const taskOf = (t: MoveTask): RedriveTask => {
  const { handle: _handle, ...rest } = t; // the handle cancels the task: not for the console
  return { ...rest, running: isMoveTaskActive(t.status) };
};

/**
 * The dead-letter queues on SQS, named by the platform's convention: a service's queue is
 * `medvault-<service>`, its DLQ `medvault-<service>-dlq` (infra/topology.json, provisioning).
 * Calls only what the gateway's IAM policy grants on the DLQs (GetQueueAttributes,
 * ListMessageMoveTasks, StartMessageMoveTask) and SendMessage on the source queues for SQS's
 * move; the source queue's ARN is derived from the DLQ's (same account and region), so the
 * gateway reads nothing of the other services' queues.
 */
export class SqsDeadLetterQueues implements DeadLetterQueues {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrlBase: string,
  ) {}

  private async read(service: string): Promise<{ state: DeadLetterQueue; arn: string }> {
    const dlq = deadLetterQueueName(service);
    const { Attributes: a = {} } = await this.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl(this.queueUrlBase, dlq),
        AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    if (!a.QueueArn) throw new Error(`no ARN for queue ${dlq}`);
    const [last] = await listMoveTasks(this.sqs, a.QueueArn, 1);
    const state: DeadLetterQueue = {
      service,
      queue: dlq,
      exists: true,
      waiting: Number(a.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
      ...(last ? { lastRedrive: taskOf(last) } : {}),
    };
    return { state, arn: a.QueueArn };
  }

  async inspect(service: string): Promise<DeadLetterQueue> {
    try {
      return (await this.read(service)).state;
    } catch (err) {
      throw sqsProblem(err, `Dead-letter queue of ${service}`);
    }
  }

  async startRedrive(service: string, opts: { maxPerSecond?: number }): Promise<RedriveTask> {
    try {
      const { state, arn } = await this.read(service);
      if (state.lastRedrive?.running) throw conflict('A redrive of this dead-letter queue is already running');
      const destination = arn.replace(/-dlq$/, '');
      const handle = await startMoveTask(this.sqs, arn, destination, opts.maxPerSecond);
      // SQS lists a task once it runs (with its handle while it runs); the newest one is ours
      // unless it is still the one seen before starting. Not listed yet: say what was asked.
      const [newest] = await listMoveTasks(this.sqs, arn, 1);
      const ours = newest && (newest.handle === handle || newest.startedAt !== state.lastRedrive?.startedAt);
      return ours
        ? taskOf(newest)
        : { status: 'RUNNING', running: true, moved: 0, toMove: state.waiting, startedAt: new Date().toISOString() };
    } catch (err) {
      throw sqsProblem(err, `Dead-letter queue of ${service}`);
    }
  }
}
