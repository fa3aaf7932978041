import { AppError } from '@medvault/common/errors';
import type { Envelope } from '@medvault/common/events';
import { atomicWrites, type WriteGuard } from '@medvault/common/mongo';
import { compareAndSet, LOST_RACE } from '@medvault/common/retry';
import type { Collection, Db, Filter, UpdateFilter } from 'mongodb';
import { contentKey, type FileRecord, type FileUpdate, isDuplicateKey, retiredKey } from '../domain/file.js';
import type { Counters, DicomQuery, FileChange, FileListQuery, FileRepository } from '../domain/ports.js';
import { KeyedLookups } from './keyed-lookups.js';

/**
 * The outbox's bookkeeping on a file document. `outboxPending` is set by every write that adds
 * events (in that same write) and removed once the outbox is empty: the relay finds work through
 * its index instead of scanning every file. `outboxLease` is the claim of one relay instance.
 */
type FileDoc = FileRecord & { outboxPending?: true; outboxLease?: Date };

/** A claimed document's unpublished events, in write order. */
export interface PendingOutbox {
  _id: string;
  outbox: Envelope[];
}

export class FilesRepo implements FileRepository {
  readonly col: Collection<FileDoc>;
  /** Called after every write that added events, with the file's id (the relay's kick): no caller has to remember it. */
  onEvents: (id: string) => void = () => undefined;
  /** FerretDB only: the look-ups its missing index use would answer with a scan (keyed-lookups.ts). */
  private readonly keyed: KeyedLookups | null;
  constructor(
    db: Db,
    /** Serialises the writes to one file: nothing on MongoDB, the Redis lock on FerretDB. */
    private readonly guard: WriteGuard,
  ) {
    this.col = db.collection<FileDoc>('files');
    this.keyed = guard.name === atomicWrites.name ? null : new KeyedLookups(db, db.collection<FileRecord>('files'));
  }

  /**
   * A conditional write to one file, run inside `guard.with(id)`. On MongoDB the condition goes
   * into the write's filter (atomic, indexed). FerretDB WORKAROUND: v1 uses the primary key only
   * for a filter that is `_id` alone and reads every file document for any other (measured: 650 ms
   * for `{_id, 'outbox.0': …}` against 10 ms for `{_id}` with ~450 files), so there the document is
   * read by `_id`, the condition checked here and the write filtered by `_id` alone: safe because
   * the guard's lock serialises every write to this file on FerretDB.
   */
  private async writeIf(
    id: string,
    filter: Filter<FileDoc>,
    holds: (doc: FileDoc) => boolean,
    update: UpdateFilter<FileDoc>,
  ): Promise<FileDoc | null> {
    if (this.guard.name === atomicWrites.name)
      return this.col.findOneAndUpdate({ _id: id, ...filter }, update, { returnDocument: 'after' });
    const doc = await this.col.findOne({ _id: id });
    if (!doc || !holds(doc)) return null;
    return this.col.findOneAndUpdate({ _id: id }, update, { returnDocument: 'after' });
  }

  async ensureIndexes(): Promise<void> {
    await this.backfillLiveKeys();
    await this.col.createIndex({ ownerId: 1, sha256: 1 });
    await this.col.createIndex({ status: 1, purgeAfter: 1 });
    // The two race-free guarantees of an upload: one live record per content key, and one
    // record per (owner, name, version). Racing inserts lose with E11000 instead of both landing.
    await this.col.createIndex({ liveKey: 1 }, { unique: true, name: 'live_content_unique' });
    await this.col.createIndex({ ownerId: 1, name: 1, version: 1 }, { unique: true, name: 'name_version_unique' });
    await this.col.createIndex({ outboxPending: 1 }, { name: 'outbox_pending' });
    // Records written before the marker existed: mark those with events still to publish (once).
    await this.col.updateMany(
      { 'outbox.0': { $exists: true }, outboxPending: { $exists: false } },
      { $set: { outboxPending: true } },
    );
    await this.keyed?.backfill();
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
    try {
      await this.col.insertOne({ ...rec, outbox: events, rev: 1, ...(events.length ? { outboxPending: true } : {}) });
    } catch (e) {
      // A hint let us try what a unique index refused: rebuild it before the caller retries.
      if (this.keyed && isDuplicateKey(e)) await this.keyed.repair(rec);
      throw e;
    }
    if (events.length) this.onEvents(rec._id);
    // The record is in; a hint that fails to land is rebuilt by the next insert it misleads.
    await this.keyed?.recorded(rec).catch(() => undefined);
  }

