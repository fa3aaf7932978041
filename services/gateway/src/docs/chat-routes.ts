import { Type } from '@sinclair/typebox';
import type { PublicRoute } from './public-routes.js';
import { Cursor, Id, Iso, Limit, obj, Page } from './public-schemas.js';

const Conversation = Type.Object({
  id: Id('cnv'),
  participantIds: Type.Array(Id('usr')),
  patientId: Type.Optional(Id('usr')),
  subject: Type.Optional(Type.String()),
  createdBy: Id('usr'),
  createdAt: Iso,
  lastMessageAt: Iso,
  unreadCount: Type.Integer(),
  readUpTo: Type.Record(Type.String(), Type.String(), { description: 'per participant: last message id read' }),
});
const Message = Type.Object({
  id: Id('msg'),
  conversationId: Id('cnv'),
  senderId: Id('usr'),
  text: Type.Union([Type.String(), Type.Null()], { description: 'null once deleted' }),
  attachmentFileIds: Type.Array(Id('fil')),
  sentAt: Iso,
  editedAt: Type.Optional(Iso),
  deletedAt: Type.Optional(Iso),
});
const Flag = Type.Object({
  id: Id('flg'),
  conversationId: Id('cnv'),
  messageId: Id('msg'),
  senderId: Id('usr'),
  categories: Type.Array(Type.String()),
  createdAt: Iso,
  status: Type.String(),
});
const c = { upstream: 'chat' as const, tag: 'chat' };

/** Chat (services/chat): secure messaging, proxied under /v1/conversations and /v1/moderation. */
export const chatRoutes: PublicRoute[] = [
  {
    ...c,
    method: 'POST',
    path: '/v1/conversations',
    summary:
      'Open a conversation: a patient only with clinicians who have them in care; clinicians with patients in their care and with other clinicians',
    body: obj({
      participantIds: Type.Array(Id('usr'), { minItems: 1, maxItems: 19 }),
      subject: Type.Optional(Type.String({ maxLength: 200 })),
    }),
    response: { status: 201, schema: Conversation },
  },
  {
    ...c,
    method: 'GET',
    path: '/v1/conversations',
    summary: 'Own conversations with unread counts',
    query: obj({ cursor: Cursor, limit: Limit }),
    response: { status: 200, schema: Page(Conversation) },
  },
  {
    ...c,
    method: 'GET',
    path: '/v1/conversations/stream',
    summary: 'Server-sent events: message, message_edited, message_deleted, read (across chat instances)',
    response: { status: 200, type: 'text/event-stream', schema: Type.String() },
  },
  {
    ...c,
    method: 'GET',
    path: '/v1/conversations/{id}/messages',
    summary: 'Messages, newest first (participants only; others get 404)',
    query: obj({ cursor: Cursor, limit: Limit }),
    response: { status: 200, schema: Page(Message) },
  },
  {
    ...c,
    method: 'POST',
    path: '/v1/conversations/{id}/messages',
    summary:
      'Send a message; attachments must be available files the sender may read (shared with the participants). 422 MESSAGE_REJECTED when moderation refuses it',
    body: obj({
      text: Type.String({ minLength: 1 }),
      attachmentFileIds: Type.Optional(Type.Array(Id('fil'), { maxItems: 20 })),
    }),
    response: { status: 201, schema: Message },
  },
  {
    ...c,
    method: 'PATCH',
    path: '/v1/conversations/{id}/messages/{messageId}',
    summary: 'Edit own message within the edit window (moderated again)',
    body: obj({ text: Type.String({ minLength: 1 }) }),
    response: { status: 200, schema: Message },
  },
  {
    ...c,
    method: 'DELETE',
    path: '/v1/conversations/{id}/messages/{messageId}',
    summary: 'Delete own message within the edit window (its text is erased)',
    response: { status: 204 },
  },
  {
    ...c,
    method: 'POST',
    path: '/v1/conversations/{id}/read',
    summary: 'Read receipt up to a message',
    body: obj({ upTo: Id('msg') }),
    response: {
      status: 200,
      schema: Type.Object({ conversationId: Id('cnv'), upTo: Id('msg'), unreadCount: Type.Integer() }),
    },
  },
  {
    ...c,
    method: 'GET',
    path: '/v1/moderation/flags',
    summary: 'Messages held for review (admin; ids and categories, never the text)',
    query: obj({
      status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('dismissed')])),
      cursor: Cursor,
      limit: Limit,
    }),
    response: { status: 200, schema: Page(Flag) },
  },
  {
    ...c,
    method: 'POST',
    path: '/v1/moderation/flags/{flagId}/dismiss',
    summary: 'Dismiss a flag (admin; audited)',
    response: { status: 200, schema: Flag },
  },
  {
    ...c,
    method: 'PUT',
    path: '/v1/moderation/mutes/{userId}',
    summary: 'Mute a user in chat for some minutes (admin; audited)',
    body: obj({ minutes: Type.Integer({ minimum: 1 }) }),
    response: { status: 200, schema: Type.Object({ userId: Id('usr'), until: Iso }) },
  },
  {
    ...c,
    method: 'DELETE',
    path: '/v1/moderation/mutes/{userId}',
    summary: 'Unmute a user (admin; audited)',
    response: { status: 204 },
  },
];
