import type { Readable } from 'node:stream';
import type { EventPublisher } from '@medvault/common/bus';
import type { DataKeyProvider, Header } from '@medvault/common/crypto';
import type { Envelope } from '@medvault/common/events';
import type { FileRecord, FileUpdate, ObjectLocation } from './file.js';
import type { FileStatus } from './lifecycle.js';

/**
 * The ports the files use cases (src/app) work through. Adapters (src/adapters) implement them;
 * deps.ts picks the implementations (e.g. MongoDB or the FerretDB workaround) and passes them in.
 */

/** Injectable clock: tests move it to day 29 / day 31 of the trash retention. */
export interface Clock {
  now(): Date;
}

export type FileChange = { set: FileUpdate; events?: Envelope[] } | null;
export type Counters = Partial<Record<'downloads', number>>;

/** Who may see which files, as the list query narrows it (the policy still decides per file). */
export type Visibility =
  | { kind: 'all' }
  | { kind: 'owner'; ownerId: string }
  | { kind: 'clinician'; userId: string; patients: string[] };

export interface DicomQuery {
  modality?: string;
  studyInstanceUid?: string;
  /** DICOMweb (issue 17): series and instance lookups. */
  seriesInstanceUid?: string;
  sopInstanceUid?: string;
  studyDateFrom?: string;
  studyDateTo?: string;
}

export interface FileListQuery {
  visibility: Visibility;
  /** One status, or (absent) every live one. */
  status?: FileStatus;
  patientId?: string;
  contentType?: string;
  /** Over the indexed DICOM header (issue 17): modality (upper case), study, study date range (ISO dates). */
  dicom?: DicomQuery;
  /** Ids after this one (pages are in id order). */
  after?: string;
  limit: number;
}

/**
 * File records with their transactional outbox: every write that carries events stores them in
 * the same single-document write, and tells the relay (no caller has to remember it).
 */
export interface FileRepository {
  get(id: string): Promise<FileRecord | null>;
  /** 404 unless the file exists and is not purged. */
  mustGet(id: string): Promise<FileRecord>;
  /** Record + first events in one write; E11000 (`isDuplicateKey`) when the live key or version is taken. */
  insert(rec: Omit<FileRecord, 'rev' | 'outbox'>, events: Envelope[]): Promise<void>;
  findDuplicate(ownerId: string, uploadedBy: string, sha256: string): Promise<FileRecord | null>;
  nextVersion(ownerId: string, name: string): Promise<number>;
  /** Compare-and-set on `rev`: the new record, or null when someone else changed it first. */
  update(f: FileRecord, set: FileUpdate, events?: Envelope[], inc?: Counters): Promise<FileRecord | null>;
  /** Read-modify-write retried on conflicts (409 after a few). */
  mutate(id: string, fn: (f: FileRecord) => Promise<FileChange> | FileChange): Promise<FileRecord | null>;
  /** Appends events (and bumps counters) without a revision check. */
  append(id: string, events: Envelope[], inc?: Counters): Promise<void>;
  list(q: FileListQuery): Promise<FileRecord[]>;
  /** Files an admin bulk rescan may select (clean, available, scan_failed, blocked), in id order. */
  rescannable(after: string, limit: number): Promise<FileRecord[]>;
  dueForPurge(now: Date, limit: number): Promise<FileRecord[]>;
}

export interface LinkRecord {
  _id: string;
  fileId: string;
  userId: string;
  expiresAt: Date;
  maxDownloads: number | null;
  /** Requests served (any range). */
  downloads: number;
  /** Plaintext bytes served, all requests together: what `maxDownloads` bounds (absent on old links: 0). */
  bytesServed?: number;
  createdAt: Date;
}

export interface LinkRepository {
  insert(l: LinkRecord): Promise<void>;
  get(id: string): Promise<LinkRecord | null>;
  /** Takes `cost` bytes of a `size`-byte representation from the budget; false (nothing taken) when they do not fit. */
  consume(l: LinkRecord, size: number, cost: number): Promise<boolean>;
}

/** A break-glass grant: one user may read one patient's files until expiresAt, for a stated reason. */
export interface GrantRecord {
  _id: string;
  userId: string;
  patientId: string;
  reason: string;
  createdAt: Date;
  expiresAt: Date;
  /** 'pending' until access.emergency_granted is on the bus: never usable before its audit trail exists. */
  state: 'pending' | 'active';
}

export interface GrantRepository {
  insert(g: GrantRecord): Promise<void>;
  activate(id: string): Promise<void>;
  allows(userId: string, patientId: string, now: Date): Promise<boolean>;
  /** Of `patientIds`, those `userId` holds an active grant to at `now` (one query for a whole list). */
  grantedPatients(userId: string, patientIds: string[], now: Date): Promise<Set<string>>;
  activeFor(userId: string, now: Date): Promise<GrantRecord[]>;
}

export interface KnownUser {
  _id: string;
  role?: string;
  active: boolean;
}

/** Local projections of other services' facts (care from appointments, users from the gateway). */
export interface Directory {
  setCare(clinicianId: string, patientId: string, active: boolean, at: Date): Promise<void>;
  inCare(clinicianId: string, patientId: string): Promise<boolean>;
  /** Of `patientIds`, those in the clinician's care (one query for a whole list). */
  inCareOf(clinicianId: string, patientIds: string[]): Promise<Set<string>>;
  patientsInCare(clinicianId: string): Promise<string[]>;
  upsertUser(userId: string, fields: { role?: string; active?: boolean }, at: Date): Promise<void>;
  getUser(userId: string): Promise<KnownUser | null>;
}

/** A streaming upload in progress. */
export interface UploadHandle {
  done(): Promise<unknown>;
  /** Stops it and discards whatever was stored (parts or a completed object). Never throws. */
  abort(): Promise<void>;
}

/** Encrypted object storage (S3). */
export interface ObjectStorage {
  startUpload(body: Readable, loc: ObjectLocation, metadata: Record<string, string>): UploadHandle;
  delete(loc: ObjectLocation): Promise<void>;
  copy(from: ObjectLocation, to: ObjectLocation): Promise<void>;
  move(from: ObjectLocation, to: ObjectLocation): Promise<void>;
  getRange(loc: ObjectLocation, start?: number, end?: number): Promise<{ body: Readable; totalSize: number | null }>;
  readHeader(loc: ObjectLocation): Promise<{ header: Header; totalSize: number }>;
  /** Bytes [start, end] (inclusive) streamed, read ahead of the consumer in bounded parallel parts. */
  readRange(loc: ObjectLocation, start: number, end: number): Readable;
}

/** The settings the use cases read (from config.ts, validated at start). */
export interface FilesSettings {
  BUCKET_QUARANTINE: string;
  BUCKET_CLEAN: string;
  MAX_UPLOAD_BYTES: number;
  allowedTypes: Set<string>;
  TRASH_RETENTION_DAYS: number;
  LINK_SIGNING_SECRET: string;
  LINK_DEFAULT_TTL_SECONDS: number;
  LINK_MAX_TTL_SECONDS: number;
  EMERGENCY_ACCESS_MINUTES: number;
}

/** Everything a files use case may be given; each takes the `Pick` of it that it needs. */
export interface FilesPorts {
  files: FileRepository;
  links: LinkRepository;
  grants: GrantRepository;
  projections: Directory;
  objects: ObjectStorage;
  keys: DataKeyProvider;
  publisher: EventPublisher;
  clock: Clock;
  settings: FilesSettings;
}
