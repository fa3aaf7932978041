import type { Envelope } from '@medvault/common/events';
import { newId } from '@medvault/common/ids';
import type { Logger } from '@medvault/common/logger';
import { inboxView } from '../domain/inbox-view.js';
import type {
  DeliveryQueue,
  Inbox,
  LivePublisher,
  Mailer,
  NotificationDoc,
  PreferenceStore,
  UserDirectory,
  WebhookRegistry,
} from '../domain/ports.js';
import { wants } from '../domain/preferences.js';
import { recipientsOf } from '../domain/recipients.js';
import { type Message, messageFor, safeData } from '../domain/templates.js';

export interface NotifierPorts {
  directory: UserDirectory;
  inbox: Inbox;
  preferences: PreferenceStore;
  hub: LivePublisher;
  mailer: Mailer;
  deliveries: DeliveryQueue;
  webhooks: WebhookRegistry;
  baseUrl: string;
  now: () => Date;
}

/**
 * Turns one event into notifications: inbox (+ live stream), email, webhooks. Safe to re-run
 * for the same event: every (event, recipient, channel) is a unique key, so a redelivery only
 * completes what a failed run left undone (e.g. an email whose SMTP send failed).
 */
export class Notifier {
  constructor(private readonly d: NotifierPorts) {}

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
    const key = { eventId: event.id, recipientId };
    if (!(await this.d.deliveries.openEmail(key, this.d.now()))) return;
    const to = await this.d.directory.emailOf(recipientId);
    if (!to) {
      await this.d.deliveries.finishEmail(key, { status: 'skipped', lastError: 'no email address' }, this.d.now());
      return;
    }
    // A failure throws: the event is redelivered and this pending email is retried.
    await this.d.mailer.send({ to, subject: `MedVault: ${msg.title}`, text: msg.body });
    await this.d.deliveries.finishEmail(key, { status: 'sent' }, this.d.now());
  }

  private async toWebhooks(event: Envelope) {
    const hooks = await this.d.webhooks.active();
    const payload = JSON.stringify({
      id: event.id,
      type: event.type,
      occurredAt: event.occurredAt,
      data: safeData(event.data),
    });
    const now = this.d.now();
    for (const h of hooks) {
      if (h.eventTypes && !h.eventTypes.includes(event.type)) continue;
      await this.d.deliveries.enqueueWebhook(event.id, h._id, payload, now);
    }
  }
}
