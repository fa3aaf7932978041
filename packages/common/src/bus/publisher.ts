import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { AppError } from '../errors/index.js';
import { type Envelope, parseEvent } from '../events/index.js';
import { counter } from '../http/metrics.js';

/** Port: anything that can put an event on the bus. */
export interface EventPublisher {
  publish(event: Envelope): Promise<void>;
}

const published = counter('bus_events_published_total', 'Events published to the bus', ['type', 'outcome']);

/**
 * Publishes to the SNS topic with `type` and `version` as message attributes: the queues'
 * filter policies route on them, so consumers never see events they did not subscribe to.
 */
export class SnsEventPublisher implements EventPublisher {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(event: Envelope): Promise<void> {
    parseEvent(event); // validate at publish too: a malformed event must fail at its source
    try {
      await this.sns.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Message: JSON.stringify(event),
          MessageAttributes: {
            type: { DataType: 'String', StringValue: event.type },
            version: { DataType: 'Number', StringValue: String(event.version) },
            correlationId: { DataType: 'String', StringValue: event.correlationId },
          },
        }),
      );
      published.inc({ type: event.type, outcome: 'ok' });
    } catch (cause) {
      published.inc({ type: event.type, outcome: 'error' });
      throw new AppError('DEPENDENCY_UNAVAILABLE', 'Event bus unavailable', {
        cause,
        details: { dependency: 'sns' },
      });
    }
  }
}

/** In-memory publisher for unit tests of domain logic (never for integration tests). */
export class MemoryEventPublisher implements EventPublisher {
  readonly events: Envelope[] = [];
  async publish(event: Envelope): Promise<void> {
    parseEvent(event);
    this.events.push(event);
  }
  ofType<T extends Envelope['type']>(type: T): Envelope<T>[] {
    return this.events.filter((e): e is Envelope<T> => e.type === type);
  }
}
