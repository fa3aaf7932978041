import type { Envelope, EventData } from '@medvault/common/events';
import type { FileStatus } from './lifecycle.js';

/** Indexed DICOM header, as file.processed carries it (issue 17). */
export type DicomIndex = NonNullable<EventData<'file.processed'>['dicom']>;

export interface ObjectLocation {
  bucket: string;
  key: string;
}

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
  /** A de-identified copy (issue 17): the file it was made from. */
  deidentifiedFrom?: string;
  /** Indexed DICOM header (issue 17), as file.processed carries it; absent for other files. */
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

/** Where a file's ciphertext lives: keys derive from the file id only, never from its name. */
export const objectKey = (fileId: string) => `files/${fileId}`;
export const trashKey = (key: string) => (key.startsWith('trash/') ? key : `trash/${key}`);
export const untrashKey = (key: string) => key.replace(/^trash\//, '');

/** The identity of a file every file event carries. */
export const fileFacts = (f: FileRecord) => ({ fileId: f._id, ownerId: f.ownerId, patientId: f.patientId });
