import type { Collection, Db } from 'mongodb';
import { contentKey, type FileRecord, isDuplicateKey } from '../domain/file.js';

/**
 * FerretDB WORKAROUND (only built on FerretDB; files-repo.ts asks MongoDB its indexes instead).
 * FerretDB v1 answers a filter on anything but `_id` alone by reading every document of the
 * collection: measured here at 2 000 files, 550 ms for the upload's version look-up
 * (`{ownerId, name}` sorted by version), the same for a duplicate look-up by `liveKey` that finds
 * nothing (the common case) and for the purge's `{status: 'deleted', purgeAfter}` search. Each
 * upload paid two such scans; that was most of the database's CPU per file, and it grew with
 * every file stored (bench/results/perf-notes.md).
 *
 * So the answers are kept in small documents read by `_id`:
 * - `live:<liveKey>` → the file holding that content key (duplicate look-up);
 * - `version:<owner>\u0000<name>` → the highest version recorded under that name;
 * - `file_trash` holds the id of every soft-deleted file (the purge reads those files by `_id`).
 * The hints are advisory. The unique indexes on `files` still decide every race: a hint that is
 * missing or stale makes an insert fail with E11000, and `repair` then rebuilds it from a scan,
 * so a lost hint costs one retry, never a wrong version or a second live copy. A trash entry is
 * written before the file's status changes, so a deleted file always has one (a stale entry is
 * dropped by the next purge pass).
 */
interface Hint {
  _id: string;
  fileId?: string;
  version?: number;
}

type Files = Collection<FileRecord>;

const liveId = (key: string) => `live:${key}`;
const versionId = (ownerId: string, name: string) => `version:${ownerId}\u0000${name}`;

export class KeyedLookups {
  private readonly hints: Collection<Hint>;
  private readonly trash: Collection<{ _id: string; trashedAt?: Date }>;

  constructor(
    db: Db,
    private readonly files: Files,
  ) {
    this.hints = db.collection<Hint>('file_lookups');
    this.trash = db.collection('file_trash');
  }

  /** The live file holding this content key, if its hint is current. */
  async findLive(ownerId: string, uploadedBy: string, sha256: string): Promise<FileRecord | null> {
    const key = contentKey(ownerId, uploadedBy, sha256);
    const hint = await this.hints.findOne({ _id: liveId(key) });
    if (!hint?.fileId) return null;
    const f = await this.files.findOne({ _id: hint.fileId });
    return f?.liveKey === key ? f : null;
  }

  async nextVersion(ownerId: string, name: string): Promise<number> {
    const hint = await this.hints.findOne({ _id: versionId(ownerId, name) });
    return (hint?.version ?? 0) + 1;
  }

  /** After a write that gave `rec` its content key and version. */
  async recorded(rec: Pick<FileRecord, '_id' | 'ownerId' | 'name' | 'version' | 'liveKey'>): Promise<void> {
    await this.hint(liveId(rec.liveKey), { $set: { fileId: rec._id } });
    await this.hint(versionId(rec.ownerId, rec.name), { $max: { version: rec.version } });
  }

  /** After `liveKey` went back to a file (restore). */
  async live(fileId: string, liveKey: string): Promise<void> {
    await this.hint(liveId(liveKey), { $set: { fileId } });
  }

  /**
   * An insert of `rec` lost to a unique index: the hints that let it try were missing or stale
   * (a crash between a write and its hint, a lost race on the hint, records older than hints).
   * Rebuilds both from the authoritative scans, so the caller's retry sees the truth.
   */
  async repair(rec: Pick<FileRecord, 'ownerId' | 'name' | 'liveKey'>): Promise<void> {
    const holder = await this.files.findOne({ liveKey: rec.liveKey }, { projection: { _id: 1 } });
    if (holder) await this.hint(liveId(rec.liveKey), { $set: { fileId: holder._id } });
    const [latest] = await this.files
      .find({ ownerId: rec.ownerId, name: rec.name }, { projection: { version: 1 } })
      .sort({ version: -1 })
      .limit(1)
      .toArray();
    if (latest) await this.hint(versionId(rec.ownerId, rec.name), { $max: { version: latest.version } });
  }

  /** Before a file's status becomes `deleted` (so a deleted file always has its entry). */
  async trashed(fileId: string): Promise<void> {
    await this.trash
      .updateOne({ _id: fileId }, { $setOnInsert: { trashedAt: new Date() } }, { upsert: true })
      .catch(ignoreDuplicate);
  }

  /** Deleted files past `purgeAfter`, read by `_id`; entries of files no longer deleted are dropped. */
  async dueForPurge(now: Date, limit: number): Promise<FileRecord[]> {
    const due: FileRecord[] = [];
    // The entries are few (deleted files not yet purged): read them before dropping stale ones.
    for (const { _id } of await this.trash.find({}, { projection: { _id: 1 } }).toArray()) {
      const f = await this.files.findOne({ _id }, { projection: { outbox: 0 } });
      if (!f || f.status !== 'deleted') await this.trash.deleteOne({ _id });
      else if (f.purgeAfter && new Date(f.purgeAfter) <= now) due.push(f);
      if (due.length >= limit) break;
    }
    return due;
  }

  /** At start-up: deleted files recorded before the trash entries existed get one (one scan). */
  async backfill(): Promise<void> {
    for await (const { _id } of this.files.find({ status: 'deleted' }, { projection: { _id: 1 } }))
      await this.trashed(_id);
  }

  /** Upserts a hint. Two writers racing to create one: one gets E11000 and its hint is the other's (repair fixes a lag). */
  private async hint(_id: string, update: Record<string, unknown>): Promise<void> {
    await this.hints.updateOne({ _id }, update, { upsert: true }).catch(ignoreDuplicate);
  }
}

function ignoreDuplicate(e: unknown): void {
  if (!isDuplicateKey(e)) throw e;
}
