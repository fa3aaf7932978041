import { idPattern } from '@medvault/common/ids';
import { Type } from '@sinclair/typebox';

const UserId = Type.String({ pattern: idPattern('user') });
export const ConversationId = Type.String({ pattern: idPattern('conversation') });
export const MessageId = Type.String({ pattern: idPattern('message') });
const FlagId = Type.String({ pattern: idPattern('flag') });
const FileId = Type.String({ pattern: idPattern('file') });
const Iso = Type.String({ format: 'date-time' });
const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 50 });
const strict = { additionalProperties: false } as const;

export const OpenBody = Type.Object(
  {
    participantIds: Type.Array(UserId, { minItems: 1, maxItems: 19 }),
    subject: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  strict,
);
export const ConversationView = Type.Object({
  id: Type.String(),
  participantIds: Type.Array(Type.String()),
  patientId: Type.Optional(Type.String()),
  subject: Type.Optional(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String(),
  lastMessageAt: Type.String(),
  unreadCount: Type.Integer(),
  readUpTo: Type.Record(Type.String(), Type.String()),
});
export const ConversationPage = Type.Object({
  items: Type.Array(ConversationView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export const ConversationParams = Type.Object({ id: ConversationId }, strict);
export const MessageParams = Type.Object({ id: ConversationId, messageId: MessageId }, strict);
export const PageQuery = <T extends ReturnType<typeof Type.String>>(cursor: T) =>
  Type.Object({ cursor: Type.Optional(cursor), limit: Limit }, strict);

/** Text length is checked by the use case against CHAT_MAX_TEXT_LENGTH (configurable). */
export const SendBody = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 20_000 }),
    attachmentFileIds: Type.Optional(Type.Array(FileId, { maxItems: 20 })),
  },
  strict,
);
export const EditBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: 20_000 }) }, strict);
export const MessageView = Type.Object({
  id: Type.String(),
  conversationId: Type.String(),
  senderId: Type.String(),
  text: Type.Union([Type.String(), Type.Null()]),
  attachmentFileIds: Type.Array(Type.String()),
  sentAt: Type.String(),
  editedAt: Type.Optional(Type.String()),
  deletedAt: Type.Optional(Type.String()),
});
export const MessagePage = Type.Object({
  items: Type.Array(MessageView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export const ReadBody = Type.Object({ upTo: MessageId }, strict);
export const ReadView = Type.Object({
  conversationId: Type.String(),
  upTo: Type.String(),
  unreadCount: Type.Integer(),
});

export const FlagQuery = Type.Object(
  {
    status: Type.Union([Type.Literal('open'), Type.Literal('dismissed')], { default: 'open' }),
    cursor: Type.Optional(FlagId),
    limit: Limit,
  },
  strict,
);
export const FlagView = Type.Object({
  id: Type.String(),
  conversationId: Type.String(),
  messageId: Type.String(),
  senderId: Type.String(),
  categories: Type.Array(Type.String()),
  createdAt: Type.String(),
  status: Type.String(),
  reviewedBy: Type.Optional(Type.String()),
  reviewedAt: Type.Optional(Type.String()),
});
export const FlagPage = Type.Object({
  items: Type.Array(FlagView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export const FlagParams = Type.Object({ flagId: FlagId }, strict);
export const UserParams = Type.Object({ userId: UserId }, strict);
export const MuteBody = Type.Object({ minutes: Type.Integer({ minimum: 1, maximum: 60 * 24 * 365 }) }, strict);
export const MuteView = Type.Object({ userId: Type.String(), until: Iso });

/** A 204 answer: sent with `send(null)` so the response schema holds. */
export const NoContent = Type.Null({ description: 'Done; no body' });

/** The live stream (server-sent events); documented as such, never serialised by fastify. */
export const EventStream = {
  description: 'Server-sent events, never buffered; ends when the token is revoked or expires',
  content: { 'text/event-stream': { schema: Type.String() } },
};