  /** A live (not deleted/purged) file of this owner and uploader with these bytes. */
  findDuplicate(ownerId: string, uploadedBy: string, sha256: string): Promise<FileRecord | null> {
    if (this.keyed) return this.keyed.findLive(ownerId, uploadedBy, sha256);
    return this.col.findOne({ liveKey: contentKey(ownerId, uploadedBy, sha256) });
  }

  async nextVersion(ownerId: string, name: string): Promise<number> {
    if (this.keyed) return this.keyed.nextVersion(ownerId, name);
    const latest = await this.col.find({ ownerId, name }).sort({ version: -1 }).limit(1).toArray();
    return (latest[0]?.version ?? 0) + 1;
  }

  /**
   * Compare-and-set on `rev`: applies `set`, appends `events` to the outbox (and marks it
   * pending) in the same single-document write, and returns the new record, or null when
   * someone else changed it first.
   */
  async update(
    f: FileRecord,
    set: FileUpdate,
    events: Envelope[] = [],
    inc: Counters = {},
  ): Promise<FileRecord | null> {
    const update: Record<string, unknown> = {
      $set: { ...set, updatedAt: set.updatedAt ?? new Date(), ...(events.length ? { outboxPending: true } : {}) },
      $inc: { rev: 1, ...inc },
    };
    if (events.length) update.$push = { outbox: { $each: events } };
    if (set.status === 'deleted') await this.keyed?.trashed(f._id);
    const next = await this.guard.with(f._id, () =>
      this.writeIf(f._id, { rev: f.rev }, (d) => d.rev === f.rev, update),
    );
    if (next && events.length) this.onEvents(f._id);
    if (next && set.liveKey && set.status !== 'deleted')
      await this.keyed?.live(f._id, set.liveKey).catch(() => undefined);
    return next;
  }

  /** Retries a read-modify-write on conflicts (a concurrent handler or request won the race). */
  mutate(id: string, fn: (f: FileRecord) => Promise<FileChange> | FileChange): Promise<FileRecord | null> {
    return compareAndSet(
      async () => {
        const f = await this.mustGet(id);
        const change = await fn(f);
        if (!change) return f;
        return (await this.update(f, change.set, change.events ?? [])) ?? LOST_RACE;
      },
      {
        attempts: 5,
        exhausted: () => {
          throw new AppError('CONFLICT', 'File is being changed concurrently, retry', { retryable: true });
        },
      },
    );
  }

  /** Appends events (and bumps counters) without touching status fields: no revision check needed. */
  async append(id: string, events: Envelope[], inc: Counters = {}): Promise<void> {
    await this.guard.with(id, () =>
      this.col.updateOne(
        { _id: id },
        {
          $push: { outbox: { $each: events } },
          $set: { outboxPending: true },
          ...(Object.keys(inc).length ? { $inc: inc } : {}),
        },
      ),
    );
    this.onEvents(id);
  }

  list(q: FileListQuery): Promise<FileRecord[]> {
    const and: Filter<FileDoc>[] = [visibilityFilter(q.visibility)];
    and.push(q.status ? { status: q.status } : { status: { $nin: ['deleted', 'purged'] } });
    if (q.patientId) and.push({ patientId: q.patientId });
    if (q.contentType) and.push({ contentType: q.contentType });
    if (q.dicom) and.push(...dicomFilters(q.dicom));
    if (q.after) and.push({ _id: { $gt: q.after } });
    return this.page({ $and: and }, q.limit);
  }

  rescannable(after: string, limit: number): Promise<FileRecord[]> {
    return this.page({ _id: { $gt: after }, status: { $in: ['clean', 'available', 'scan_failed', 'blocked'] } }, limit);
  }

  private page(filter: Filter<FileDoc>, limit: number): Promise<FileRecord[]> {
    return this.col
      .find(filter, { projection: { outbox: 0 } })
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
  }

