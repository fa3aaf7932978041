import type { Collection, Db } from 'mongodb';
import type { ConversationStore } from '../domain/ports.js';
import type { Conversation, Participant } from '../domain/types.js';

interface ConversationDoc {
  _id: string;
  participants: Participant[];
  patientId?: string;
  createdBy: string;
  createdAt: Date;
  lastMessageAt: Date;
  wrappedKey: string;
  keyId: string;
  subject?: string;
  readUpTo: Record<string, string>;
}

const toDomain = (d: ConversationDoc): Conversation => ({
  id: d._id,
  participants: d.participants,
  ...(d.patientId ? { patientId: d.patientId } : {}),
  createdBy: d.createdBy,
  createdAt: d.createdAt,
  lastMessageAt: d.lastMessageAt,
  wrappedKey: Buffer.from(d.wrappedKey, 'base64'),
  keyId: d.keyId,
  ...(d.subject ? { subject: Buffer.from(d.subject, 'base64') } : {}),
  readUpTo: d.readUpTo ?? {},
});

export class MongoConversations implements ConversationStore {
  readonly col: Collection<ConversationDoc>;
  constructor(db: Db) {
    this.col = db.collection<ConversationDoc>('conversations');
  }

  async ensureIndexes(): Promise<void> {
    await this.col.createIndex({ 'participants.userId': 1, _id: -1 });
  }

  async insert(c: Conversation): Promise<void> {
    await this.col.insertOne({
      _id: c.id,
      participants: c.participants,
      ...(c.patientId ? { patientId: c.patientId } : {}),
      createdBy: c.createdBy,
      createdAt: c.createdAt,
      lastMessageAt: c.lastMessageAt,
      wrappedKey: c.wrappedKey.toString('base64'),
      keyId: c.keyId,
      ...(c.subject ? { subject: c.subject.toString('base64') } : {}),
      readUpTo: {},
    });
  }

  async get(id: string): Promise<Conversation | null> {
    const d = await this.col.findOne({ _id: id });
    return d ? toDomain(d) : null;
  }

  async listFor(userId: string, limit: number, before?: string): Promise<Conversation[]> {
    const docs = await this.col
      .find({ 'participants.userId': userId, ...(before ? { _id: { $lt: before } } : {}) })
      .sort({ _id: -1 })
      .limit(limit)
      .toArray();
    return docs.map(toDomain);
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.col.updateOne({ _id: id }, { $set: { lastMessageAt: at } });
  }

  async markRead(id: string, userId: string, upTo: string): Promise<void> {
    const field = `readUpTo.${userId}`;
    await this.col.updateOne(
      { _id: id, $or: [{ [field]: { $exists: false } }, { [field]: { $lt: upTo } }] },
      { $set: { [field]: upTo } },
    );
  }
}
