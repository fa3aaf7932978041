import type { Role } from '@medvault/common/auth';
import { newId } from '@medvault/common/ids';
import type { Db, Filter } from 'mongodb';
import type {
  DeliveryQueue,
  EmailKey,
  Inbox,
  NotificationDoc,
  PreferenceStore,
  UserDirectory,
  WebhookRegistry,
} from '../domain/ports.js';
import { DEFAULT_PREFERENCES, type Preferences } from '../domain/preferences.js';

export interface UserDoc {
  _id: string;
  role?: Role;
  email?: string;
  active?: boolean;
  updatedAt: Date;
}
export type { NotificationDoc };

export interface DeliveryDoc {
  _id: string;
  eventId: string;
  /** A user id (email) or a webhook id (webhook). */
  recipientId: string;
  channel: 'email' | 'webhook';
  status: 'pending' | 'sent' | 'failed' | 'abandoned' | 'skipped';
  attempts: number;
  nextAttemptAt: Date;
  /** Webhook body exactly as signed and sent (ids only). */
  payload?: string;
  lastError?: string;
  createdAt: Date;
  updatedAt: Date;
}
export interface PreferencesDoc extends Preferences {
  _id: string;
  updatedAt: Date;
}
export interface WebhookDoc {
  /** The organisation id: one webhook per organisation. */
  _id: string;
  url: string;
  secret: string;
  eventTypes: string[] | null;
  active: boolean;
  consecutiveFailures: number;
  createdAt: Date;
  updatedAt: Date;
  disabledAt?: Date;
}

export function collections(db: Db) {
  return {
    users: db.collection<UserDoc>('users'),
    notifications: db.collection<NotificationDoc>('notifications'),
    deliveries: db.collection<DeliveryDoc>('deliveries'),
    preferences: db.collection<PreferencesDoc>('preferences'),
    webhooks: db.collection<WebhookDoc>('webhooks'),
  };
}
export type Collections = ReturnType<typeof collections>;

/** The unique (eventId, recipientId, channel) indexes are what makes redelivery harmless. */
export async function ensureIndexes(c: Collections): Promise<void> {
  await c.notifications.createIndex(
    { eventId: 1, recipientId: 1, channel: 1 },
    { unique: true, name: 'one_per_event_recipient_channel' },
  );
  await c.notifications.createIndex({ recipientId: 1, _id: 1 });
  await c.deliveries.createIndex(
    { eventId: 1, recipientId: 1, channel: 1 },
    { unique: true, name: 'one_per_event_recipient_channel' },
  );
  await c.deliveries.createIndex({ channel: 1, status: 1, nextAttemptAt: 1 });
  await c.users.createIndex({ role: 1 });
}

export const isDuplicate = (err: unknown) => (err as { code?: number }).code === 11000;

export class MongoDirectory implements UserDirectory {
  constructor(private readonly c: Collections['users']) {}

  async idsWithRole(role: Role) {
    const docs = await this.c.find({ role, active: { $ne: false } }, { projection: { _id: 1 } }).toArray();
    return docs.map((d) => d._id);
  }

  async isInactive(userId: string) {
    return (await this.c.findOne({ _id: userId }))?.active === false;
  }

  async emailOf(userId: string): Promise<string | undefined> {
    const doc = await this.c.findOne({ _id: userId });
    return doc?.active === false ? undefined : doc?.email;
  }

  /** Projection upsert: only what the event carries (user.updated may omit fields). */
  async upsert(userId: string, f: { role?: Role; email?: string; active?: boolean }) {
    const set: Partial<UserDoc> = { updatedAt: new Date() };
    if (f.role) set.role = f.role;
    if (f.email) set.email = f.email;
    if (f.active !== undefined) set.active = f.active;
    try {
      await this.c.updateOne({ _id: userId }, { $set: set }, { upsert: true });
    } catch (err) {
      // Two events of one user handled at once (same batch) both tried to insert: the document
      // exists now, so the update applies. FerretDB upserts are not atomic.
      if ((err as { code?: number }).code !== 11000) throw err;
      await this.c.updateOne({ _id: userId }, { $set: set });
    }
  }
}

export class MongoPreferences implements PreferenceStore {
  constructor(private readonly c: Collections['preferences']) {}

