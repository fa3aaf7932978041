import type { Principal } from '@medvault/common/auth';
import type { EventData, EventType } from '@medvault/common/events';
import type { Conversation, Flag, Message, Mute, Sealed, UserFacts } from './types.js';

export interface ConversationStore {
  insert(c: Conversation): Promise<void>;
  get(id: string): Promise<Conversation | null>;
  /** The user's conversations, newest first, ids below `before`. */
  listFor(userId: string, limit: number, before?: string): Promise<Conversation[]>;
  touch(id: string, at: Date): Promise<void>;
  /** Moves the user's read marker forward only (a stale receipt never moves it back). */
  markRead(id: string, userId: string, upTo: string): Promise<void>;
}

export interface MessageStore {
  insert(m: Message): Promise<void>;
  get(conversationId: string, id: string): Promise<Message | null>;
  /** Newest first, ids below `before`. */
  page(conversationId: string, limit: number, before?: string): Promise<Message[]>;
  update(id: string, set: Partial<Pick<Message, 'body' | 'editedAt' | 'deletedAt'>>, unset?: 'body'): Promise<void>;
  /** Messages of the conversations after id `after`, oldest first, at most `limit` (stream replay). */
  since(conversationIds: string[], after: string, limit: number): Promise<Message[]>;
  /** Messages of others after `after` (or all), not deleted. */
  unread(conversationId: string, userId: string, after?: string): Promise<number>;
  /** Retention: erases messages sent before `cutoff`; returns how many. */
  purgeBefore(cutoff: Date): Promise<number>;
}

export interface FlagStore {
  insert(f: Flag): Promise<void>;
  list(status: Flag['status'], limit: number, before?: string): Promise<Flag[]>;
  review(id: string, by: string, at: Date): Promise<Flag | null>;
}

export interface MuteStore {
  set(m: Mute): Promise<void>;
  clear(userId: string): Promise<boolean>;
  /** The end of the user's mute if one is running at `now`. */
  until(userId: string, now: Date): Promise<Date | null>;
}

/** Local projections of the gateway's users and of appointments' care relationships. */
export interface Directory {
  users(ids: string[]): Promise<Map<string, UserFacts>>;
  /** Care pairs of one patient with the given clinicians: the ones with the patient in care. */
  carers(patientId: string, clinicianIds: string[]): Promise<Set<string>>;
}

/** Message text sealed with the conversation's data key (KMS envelope, bound to its id). */
export interface TextCipher {
  newKey(conversationId: string): Promise<{ wrappedKey: Buffer; keyId: string }>;
  seal(c: Pick<Conversation, 'id' | 'wrappedKey' | 'keyId'>, aad: string, text: string): Promise<Sealed>;
  open(c: Pick<Conversation, 'id' | 'wrappedKey' | 'keyId'>, aad: string, sealed: Sealed): Promise<string>;
}

/** A message, an edit, a deletion or a read receipt, for the participants' open streams. */
export interface LiveFrame {
  kind: 'message' | 'message_edited' | 'message_deleted' | 'read';
  recipients: string[];
  conversationId: string;
  messageId: string;
  senderId?: string;
  /** Sealed text (never plain text on Redis) with the wrapped key that opens it. */
  sealed?: string;
  wrappedKey?: string;
  keyId?: string;
  attachmentFileIds?: string[];
  sentAt?: string;
  readerId?: string;
}

export interface LiveBus {
  publish(frame: LiveFrame): Promise<void>;
}

export interface Presence {
  /** The users among `ids` with at least one open stream on any instance. */
  online(ids: string[]): Promise<Set<string>>;
}

export interface RateLimiter {
  /** Counts one message for the user; false when over the limit. */
  hit(userId: string): Promise<boolean>;
}

/** The caller's own credentials, for asking the files service on their behalf. */
export interface Caller {
  principal: Principal;
  authorization: string;
  requestId: string;
  ip?: string;
  userAgent?: string;
}

export interface FileFacts {
  id: string;
  status: string;
  ownerId: string;
  patientId: string;
}

/** The files service's public API, called as the sender (its own access rules apply). */
export interface FileAccess {
  /** The file's metadata if the caller may read it, null when refused or unknown. */
  get(caller: Caller, fileId: string): Promise<FileFacts | null>;
  /** Shares the file with a user as the caller (recorded by files: file.shared). */
  share(caller: Caller, fileId: string, userId: string): Promise<void>;
}

export interface Events {
  emit<T extends EventType>(
    type: T,
    data: EventData<T>,
    caller?: Pick<Caller, 'principal' | 'requestId' | 'ip' | 'userAgent'>,
  ): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export interface ChatPorts {
  conversations: ConversationStore;
  messages: MessageStore;
  flags: FlagStore;
  mutes: MuteStore;
  directory: Directory;
  cipher: TextCipher;
  live: LiveBus;
  presence: Presence;
  rateLimit: RateLimiter;
  files: FileAccess;
  events: Events;
  clock: Clock;
  matcher: import('./moderation/policy.js').ProfanityMatcher;
  settings: ChatSettings;
}

export interface ChatSettings {
  maxTextLength: number;
  maxAttachments: number;
  editWindowSeconds: number;
  profanityAction: 'reject' | 'flag';
  /** The most messages a reconnecting stream replays (Last-Event-ID). */
  replayLimit: number;
}
