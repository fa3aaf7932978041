import type { Redis } from 'ioredis';
import type { Logger } from '../logger/index.js';

type Listener<T> = (message: T) => void;

/**
 * Live fan-out across instances (chat's messages, notify's notifications): every message is
 * published once on a Redis channel; each instance holds ONE subscriber connection and hands
 * messages to the streams of the recipients connected to it, so a client on instance A sees what
 * instance B published. Messages are JSON; `recipientsOf` names the users a message is for.
 */
export class RedisLiveHub<T> {
  private readonly listeners = new Map<string, Set<Listener<T>>>();
  private readonly closers = new Set<() => void>();
  private started?: Promise<void>;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly logger: Logger,
    private readonly recipientsOf: (message: T) => readonly string[],
  ) {}

  /** Subscribes the instance's connection once; idempotent, retried on the next call after a failure. */
  start(): Promise<void> {
    this.started ??= (async () => {
      this.subscriber.on('message', (channel: string, raw: string) => {
        if (channel !== this.channel) return;
        try {
          this.dispatch(JSON.parse(raw) as T);
        } catch (err) {
          this.logger.warn({ err }, 'unreadable live message ignored');
        }
      });
      await this.subscriber.subscribe(this.channel);
    })().catch((err) => {
      this.started = undefined;
      throw err;
    });
    return this.started;
  }

  async publish(message: T): Promise<void> {
    await this.publisher.publish(this.channel, JSON.stringify(message));
  }

  /** Registers a stream; `close` is called when the instance shuts down. Returns the unsubscribe. */
  listen(userId: string, listener: Listener<T>, close: () => void): () => void {
    const set = this.listeners.get(userId) ?? new Set<Listener<T>>();
    this.listeners.set(userId, set);
    set.add(listener);
    this.closers.add(close);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(userId);
      this.closers.delete(close);
    };
  }

  /** Open streams on this instance. */
  get connections(): number {
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }

  /** Ends every stream of this instance (drain on shutdown). */
  closeAll(): void {
    for (const close of [...this.closers]) close();
  }

  private dispatch(message: T) {
    for (const userId of this.recipientsOf(message)) for (const l of this.listeners.get(userId) ?? []) l(message);
  }
}
