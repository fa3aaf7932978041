import type { Role } from '@medvault/common/auth';
import type { Envelope } from '@medvault/common/events';
import type { Person, PersonRole } from './people.js';

/** A stored user. `name` and `email` are PHI/PII: returned to authorised callers, never logged. */
export interface UserRecord {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  passwordHash: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface UserQuery {
  role?: Role;
  active?: boolean;
  /** Id of the last item of the previous page (ids sort by creation time). */
  after?: string;
  limit: number;
}

export interface UserRepository {
  /**
   * Throws AppError CONFLICT when the (lower-cased) email is taken. `events` are stored with the
   * user in the same write (transactional outbox) and published by the relay.
   */
  insert(user: UserRecord, events?: Envelope[]): Promise<void>;
  findById(id: string): Promise<UserRecord | null>;
  findByEmail(email: string): Promise<UserRecord | null>;
  list(q: UserQuery): Promise<UserRecord[]>;
  /** Applies the patch and stores `events` with it in one write (transactional outbox). */
  update(
    id: string,
    patch: Partial<Pick<UserRecord, 'role' | 'active' | 'name'>> & { updatedAt: Date },
    events?: Envelope[],
  ): Promise<UserRecord | null>;
}

export type ConsumeResult =
  | { status: 'ok'; userId: string; sessionId: string }
  /** Presented a second time: the family must die (stolen token or replay). */
  | { status: 'reused'; userId: string; sessionId: string }
  /** Its family was revoked (logout, reuse detected elsewhere). */
  | { status: 'revoked'; userId: string; sessionId: string }
  | { status: 'unknown' };

/** Refresh tokens, stored by hash, grouped in families (one per login session). */
export interface RefreshTokenStore {
  issue(rec: { hash: string; userId: string; sessionId: string }, ttlSeconds: number): Promise<void>;
  /** Marks the token used, atomically: exactly one concurrent caller gets `ok`. */
  consume(hash: string): Promise<ConsumeResult>;
  revokeFamily(sessionId: string): Promise<void>;
}

export interface ThrottleKeys {
  /** SHA-256 of the lower-cased email (unknown accounts are throttled exactly like real ones). */
  account: string;
  /** The source address as charged (sourceOf: IPv4, or the /64 of IPv6). */
  source: string;
}

export interface LoginGate {
  /** This source may not try this account (or any account, when it sprays) for retryAfterSeconds. */
  blocked: boolean;
  retryAfterSeconds: number;
  /** The account is failing from many sources: wait this long before checking the password. */
  slowMs: number;
}

export interface LoginThrottle {
  check(keys: ThrottleKeys): Promise<LoginGate>;
  recordFailure(keys: ThrottleKeys): Promise<void>;
  /** Clears the back-off of this (account, source) only: the account-wide slow-down stays. */
  recordSuccess(keys: ThrottleKeys): Promise<void>;
}

/** Reads the per-user "tokens issued before this are revoked" mark. */
export interface NotBeforeReader {
  notBefore(userId: string): Promise<number>;
}

/** Fire-and-forget event sink: never blocks the request path on the bus. */
export interface EventSink {
  /** Any typed event: `Envelope<'auth.login_failed'>` is an `Envelope`. */
  enqueue(event: Envelope): void;
}

/** Active care relationships, as the gateway's projection of appointments' care.* events holds them. */
export interface CareLinks {
  /** The patients the clinician has in care now. */
  patientsOf(clinicianId: string): Promise<string[]>;
  /** The clinicians who have the patient in care now. */
  cliniciansOf(patientId: string): Promise<string[]>;
}

/** Active users as the people picker shows them (id, name, role: never email or anything else). */
export interface PeopleDirectory {
  /** Active users of `role`, by name: among `ids` when given, else all of them up to `limit`. */
  activePeople(q: { role: PersonRole; ids?: string[]; limit: number }): Promise<Person[]>;
}
