import type { KeyedLock } from '@medvault/common/clients';
import { AppError } from '@medvault/common/errors';
import type { Envelope, EventData } from '@medvault/common/events';
import type { Collection, Db, Filter } from 'mongodb';
import type { FileStatus } from '../domain/lifecycle.js';

export interface ObjectLocation {
  bucket: string;
  key: string;
}

/** Indexed DICOM header, as file.processed carries it. */
export type DicomIndex = NonNullable<EventData<'file.processed'>['dicom']>;

export interface Derivative extends ObjectLocation {
  kind: string;
  contentType: string;
  /** Plaintext size and digest, measured by the files service when the derivative arrived. */
  size: number;
  sha256?: string;
}

export interface Share {
  userId: string;
  expiresAt: Date | null;
}

/**
 * One file. `ownerId` is the patient the file belongs to (the encryption context binds it, so
 * it never changes); `uploadedBy` is who sent the bytes (a clinician or the patient);
 * `patientId` equals `ownerId` and is kept for the policy's FileFacts and for filtering.
 */
export interface FileRecord {
  _id: string;
  ownerId: string;
  uploadedBy: string;
  patientId: string;
  name: string;
  description?: string;
  size: number;
  contentType: string;
  sha256: string;
  status: FileStatus;
  /** Status before deletion: restore returns to it. */
  previousStatus?: FileStatus;
  /** Bumped by every rescan: verdicts for an older generation are ignored. */
  generation: number;
  /** Version among files with the same owner and name (same name, new bytes: new version). */
  version: number;
  keyId: string;
  /** KMS-wrapped data key (also in the object header); erased by the purge. */
  wrappedKey: string | null;
  headerLength: number;
  location: ObjectLocation;
  derivatives: Derivative[];
  shares: Share[];
  downloads: number;
  createdAt: Date;
  updatedAt: Date;
  deletedAt?: Date | null;
  purgeAfter?: Date | null;
  purgedAt?: Date | null;
  blockedReason?: string;
  /** Indexed DICOM header (issue 17, core/imaging.ts). */
  dicom?: DicomIndex;
  /** The latest verdict applied (admin bulk rescans select files by database version). */
  lastScan?: { verdict: string; engine: string; databaseVersion: string; at: Date };
  /** Transactional outbox: events written in the same single-document update as the change. */
  outbox: Envelope[];
  /** Optimistic-concurrency revision: every update is conditional on it. */
  rev: number;
  /**
   * Unique (index): `contentKey(...)` while the file is live, `retiredKey(_id)` once deleted.
   * This makes "one live record per owner, uploader and bytes" a database guarantee: FerretDB v1
   * has no partial unique indexes, so the key itself changes when a file leaves the live set.
   */
  liveKey: string;
}

/** The duplicate key of a live file (CONTRACT: same bytes, same uploader, same patient). */
export const contentKey = (ownerId: string, uploadedBy: string, sha256: string) =>
  `live:${ownerId}:${uploadedBy}:${sha256}`;
/** A deleted or purged file's key: unique per file, so it never blocks a new upload. */
export const retiredKey = (fileId: string) => `file:${fileId}`;

/** Mongo's (and FerretDB's) duplicate-key error. */
export const isDuplicateKey = (e: unknown) => (e as { code?: number }).code === 11000;

export type FileUpdate = Partial<Omit<FileRecord, '_id' | 'outbox' | 'rev'>>;

export class FilesRepo {
  readonly col: Collection<FileRecord>;
  constructor(
    db: Db,
    /** Serialises writes per file: see KeyedLock for why the database alone cannot. */
    private readonly lock: KeyedLock,
  ) {
    this.col = db.collection<FileRecord>('files');
  }

  async ensureIndexes(): Promise<void> {
    await this.backfillLiveKeys();
    await this.col.createIndex({ ownerId: 1, sha256: 1 });
    await this.col.createIndex({ status: 1, purgeAfter: 1 });
    // The two race-free guarantees of an upload: one live record per content key, and one
    // record per (owner, name, version). Racing inserts lose with E11000 instead of both landing.
    await this.col.createIndex({ liveKey: 1 }, { unique: true, name: 'live_content_unique' });
    await this.col.createIndex({ ownerId: 1, name: 1, version: 1 }, { unique: true, name: 'name_version_unique' });
  }

