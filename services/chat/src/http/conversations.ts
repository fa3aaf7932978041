import type { BaseApp } from '@medvault/common/http';
import { listConversations } from '../app/list-conversations.js';
import { markRead } from '../app/mark-read.js';
import { openConversation } from '../app/open-conversation.js';
import type { ChatPorts } from '../domain/ports.js';
import { callerOf } from './caller.js';
import {
  ConversationId,
  ConversationPage,
  ConversationParams,
  ConversationView,
  OpenBody,
  PageQuery,
  ReadBody,
  ReadView,
} from './schemas.js';

export function conversationRoutes(app: BaseApp, ports: ChatPorts) {
  // onRequest: an anonymous caller gets 401 before anything else is looked at.
  const auth = { onRequest: app.authenticate };

  app.post(
    '/v1/conversations',
    { ...auth, schema: { body: OpenBody, response: { 201: ConversationView } } },
    async (req, reply) => {
      const c = await openConversation(ports, callerOf(req), req.body);
      req.log.info({ conversationId: c.id }, 'conversation opened');
      return reply.code(201).send({
        id: c.id,
        participantIds: c.participants.map((p) => p.userId),
        ...(c.patientId ? { patientId: c.patientId } : {}),
        ...(req.body.subject ? { subject: req.body.subject } : {}),
        createdBy: c.createdBy,
        createdAt: c.createdAt.toISOString(),
        lastMessageAt: c.lastMessageAt.toISOString(),
        unreadCount: 0,
        readUpTo: {},
      });
    },
  );

  app.get(
    '/v1/conversations',
    { ...auth, schema: { querystring: PageQuery(ConversationId), response: { 200: ConversationPage } } },
    async (req) => listConversations(ports, callerOf(req), req.query.limit, req.query.cursor),
  );

  app.post(
    '/v1/conversations/:id/read',
    { ...auth, schema: { params: ConversationParams, body: ReadBody, response: { 200: ReadView } } },
    async (req) => markRead(ports, callerOf(req), req.params.id, req.body.upTo),
  );
}
