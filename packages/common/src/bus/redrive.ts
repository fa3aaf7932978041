import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
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

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  if (!Attributes?.QueueArn) throw new Error(`no ARN for queue ${url}`);
  return Attributes.QueueArn;
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
  const { TaskHandle } = await sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn,
      DestinationArn,
      ...(opts.maxPerSecond ? { MaxNumberOfMessagesPerSecond: opts.maxPerSecond } : {}),
    }),
  );
  const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
  for (;;) {
    const { Results = [] } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn, MaxResults: 10 }));
    const task = Results.find((t) => t.TaskHandle === TaskHandle) ?? Results[0];
    const status = task?.Status ?? 'UNKNOWN';
    if (task && status !== 'RUNNING' && status !== 'CANCELLING') {
      return {
        status,
        moved: task.ApproximateNumberOfMessagesMoved ?? 0,
        toMove: task.ApproximateNumberOfMessagesToMove ?? 0,
        ...(task.FailureReason ? { failureReason: task.FailureReason } : {}),
      };
    }
    if (Date.now() > deadline) throw new Error(`message move task ${TaskHandle ?? ''} still ${status} after waiting`);
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
  }
}
