import type { Collection, Db } from 'mongodb';
import type { MessageStore } from '../domain/ports.js';
import type { Message } from '../domain/types.js';

interface MessageDoc {
  _id: string;
  conversationId: string;
  senderId: string;
  /** Sealed text (base64 of iv | tag | ciphertext): the database never holds the plain text. */
  body?: string;
  attachmentFileIds: string[];
  sentAt: Date;
  editedAt?: Date;
  deletedAt?: Date;
  flagged: boolean;
}

const toDomain = (d: MessageDoc): Message => ({
  id: d._id,
  conversationId: d.conversationId,
  senderId: d.senderId,
  ...(d.body ? { body: Buffer.from(d.body, 'base64') } : {}),
  attachmentFileIds: d.attachmentFileIds ?? [],
  sentAt: d.sentAt,
  ...(d.editedAt ? { editedAt: d.editedAt } : {}),
  ...(d.deletedAt ? { deletedAt: d.deletedAt } : {}),
  flagged: d.flagged === true,
});

export class MongoMessages implements MessageStore {
  readonly col: Collection<MessageDoc>;
  constructor(db: Db) {
    this.col = db.collection<MessageDoc>('messages');
  }

  async ensureIndexes(): Promise<void> {
    await this.col.createIndex({ conversationId: 1, _id: -1 });
    await this.col.createIndex({ sentAt: 1 });
  }

  async insert(m: Message): Promise<void> {
    await this.col.insertOne({
      _id: m.id,
      conversationId: m.conversationId,
      senderId: m.senderId,
      ...(m.body ? { body: m.body.toString('base64') } : {}),
      attachmentFileIds: m.attachmentFileIds,
      sentAt: m.sentAt,
      flagged: m.flagged,
    });
  }

  async get(conversationId: string, id: string): Promise<Message | null> {
    const d = await this.col.findOne({ _id: id, conversationId });
    return d ? toDomain(d) : null;
  }

  async page(conversationId: string, limit: number, before?: string): Promise<Message[]> {
    const docs = await this.col
      .find({ conversationId, ...(before ? { _id: { $lt: before } } : {}) })
      .sort({ _id: -1 })
      .limit(limit)
      .toArray();
    return docs.map(toDomain);
  }

  async since(conversationIds: string[], after: string, limit: number): Promise<Message[]> {
    const docs = await this.col
      .find({ conversationId: { $in: conversationIds }, _id: { $gt: after } })
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
    return docs.map(toDomain);
  }

  async update(id: string, set: Partial<Pick<Message, 'body' | 'editedAt' | 'deletedAt'>>, unset?: 'body') {
    const $set: Partial<MessageDoc> = {};
    if (set.body) $set.body = set.body.toString('base64');
    if (set.editedAt) $set.editedAt = set.editedAt;
    if (set.deletedAt) $set.deletedAt = set.deletedAt;
    await this.col.updateOne({ _id: id }, { $set, ...(unset ? { $unset: { body: '' as const } } : {}) });
  }

  unread(conversationId: string, userId: string, after?: string): Promise<number> {
    return this.col.countDocuments({
      conversationId,
      senderId: { $ne: userId },
      deletedAt: { $exists: false },
      ...(after ? { _id: { $gt: after } } : {}),
    });
  }

  async purgeBefore(cutoff: Date): Promise<number> {
    const r = await this.col.deleteMany({ sentAt: { $lt: cutoff } });
    return r.deletedCount;
  }
}