  /** Records written before `liveKey` existed get one (a second live copy of the same bytes is retired). */
  private async backfillLiveKeys(): Promise<void> {
    const old = this.col.find({ liveKey: { $exists: false } }, { projection: { outbox: 0 } });
    for await (const f of old) {
      const live = f.status !== 'deleted' && f.status !== 'purged';
      const key = live ? contentKey(f.ownerId, f.uploadedBy, f.sha256) : retiredKey(f._id);
      const taken = live && (await this.col.countDocuments({ liveKey: key }, { limit: 1 })) > 0;
      await this.col.updateOne({ _id: f._id }, { $set: { liveKey: taken ? retiredKey(f._id) : key } });
    }
  }

  get(id: string): Promise<FileRecord | null> {
    return this.col.findOne({ _id: id });
  }

  async mustGet(id: string): Promise<FileRecord> {
    const f = await this.get(id);
    if (!f || f.status === 'purged') throw new AppError('NOT_FOUND', 'File not found');
    return f;
  }

  /**
   * Inserts the record and its first outbox event in one write: both exist or neither. Throws
   * E11000 (`isDuplicateKey`) when a live record with the same content key, or the same
   * (owner, name, version), exists already.
   */
  async insert(rec: Omit<FileRecord, 'rev' | 'outbox'>, events: Envelope[]): Promise<void> {
    await this.col.insertOne({ ...rec, outbox: events, rev: 1 });
  }

  /** A live (not deleted/purged) file of this owner and uploader with these bytes. */
  findDuplicate(ownerId: string, uploadedBy: string, sha256: string): Promise<FileRecord | null> {
    return this.col.findOne({ liveKey: contentKey(ownerId, uploadedBy, sha256) });
  }

  async nextVersion(ownerId: string, name: string): Promise<number> {
    const latest = await this.col.find({ ownerId, name }).sort({ version: -1 }).limit(1).toArray();
    return (latest[0]?.version ?? 0) + 1;
  }

  /**
   * Compare-and-set on `rev` (FerretDB has no transactions): applies `set`, appends `events`
   * to the outbox, and returns the new record, or null when someone else changed it first.
   */
  async update(
    f: FileRecord,
    set: FileUpdate,
    events: Envelope[] = [],
    inc: Partial<Record<'downloads', number>> = {},
  ): Promise<FileRecord | null> {
    const update: Record<string, unknown> = {
      $set: { ...set, updatedAt: set.updatedAt ?? new Date() },
      $inc: { rev: 1, ...inc },
    };
    if (events.length) update.$push = { outbox: { $each: events } };
    return this.lock.with(f._id, () =>
      this.col.findOneAndUpdate({ _id: f._id, rev: f.rev }, update, { returnDocument: 'after' }),
    );
  }

  /** Retries a read-modify-write on conflicts (a concurrent handler or request won the race). */
  async mutate(
    id: string,
    fn: (
      f: FileRecord,
    ) => Promise<{ set: FileUpdate; events?: Envelope[] } | null> | { set: FileUpdate; events?: Envelope[] } | null,
  ): Promise<FileRecord | null> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const f = await this.mustGet(id);
      const change = await fn(f);
      if (!change) return f;
      const next = await this.update(f, change.set, change.events ?? []);
      if (next) return next;
    }
    throw new AppError('CONFLICT', 'File is being changed concurrently, retry', { retryable: true });
  }

  /** Appends events (and bumps counters) without touching status fields: no revision check needed. */
  async append(id: string, events: Envelope[], inc: Partial<Record<'downloads', number>> = {}): Promise<void> {
    await this.lock.with(id, () =>
      this.col.updateOne(
        { _id: id },
        { $push: { outbox: { $each: events } }, ...(Object.keys(inc).length ? { $inc: inc } : {}) },
      ),
    );
  }

  list(filter: Filter<FileRecord>, limit: number): Promise<FileRecord[]> {
    return this.col
      .find(filter, { projection: { outbox: 0 } })
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
  }

  withPendingEvents(limit: number): Promise<FileRecord[]> {
    return this.col
      .find({ 'outbox.0': { $exists: true } }, { projection: { outbox: 1 } })
      .limit(limit)
      .toArray();
  }

  /** Removes exactly these (already published) envelopes; events appended meanwhile stay. */
  async markSent(id: string, events: Envelope[]): Promise<void> {
    await this.lock.with(id, () => this.col.updateOne({ _id: id }, { $pullAll: { outbox: events } }));
  }

  dueForPurge(now: Date, limit: number): Promise<FileRecord[]> {
    return this.col
      .find({ status: 'deleted', purgeAfter: { $lte: now } }, { projection: { outbox: 0 } })
      .limit(limit)
      .toArray();
  }
}
