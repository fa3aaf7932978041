import type { BaseApp } from '@medvault/common/http';
import { dismissFlag, listFlags, muteUser, unmuteUser } from '../app/moderation-review.js';
import type { ChatPorts } from '../domain/ports.js';
import { callerOf } from './caller.js';
import { FlagPage, FlagParams, FlagQuery, FlagView, MuteBody, MuteView, NoContent, UserParams } from './schemas.js';

/** Admin review of flagged messages and mutes; every action is a chat.* event, hence audited. */
export function moderationRoutes(app: BaseApp, ports: ChatPorts) {
  const auth = { onRequest: app.authenticate };

  app.get(
    '/v1/moderation/flags',
    { ...auth, schema: { querystring: FlagQuery, response: { 200: FlagPage } } },
    async (req) => listFlags(ports, callerOf(req), req.query.status, req.query.limit, req.query.cursor),
  );

  app.post(
    '/v1/moderation/flags/:flagId/dismiss',
    { ...auth, schema: { params: FlagParams, response: { 200: FlagView } } },
    async (req) => dismissFlag(ports, callerOf(req), req.params.flagId),
  );

  app.put(
    '/v1/moderation/mutes/:userId',
    { ...auth, schema: { params: UserParams, body: MuteBody, response: { 200: MuteView } } },
    async (req) => muteUser(ports, callerOf(req), req.params.userId, req.body.minutes),
  );

  app.delete(
    '/v1/moderation/mutes/:userId',
    { ...auth, schema: { params: UserParams, response: { 204: NoContent } } },
    async (req, reply) => {
      await unmuteUser(ports, callerOf(req), req.params.userId);
      return reply.code(204).send(null);
    },
  );
}
