import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';

export interface RedriveResult {
  /** SQS's final task status: COMPLETED, FAILED or CANCELLED. */
  status: string;
  moved: number;
  /** The number SQS meant to move when the task started (the DLQ's depth then). */
  toMove: number;
  failureReason?: string;
}

export interface RedriveOptions {
  /** Messages per second SQS may move (default: as fast as SQS goes, up to 500/s). */
  maxPerSecond?: number;
  /** How often the task's progress is read. */
  pollMs?: number;
  /** Give up waiting (the task itself goes on in SQS) after this long. */
  timeoutMs?: number;
}

/** One message move task as SQS lists it (ListMessageMoveTasks), in plain numbers and an ISO time. */
export interface MoveTask {
  /** RUNNING, COMPLETED, CANCELLING, CANCELLED or FAILED. */
  status: string;
  moved: number;
  toMove: number;
  startedAt?: string;
  failureReason?: string;
  /** Present while the task runs (SQS drops it afterwards). */
  handle?: string;
}

/** A task still moving messages: SQS allows one per source queue at a time. */
export const isMoveTaskActive = (status: string) => status === 'RUNNING' || status === 'CANCELLING';

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  if (!Attributes?.QueueArn) throw new Error(`no ARN for queue ${url}`);
  return Attributes.QueueArn;
}

function moveTaskOf(t: ListMessageMoveTasksResultEntry): MoveTask {
  return {
    status: t.Status ?? 'UNKNOWN',
    moved: t.ApproximateNumberOfMessagesMoved ?? 0,
    toMove: t.ApproximateNumberOfMessagesToMove ?? 0,
    ...(t.StartedTimestamp ? { startedAt: new Date(t.StartedTimestamp).toISOString() } : {}),
    ...(t.FailureReason ? { failureReason: t.FailureReason } : {}),
    ...(t.TaskHandle ? { handle: t.TaskHandle } : {}),
  };
}

/** The newest move tasks of a source (dead-letter) queue, newest first (SQS keeps a few). */
export async function listMoveTasks(sqs: SQSClient, sourceArn: string, max = 10): Promise<MoveTask[]> {
  const { Results = [] } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: max }));
  return Results.map(moveTaskOf);
}

/**
 * Starts SQS's server-side move of a dead-letter queue's messages to `destinationArn` (the same
 * call an operator makes on AWS; SQS never loses one) and answers the task handle, at once.
 */
export async function startMoveTask(
  sqs: SQSClient,
  sourceArn: string,
  destinationArn: string,
  maxPerSecond?: number,
): Promise<string | undefined> {
  const { TaskHandle } = await sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: sourceArn,
      DestinationArn: destinationArn,
      ...(maxPerSecond ? { MaxNumberOfMessagesPerSecond: maxPerSecond } : {}),
    }),
  );
  return TaskHandle;
}

/**
 * Moves the messages of a dead-letter queue back to its source queue with SQS's own message
 * move task (StartMessageMoveTask, what an operator uses on AWS: SQS moves them server-side,
 * never losing one), then waits for the task to finish and reports its counts.
 */
export async function redriveDeadLetters(
  sqs: SQSClient,
  dlqUrl: string,
  targetUrl: string,
  opts: RedriveOptions = {},
): Promise<RedriveResult> {
  const [SourceArn, DestinationArn] = await Promise.all([queueArn(sqs, dlqUrl), queueArn(sqs, targetUrl)]);
  const handle = await startMoveTask(sqs, SourceArn, DestinationArn, opts.maxPerSecond);
  const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
  for (;;) {
    const tasks = await listMoveTasks(sqs, SourceArn);
    const task = tasks.find((t) => t.handle === handle) ?? tasks[0];
    const status = task?.status ?? 'UNKNOWN';
    if (task && !isMoveTaskActive(status)) {
      return {
        status,
        moved: task.moved,
        toMove: task.toMove,
        ...(task.failureReason ? { failureReason: task.failureReason } : {}),
      };
    }
    if (Date.now() > deadline) throw new Error(`message move task ${handle ?? ''} still ${status} after waiting`);
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
  }
}
