import type { Preferences } from './preferences.js';
import type { Directory } from './recipients.js';

/** Port: sends one plain-text email (adapters/smtp-mailer.ts). */
export interface Mailer {
  send(m: { to: string; subject: string; text: string }): Promise<void>;
}

/** One inbox entry (PHI-free: titles and ids only). */
export interface NotificationDoc {
  _id: string;
  eventId: string;
  recipientId: string;
  channel: 'inbox';
  type: string;
  title: string;
  body: string;
  refs: Record<string, string>;
  link: string;
  createdAt: Date;
  readAt: Date | null;
}
/** The user projection as the notifier needs it. */
export interface UserDirectory extends Directory {
  emailOf(userId: string): Promise<string | undefined>;
}

export interface Inbox {
  /** False when this (event, recipient) entry exists already. */
  add(doc: NotificationDoc): Promise<boolean>;
}

export interface PreferenceStore {
  get(userId: string): Promise<Preferences>;
}

/** A notification on the live channel (fan-out to every instance's open streams). */
export interface LiveNotification {
  id: string;
  recipientId: string;
  [k: string]: unknown;
}

export interface LivePublisher {
  publish(n: LiveNotification): Promise<void>;
}

export interface EmailKey {
  eventId: string;
  recipientId: string;
}

/** Email and webhook deliveries, unique per (event, recipient, channel). */
export interface DeliveryQueue {
  /** Records a pending email; false when this email was already sent or skipped. */
  openEmail(key: EmailKey, now: Date): Promise<boolean>;
  finishEmail(key: EmailKey, outcome: { status: 'sent' | 'skipped'; lastError?: string }, now: Date): Promise<void>;
  /** Queues one webhook call (the delivery job sends it); a second enqueue of the same one is a no-op. */
  enqueueWebhook(eventId: string, webhookId: string, payload: string, now: Date): Promise<void>;
}

export interface WebhookRegistry {
  active(): Promise<{ _id: string; eventTypes: string[] | null }[]>;
}