  dueForPurge(now: Date, limit: number): Promise<FileRecord[]> {
    if (this.keyed) return this.keyed.dueForPurge(now, limit);
    return this.col
      .find({ status: 'deleted', purgeAfter: { $lte: now } }, { projection: { outbox: 0 } })
      .limit(limit)
      .toArray();
  }

  // --- outbox relay side -------------------------------------------------------------------

  /**
   * Claims up to `limit` documents with pending events that no other relay holds (or whose
   * holder's lease ran out), for `leaseMs`. Candidates come from the `outbox_pending` index; each
   * claim is a conditional update, so two instances never both hold one document.
   */
  async claimPending(limit: number, leaseMs: number, now = new Date()): Promise<PendingOutbox[]> {
    const free = { $or: [{ outboxLease: { $exists: false } }, { outboxLease: { $lte: now } }] };
    const candidates = await this.col
      .find({ outboxPending: true, ...free }, { projection: { _id: 1 } })
      .limit(limit)
      .toArray();
    return this.claimIds(
      candidates.map((c) => c._id),
      leaseMs,
      now,
    );
  }

  /**
   * Claims these documents if they have pending events no other relay holds: point writes by _id,
   * no search. The relay's kicks name the files a write just gave events, so the common case
   * never runs the pending search above, which FerretDB v1 (no secondary index use) answers by
   * reading every file: measured 67 ms per search over 223 files, the largest share of the
   * database's CPU per uploaded file (bench/results/perf-notes.md).
   */
  async claimIds(ids: string[], leaseMs: number, now = new Date()): Promise<PendingOutbox[]> {
    const free = { $or: [{ outboxLease: { $exists: false } }, { outboxLease: { $lte: now } }] };
    const claimed: PendingOutbox[] = [];
    for (const _id of ids) {
      const isFree = (d: FileDoc) => d.outboxPending === true && (!d.outboxLease || d.outboxLease <= now);
      const doc = await this.guard.with(_id, () =>
        this.writeIf(_id, { outboxPending: true, ...free }, isFree, {
          $set: { outboxLease: new Date(now.getTime() + leaseMs) },
        }),
      );
      if (doc?.outbox?.length) claimed.push({ _id: doc._id, outbox: doc.outbox });
      else if (doc) await this.release(_id, []);
    }
    return claimed;
  }

  /**
   * Removes exactly these (published) envelopes and gives the claim up; the pending marker goes
   * only if nothing was appended meanwhile (checked in the same conditional write).
   */
  async release(id: string, sent: Envelope[]): Promise<void> {
    await this.guard.with(id, async () => {
      if (sent.length) await this.col.updateOne({ _id: id }, { $pullAll: { outbox: sent } });
      const done = await this.writeIf(id, { 'outbox.0': { $exists: false } }, (d) => (d.outbox?.length ?? 0) === 0, {
        $unset: { outboxPending: '', outboxLease: '' },
      });
      if (!done) await this.col.updateOne({ _id: id }, { $unset: { outboxLease: '' } });
    });
  }
}

function visibilityFilter(v: FileListQuery['visibility']): Filter<FileDoc> {
  if (v.kind === 'all') return {};
  if (v.kind === 'owner') return { ownerId: v.ownerId };
  return {
    $or: [
      { uploadedBy: v.userId },
      { 'shares.userId': v.userId },
      ...(v.patients.length ? [{ ownerId: { $in: v.patients } }] : []),
    ],
  };
}

/** Filters over the indexed DICOM header (ISO dates compare as strings). */
function dicomFilters(q: DicomQuery): Filter<FileDoc>[] {
  const out: Filter<FileDoc>[] = [];
  if (q.modality) out.push({ 'dicom.modality': q.modality.toUpperCase() });
  if (q.studyInstanceUid) out.push({ 'dicom.studyInstanceUid': q.studyInstanceUid });
  if (q.seriesInstanceUid) out.push({ 'dicom.seriesInstanceUid': q.seriesInstanceUid });
  if (q.sopInstanceUid) out.push({ 'dicom.sopInstanceUid': q.sopInstanceUid });
  const range = {
    ...(q.studyDateFrom ? { $gte: q.studyDateFrom } : {}),
    ...(q.studyDateTo ? { $lte: q.studyDateTo } : {}),
  };
  if (Object.keys(range).length) out.push({ 'dicom.studyDate': range });
  return out;
}
