import type { BaseApp } from '@medvault/common/http';
import { deleteMessage } from '../app/delete-message.js';
import { editMessage } from '../app/edit-message.js';
import { listMessages } from '../app/list-messages.js';
import { sendMessage } from '../app/send-message.js';
import type { ChatPorts } from '../domain/ports.js';
import { callerOf } from './caller.js';
import {
  ConversationParams,
  EditBody,
  MessageId,
  MessagePage,
  MessageParams,
  MessageView,
  NoContent,
  PageQuery,
  SendBody,
} from './schemas.js';

/** Never log text: only ids reach the log (it is PHI). */
export function messageRoutes(app: BaseApp, ports: ChatPorts) {
  const auth = { onRequest: app.authenticate };

  app.get(
    '/v1/conversations/:id/messages',
    {
      ...auth,
      schema: { params: ConversationParams, querystring: PageQuery(MessageId), response: { 200: MessagePage } },
    },
    async (req) => listMessages(ports, callerOf(req), req.params.id, req.query.limit, req.query.cursor),
  );

  app.post(
    '/v1/conversations/:id/messages',
    { ...auth, schema: { params: ConversationParams, body: SendBody, response: { 201: MessageView } } },
    async (req, reply) => {
      const m = await sendMessage(ports, callerOf(req), req.params.id, req.body);
      req.log.info({ conversationId: m.conversationId, messageId: m.id }, 'message sent');
      return reply.code(201).send(m);
    },
  );

  app.patch(
    '/v1/conversations/:id/messages/:messageId',
    { ...auth, schema: { params: MessageParams, body: EditBody, response: { 200: MessageView } } },
    async (req) => editMessage(ports, callerOf(req), req.params.id, req.params.messageId, req.body.text),
  );

  app.delete(
    '/v1/conversations/:id/messages/:messageId',
    { ...auth, schema: { params: MessageParams, response: { 204: NoContent } } },
    async (req, reply) => {
      await deleteMessage(ports, callerOf(req), req.params.id, req.params.messageId);
      return reply.code(204).send(null);
    },
  );
}
