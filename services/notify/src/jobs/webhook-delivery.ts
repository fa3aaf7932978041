import type { Startable } from '@medvault/common/http';
import type { Logger } from '@medvault/common/logger';
import { backoffDelay } from '@medvault/common/retry';
import type { Redis } from 'ioredis';
import type { Collections, DeliveryDoc, WebhookDoc } from '../adapters/mongo.js';
import { BlockedTargetError, postToWebhook } from '../adapters/webhook-target.js';
import type { AllowList } from '../domain/address-policy.js';
import { sign } from '../domain/signature.js';

export interface WebhookWorkerOptions {
  c: Collections;
  redis: Redis;
  logger: Logger;
  now: () => Date;
  pollMs: number;
  timeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  maxAttempts: number;
  disableAfter: number;
  /** Development-only internal targets (WEBHOOK_ALLOW_PRIVATE_HOSTS); empty in production. */
  allowPrivate: AllowList;
}

/**
 * Delivers queued webhook calls (the `deliveries` collection is the queue: status + nextAttemptAt).
 * A Redis lease (SET NX PX) makes one instance own an attempt: FerretDB has no atomic
 * find-and-claim. Failures back off exponentially; a webhook failing `disableAfter` times in a
 * row is disabled and its pending deliveries abandoned.
 */
export class WebhookWorker implements Startable {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: WebhookWorkerOptions) {}

  start() {
    this.timer = setInterval(() => {
      this.running = this.running
        .then(() => this.runOnce())
        .catch((err) => this.o.logger.warn({ err }, 'webhook pass failed'));
    }, this.o.pollMs);
    this.timer.unref();
  }

  async stop() {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass over due deliveries; returns how many attempts it made. */
  async runOnce(limit = 20): Promise<number> {
    // No webhook registered, no webhook delivery to make: skip the search, which FerretDB v1 answers
    // by reading every delivery, e-mails included (~100 ms a second with ~500 of them, measured).
    if ((await this.o.c.webhooks.findOne({}, { projection: { _id: 1 } })) === null) return 0;
    const now = this.o.now();
    const due = await this.o.c.deliveries
      .find({ channel: 'webhook', status: 'pending', nextAttemptAt: { $lte: now } })
      .sort({ nextAttemptAt: 1 })
      .limit(limit)
      .toArray();
    let attempted = 0;
    for (const d of due) {
      const lease = await this.o.redis.set(`notify:webhook-lease:${d._id}`, '1', 'PX', this.o.timeoutMs * 2, 'NX');
      if (lease !== 'OK') continue;
      try {
        // Re-read under the lease: another instance may have finished this attempt meanwhile.
        const fresh = await this.o.c.deliveries.findOne({ _id: d._id });
        if (fresh?.status !== 'pending' || fresh.attempts !== d.attempts) continue;
        await this.attempt(fresh);
        attempted++;
      } finally {
        await this.o.redis.del(`notify:webhook-lease:${d._id}`);
      }
    }
    return attempted;
  }

  private async attempt(d: DeliveryDoc) {
    const hook = await this.o.c.webhooks.findOne({ _id: d.recipientId });
    const now = this.o.now();
    if (!hook?.active) {
      await this.o.c.deliveries.updateOne({ _id: d._id }, { $set: { status: 'abandoned', updatedAt: now } });
      return;
    }
    const error = await this.post(hook, d);
    const attempts = d.attempts + 1;
    if (!error) {
      await this.o.c.deliveries.updateOne(
        { _id: d._id },
        { $set: { status: 'sent', attempts, updatedAt: now }, $unset: { lastError: '' } },
      );
      if (hook.consecutiveFailures !== 0)
        await this.o.c.webhooks.updateOne({ _id: hook._id }, { $set: { consecutiveFailures: 0 } });
      return;
    }
    this.o.logger.warn({ deliveryId: d._id, webhook: hook._id, attempts, error }, 'webhook delivery failed');
    const failures = hook.consecutiveFailures + 1;
    const exhausted = attempts >= this.o.maxAttempts;
    await this.o.c.deliveries.updateOne(
      { _id: d._id },
      {
        $set: {
          status: exhausted ? 'failed' : 'pending',
          attempts,
          lastError: error,
          updatedAt: now,
          nextAttemptAt: new Date(
            now.getTime() +
              backoffDelay(attempts, {
                baseMs: this.o.backoffBaseMs,
                maxMs: this.o.backoffMaxMs,
                jitter: 'upper',
              }),
          ),
        },
      },
    );
    if (failures >= this.o.disableAfter) {
      await this.o.c.webhooks.updateOne(
        { _id: hook._id },
        { $set: { active: false, consecutiveFailures: failures, disabledAt: now, updatedAt: now } },
      );
      await this.o.c.deliveries.updateMany(
        { recipientId: hook._id, channel: 'webhook', status: 'pending' },
        { $set: { status: 'abandoned', updatedAt: now } },
      );
      this.o.logger.warn({ webhook: hook._id, failures }, 'webhook disabled after consecutive failures');
    } else {
      await this.o.c.webhooks.updateOne({ _id: hook._id }, { $set: { consecutiveFailures: failures } });
    }
  }

  /** undefined on a 2xx answer, else a short reason (never the response body: it is not ours). */
  private async post(hook: WebhookDoc, d: DeliveryDoc): Promise<string | undefined> {
    const body = d.payload ?? '{}';
    const ts = Math.floor(this.o.now().getTime() / 1000);
    try {
      const status = await postToWebhook(hook.url, body, {
        timeoutMs: this.o.timeoutMs,
        allow: this.o.allowPrivate,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'MedVault-Webhooks/1',
          'x-medvault-signature': sign(hook.secret, body, ts),
          'x-medvault-event-id': d.eventId,
          'x-medvault-delivery-id': d._id,
        },
      });
      return status >= 200 && status < 300 ? undefined : `HTTP ${status}`;
    } catch (err) {
      if (err instanceof BlockedTargetError) return 'blocked address';
      return (err as Error).name === 'AbortError' ? 'timeout' : 'connection failed';
    }
  }
}
