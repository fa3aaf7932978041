import type { Logger } from '@medvault/common/logger';
import type { Redis } from 'ioredis';
import type { LiveBus, LiveFrame } from '../domain/ports.js';

type Listener = (f: LiveFrame) => void;

/**
 * Live fan-out across instances (notify's pattern): every frame is published once on a Redis
 * channel; each chat instance holds ONE subscriber connection and hands frames to the streams of
 * the recipients connected to it. Frames carry sealed text only, never plain text.
 */
export class RedisLiveHub implements LiveBus {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly closers = new Set<() => void>();
  private started?: Promise<void>;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly logger: Logger,
  ) {}

  start(): Promise<void> {
    this.started ??= (async () => {
      this.subscriber.on('message', (channel: string, raw: string) => {
        if (channel !== this.channel) return;
        try {
          this.dispatch(JSON.parse(raw) as LiveFrame);
        } catch (err) {
          this.logger.warn({ err }, 'unreadable live frame ignored');
        }
      });
      await this.subscriber.subscribe(this.channel);
    })().catch((err) => {
      this.started = undefined;
      throw err;
    });
    return this.started;
  }

  async publish(f: LiveFrame): Promise<void> {
    await this.publisher.publish(this.channel, JSON.stringify(f));
  }

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

  closeAll(): void {
    for (const close of [...this.closers]) close();
  }

  private dispatch(f: LiveFrame) {
    for (const userId of f.recipients) for (const l of this.listeners.get(userId) ?? []) l(f);
  }
}
