import type { Envelope } from '@medvault/common/events';
import { newId } from '@medvault/common/ids';
import type { Logger } from '@medvault/common/logger';
import type { Mailer } from './channels/email.js';
import type { LiveHub } from './channels/live.js';
import { wants } from './domain/preferences.js';
import { recipientsOf } from './domain/recipients.js';
import { type Message, messageFor, safeData } from './domain/templates.js';
import {
  type Collections,
  type DeliveryDoc,
  isDuplicate,
  type MongoDirectory,
  type MongoInbox,
  type MongoPreferences,
  type NotificationDoc,
} from './store/mongo.js';

export interface NotifierDeps {
  c: Collections;
  directory: MongoDirectory;
  inbox: MongoInbox;
  preferences: MongoPreferences;
  hub: LiveHub;
  mailer: Mailer;
  baseUrl: string;
  now: () => Date;
}

export const inboxView = (n: NotificationDoc) => ({
  id: n._id,
  type: n.type,
  title: n.title,
  body: n.body,
  refs: n.refs,
  link: n.link,
  createdAt: n.createdAt.toISOString(),
  readAt: n.readAt ? n.readAt.toISOString() : null,
});

/**
 * Turns one event into notifications: inbox (+ live stream), email, webhooks. Safe to re-run
 * for the same event: every (event, recipient, channel) is a unique key, so a redelivery only
 * completes what a failed run left undone (e.g. an email whose SMTP send failed).
 */
export class Notifier {
  constructor(private readonly d: NotifierDeps) {}

  async handle(event: Envelope, log: Logger): Promise<void> {
    const msg = messageFor(event, this.d.baseUrl);
    const recipients = await recipientsOf(event, this.d.directory);
    const prefs = new Map(
      await Promise.all(recipients.map(async (id) => [id, await this.d.preferences.get(id)] as const)),
    );
    // Channels are independent: every inbox entry lands first, so an SMTP outage never keeps a
    // notification from the inbox and the live stream.
    for (const userId of recipients) {
      if (wants(prefs.get(userId)!, event.type, 'inbox')) await this.toInbox(event, userId, msg, log);
    }
    await this.toWebhooks(event);
    const failed: unknown[] = [];
    for (const userId of recipients) {
      if (!wants(prefs.get(userId)!, event.type, 'email')) continue;
      await this.toEmail(event, userId, msg).catch((err: unknown) => failed.push(err));
    }
    log.info({ recipients: recipients.length, emailFailures: failed.length }, 'notifications created');
    // Redelivery retries only what is still pending (inbox and sent emails are unique keys).
    if (failed.length) throw failed[0];
  }

  private async toInbox(event: Envelope, recipientId: string, msg: Message, log: Logger) {
    const doc: NotificationDoc = {
      _id: newId('notification'),
      eventId: event.id,
      recipientId,
      channel: 'inbox',
      type: event.type,
      title: msg.title,
      body: msg.body,
      refs: msg.refs,
      link: msg.link,
      createdAt: this.d.now(),
      readAt: null,
    };
    if (!(await this.d.inbox.add(doc))) return;
    // Best effort: a stream that misses it catches up with Last-Event-ID (the inbox is the truth).
    await this.d.hub
      .publish({ ...inboxView(doc), recipientId })
      .catch((err) => log.warn({ err }, 'live publish failed'));
  }

  private async toEmail(event: Envelope, recipientId: string, msg: Message) {
    const now = this.d.now();
    const key = { eventId: event.id, recipientId, channel: 'email' as const };
    let existing: DeliveryDoc | null = null;
    try {
      await this.d.c.deliveries.insertOne({
        _id: newId('notification'),
        ...key,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      });
    } catch (err) {
      if (!isDuplicate(err)) throw err;
      existing = await this.d.c.deliveries.findOne(key);
      if (existing && existing.status !== 'pending') return;
    }
    const to = await this.d.directory.emailOf(recipientId);
    if (!to) {
      await this.d.c.deliveries.updateOne(key, {
        $set: { status: 'skipped', lastError: 'no email address', updatedAt: now },
      });
      return;
    }
    // A failure throws: the event is redelivered and this pending email is retried.
    await this.d.mailer.send({ to, subject: `MedVault: ${msg.title}`, text: msg.body });
    await this.d.c.deliveries.updateOne(key, {
      $set: { status: 'sent', updatedAt: this.d.now() },
      $inc: { attempts: 1 },
    });
  }

  private async toWebhooks(event: Envelope) {
    const hooks = await this.d.c.webhooks.find({ active: true }).toArray();
    const payload = JSON.stringify({
      id: event.id,
      type: event.type,
      occurredAt: event.occurredAt,
      data: safeData(event.data),
    });
    const now = this.d.now();
    for (const h of hooks) {
      if (h.eventTypes && !h.eventTypes.includes(event.type)) continue;
      try {
        await this.d.c.deliveries.insertOne({
          _id: newId('notification'),
          eventId: event.id,
          recipientId: h._id,
          channel: 'webhook',
          status: 'pending',
          attempts: 0,
          nextAttemptAt: now,
          payload,
          createdAt: now,
          updatedAt: now,
        });
      } catch (err) {
        if (!isDuplicate(err)) throw err;
      }
    }
  }
}