  async get(userId: string): Promise<Preferences> {
    const doc = await this.c.findOne({ _id: userId });
    return doc
      ? { channels: { ...DEFAULT_PREFERENCES.channels, ...doc.channels }, overrides: doc.overrides ?? [] }
      : DEFAULT_PREFERENCES;
  }

  async put(userId: string, p: Preferences): Promise<void> {
    await this.c.updateOne({ _id: userId }, { $set: { ...p, updatedAt: new Date() } }, { upsert: true });
  }
}

export class MongoInbox implements Inbox {
  constructor(private readonly c: Collections['notifications']) {}

  /** False when this (event, recipient) already has its inbox entry. */
  async add(doc: NotificationDoc): Promise<boolean> {
    try {
      await this.c.insertOne(doc);
      return true;
    } catch (err) {
      if (isDuplicate(err)) return false;
      throw err;
    }
  }

  /** Newest first; `before` is the last id of the previous page. */
  async page(recipientId: string, limit: number, before?: string, unreadOnly = false) {
    const f: Filter<NotificationDoc> = { recipientId };
    if (before) f._id = { $lt: before };
    if (unreadOnly) f.readAt = null;
    return this.c.find(f).sort({ _id: -1 }).limit(limit).toArray();
  }

  /** Oldest first, strictly after `afterId`: the replay of a resumed stream (ULIDs sort by time). */
  async since(recipientId: string, afterId: string, limit: number) {
    return this.c
      .find({ recipientId, _id: { $gt: afterId } })
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
  }

  async markRead(recipientId: string, id: string, at: Date) {
    const doc = await this.c.findOne({ _id: id, recipientId });
    if (!doc) return undefined;
    if (!doc.readAt) await this.c.updateOne({ _id: id, recipientId }, { $set: { readAt: at } });
    return { ...doc, readAt: doc.readAt ?? at };
  }
}

/**
 * Email and webhook deliveries: one document per (event, recipient, channel), unique, so a
 * redelivered event only completes what a failed run left undone.
 */
/**
 * An email delivery's id is its unique key, so finishing one is a write by `_id`. FerretDB v1
 * answers any other filter by reading the whole collection (35 ms per email with 120 deliveries
 * in the pipeline benchmark, growing with every one sent); on MongoDB it spares an index look-up.
 */
export const emailDeliveryId = (key: EmailKey) => `email:${key.eventId}:${key.recipientId}`;

export class MongoDeliveries implements DeliveryQueue {
  constructor(private readonly c: Collections['deliveries']) {}

  async openEmail(key: EmailKey, now: Date): Promise<boolean> {
    try {
      await this.c.insertOne({
        _id: emailDeliveryId(key),
        ...key,
        channel: 'email',
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      });
      return true;
    } catch (err) {
      if (!isDuplicate(err)) throw err;
      const existing =
        (await this.c.findOne({ _id: emailDeliveryId(key) })) ?? (await this.c.findOne({ ...key, channel: 'email' }));
      return !existing || existing.status === 'pending';
    }
  }

  async finishEmail(key: EmailKey, outcome: { status: 'sent' | 'skipped'; lastError?: string }, now: Date) {
    const update = {
      $set: {
        status: outcome.status,
        updatedAt: now,
        ...(outcome.lastError ? { lastError: outcome.lastError } : {}),
      },
      ...(outcome.status === 'sent' ? { $inc: { attempts: 1 } } : {}),
    };
    const byId = await this.c.updateOne({ _id: emailDeliveryId(key) }, update);
    // Opened before deliveries were keyed by id (random ids): found by the unique key instead.
    if (byId.matchedCount === 0) await this.c.updateOne({ ...key, channel: 'email' }, update);
  }

  async enqueueWebhook(eventId: string, webhookId: string, payload: string, now: Date): Promise<void> {
    try {
      await this.c.insertOne({
        _id: newId('notification'),
        eventId,
        recipientId: webhookId,
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

export class MongoWebhooks implements WebhookRegistry {
  constructor(private readonly c: Collections['webhooks']) {}

  active(): Promise<{ _id: string; eventTypes: string[] | null }[]> {
    return this.c.find({ active: true }, { projection: { _id: 1, eventTypes: 1 } }).toArray();
  }
}
