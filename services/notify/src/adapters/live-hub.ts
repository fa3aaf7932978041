import type { Logger } from '@medvault/common/logger';
import type { Redis } from 'ioredis';

import type { LiveNotification, LivePublisher } from '../domain/ports.js';

export type { LiveNotification };

type Listener = (n: LiveNotification) => void;

/**
 * Live fan-out: every new inbox entry is published once on a Redis channel; each notify instance
 * holds ONE subscriber connection and hands messages to the SSE streams connected to it, so a
 * client on instance A sees what instance B created.
 */
export class LiveHub implements LivePublisher {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly closers = new Set<() => void>();
  private started?: Promise<void>;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly logger: Logger,
  ) {}

  /** Subscribes the instance's connection once; idempotent. */
  start(): Promise<void> {
    this.started ??= (async () => {
      this.subscriber.on('message', (channel: string, raw: string) => {
        if (channel !== this.channel) return;
        try {
          this.dispatch(JSON.parse(raw) as LiveNotification);
        } catch (err) {
          this.logger.warn({ err }, 'unreadable live notification ignored');
        }
      });
      await this.subscriber.subscribe(this.channel);
    })().catch((err) => {
      this.started = undefined;
      throw err;
    });
    return this.started;
  }

  async publish(n: LiveNotification): Promise<void> {
    await this.publisher.publish(this.channel, JSON.stringify(n));
  }

  /** Registers a stream; `close` is called when the instance shuts down. Returns the unsubscribe. */
  listen(userId: string, listener: Listener, close: () => void): () => void {
    const set = this.listeners.get(userId) ?? new Set<Listener>();
    this.listeners.set(userId, set);
    set.add(listener);
    this.closers.add(close);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(userId);
      this.closers.delete(close);
    };
  }

  get connections(): number {
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }

  closeAll(): void {
    for (const close of [...this.closers]) close();
  }

  private dispatch(n: LiveNotification) {
    for (const l of this.listeners.get(n.recipientId) ?? []) l(n);
  }
}
