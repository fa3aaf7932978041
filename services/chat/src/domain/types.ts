import type { Role } from '@medvault/common/auth';

export interface Participant {
  userId: string;
  role: Role;
}

export interface Conversation {
  id: string;
  participants: Participant[];
  /** The one patient taking part, if any: care rules apply while it is set. */
  patientId?: string;
  createdBy: string;
  createdAt: Date;
  lastMessageAt: Date;
  /** The conversation's data key, wrapped by KMS with the conversation id as encryption context. */
  wrappedKey: Buffer;
  keyId: string;
  /** Encrypted subject (same key), absent when none was given. */
  subject?: Sealed;
  /** Per participant: the last message id they have read (message ids sort by time). */
  readUpTo: Record<string, string>;
}

/** AES-256-GCM output: iv | tag | ciphertext, base64 in the store. */
export type Sealed = Buffer;

export interface Message {
  id: string;
  conversationId: string;
  senderId: string;
  /** Absent once deleted (the text is erased, the fact of the message stays). */
  body?: Sealed;
  attachmentFileIds: string[];
  sentAt: Date;
  editedAt?: Date;
  deletedAt?: Date;
  flagged: boolean;
}

export interface Flag {
  id: string;
  conversationId: string;
  messageId: string;
  senderId: string;
  categories: string[];
  createdAt: Date;
  status: 'open' | 'dismissed';
  reviewedBy?: string;
  reviewedAt?: Date;
}

export interface Mute {
  userId: string;
  until: Date;
  by: string;
  at: Date;
}

/** What a user sees of a user: role and whether they can still log in (projection of user.*). */
export interface UserFacts {
  role: Role;
  active: boolean;
}
