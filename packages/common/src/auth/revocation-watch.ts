import type { Redis } from 'ioredis';
import type { Principal } from './principal.js';
import { noticeRevokes, type RevocationChecker, type RevocationNotice, revocationChannel } from './revocation.js';

export type EndReason = 'revoked' | 'expired' | 'shutdown';

interface Watch {
  principal: Principal;
  end: (reason: EndReason) => void;
  timer: NodeJS.Timeout;
}

// setTimeout fires at once past 2^31-1 ms (~24 days): clamp, so such a token ends early, never late.
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Ends long-lived connections (server-sent event streams) as soon as the token that opened them
 * stops being valid. A token is checked once, when the connection opens; afterwards:
 * - logout, session revocation (refresh reuse) and deactivation/role change are pushed by
 *   RedisRevocationStore on a Redis channel, so every instance ends the matching streams at once;
 * - expiry is a timer at the token's `exp`.
 * Pushes do not reach a subscriber while it is disconnected, so every watched token is re-checked
 * against the stored marks after each (re)subscription, and once right after it is watched (a
 * push may have gone out between the request's check and the watch).
 */
export class RevocationWatcher {
  private readonly watched = new Set<Watch>();
  private started?: Promise<void>;

  constructor(
    private readonly subscriber: Redis,
    private readonly checker: RevocationChecker,
    private readonly o: { prefix?: string; onError?: (err: unknown, msg: string) => void } = {},
  ) {}

  private get channel() {
    return revocationChannel(this.o.prefix);
  }

  /** Subscribes the instance's subscriber connection once; idempotent, retried after a failure. */
  start(): Promise<void> {
    this.started ??= (async () => {
      this.subscriber.on('message', (channel: string, raw: string) => {
        if (channel === this.channel) this.onNotice(raw);
      });
      // ioredis re-subscribes by itself after a reconnect; what was pushed meanwhile is lost.
      this.subscriber.on('ready', () => this.recheckAll());
      await this.subscriber.subscribe(this.channel);
    })().catch((err) => {
      this.started = undefined;
      throw err;
    });
    return this.started;
  }

  /** Calls `end` once, when the principal's token is revoked or expires. Returns the unwatch. */
  watch(principal: Principal, end: (reason: EndReason) => void): () => void {
    let done = false;
    const w: Watch = {
      principal,
      end: (reason) => {
        if (done) return;
        done = true;
        unwatch();
        end(reason);
      },
      timer: this.expiryTimer(principal, () => w.end('expired')),
    };
    const unwatch = () => {
      clearTimeout(w.timer);
      this.watched.delete(w);
    };
    this.watched.add(w);
    this.recheck(w);
    return unwatch;
  }

  get size(): number {
    return this.watched.size;
  }

  /** Ends every watched connection (instance shutdown). */
  endAll(): void {
    for (const w of [...this.watched]) w.end('shutdown');
  }

  private expiryTimer(p: Principal, fire: () => void): NodeJS.Timeout {
    const timer = setTimeout(fire, Math.min(Math.max(0, p.exp * 1000 - Date.now()), MAX_TIMER_MS));
    timer.unref();
    return timer;
  }

  private onNotice(raw: string) {
    let notice: RevocationNotice;
    try {
      notice = JSON.parse(raw) as RevocationNotice;
    } catch (err) {
      this.o.onError?.(err, 'unreadable revocation notice ignored');
      return;
    }
    for (const w of [...this.watched]) if (noticeRevokes(notice, w.principal)) w.end('revoked');
  }

  private recheck(w: Watch) {
    this.checker.isRevoked(w.principal).then(
      (revoked) => revoked && w.end('revoked'),
      // The stored marks are unreadable (Redis down): the next re-subscription checks again.
      (err) => this.o.onError?.(err, 'revocation re-check failed'),
    );
  }

  private recheckAll() {
    for (const w of this.watched) this.recheck(w);
  }
}
