import type { RevocationWatcher } from '@medvault/common/auth';
import { principalOf } from '@medvault/common/auth';
import { AppError, dependencyUnavailable } from '@medvault/common/errors';
import type { BaseApp } from '@medvault/common/http';
import { isId, newId } from '@medvault/common/ids';
import { type RedisLiveHub, resumeLive } from '@medvault/common/live';
import type { RedisPresence } from '../adapters/redis-presence.js';
import { missedMessages } from '../app/missed-messages.js';
import type { ChatPorts, LiveFrame } from '../domain/ports.js';
import { EventStream } from './schemas.js';

export interface StreamDeps {
  ports: ChatPorts;
  hub: RedisLiveHub<LiveFrame>;
  presence: RedisPresence;
  revocations: RevocationWatcher;
  heartbeatSeconds: number;
}

/** What a participant's client receives: the text opened here, on the instance holding the stream. */
async function payloadOf(ports: ChatPorts, f: LiveFrame): Promise<Record<string, unknown>> {
  const base = { conversationId: f.conversationId, messageId: f.messageId };
  if (f.kind === 'read') return { ...base, readerId: f.readerId };
  if (f.kind === 'message_deleted') return { ...base, senderId: f.senderId };
  const text =
    f.sealed && f.wrappedKey && f.keyId
      ? await ports.cipher.open(
          { id: f.conversationId, wrappedKey: Buffer.from(f.wrappedKey, 'base64'), keyId: f.keyId },
          `${f.conversationId}:${f.messageId}`,
          Buffer.from(f.sealed, 'base64'),
        )
      : null;
  return {
    ...base,
    id: f.messageId,
    senderId: f.senderId,
    text,
    attachmentFileIds: f.attachmentFileIds ?? [],
    sentAt: f.sentAt,
  };
}

/**
 * GET /v1/conversations/stream: server-sent events of the caller's conversations (message,
 * message_edited, message_deleted, read), from every chat instance through Redis. While it is
 * open the caller counts as connected (no notification through notify). The token is checked
 * when the stream opens; the stream ends when that token is revoked. Resumable: message frames
 * carry their id, and a client reconnecting with `Last-Event-ID` gets the messages it missed (at
 * most SSE_REPLAY_LIMIT), in order, once, before the live ones (common/live resumeLive).
 */
export function streamRoutes(app: BaseApp, d: StreamDeps) {
  app.get(
    '/v1/conversations/stream',
    { onRequest: app.authenticate, schema: { response: { 200: EventStream } } },
    async (req, reply) => {
      const p = principalOf(req);
      const header = req.headers['last-event-id'];
      const resumeFrom = typeof header === 'string' && header ? header : undefined;
      if (resumeFrom && !isId('message', resumeFrom)) {
        throw new AppError('VALIDATION_FAILED', 'Last-Event-ID is not a message id', {
          details: { errors: [{ field: 'Last-Event-ID', message: 'invalid' }] },
        });
      }
      await Promise.all([d.hub.start(), d.revocations.start()]).catch((cause) => {
        throw dependencyUnavailable('redis', cause);
      });
      const connectionId = newId('request');
      await d.presence.touch(p.userId, connectionId);

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': req.id,
      });
      res.write('retry: 3000\n\n');
      // Frames are opened asynchronously (KMS on a cold key): a chain keeps them in order.
      let chain = Promise.resolve();
      const send = (f: LiveFrame) => {
        chain = chain
          .then(async () => {
            const data = await payloadOf(d.ports, f);
            // Only messages carry an id: Last-Event-ID is then the last message received.
            const id = f.kind === 'message' ? `id: ${f.messageId}\n` : '';
            res.write(`${id}event: ${f.kind}\ndata: ${JSON.stringify(data)}\n\n`);
          })
          .catch((err) => req.log.warn({ err, conversationId: f.conversationId }, 'live frame not delivered'));
      };
      const heartbeat = setInterval(() => {
        res.write(': heartbeat\n\n');
        d.presence.touch(p.userId, connectionId).catch(() => undefined);
      }, d.heartbeatSeconds * 1000);
      const end = () => res.end();
      const unwatch = d.revocations.watch(p, () => end());
      let unlisten: (() => void) | undefined;
      let closed = false;
      res.on('close', () => {
        closed = true;
        clearInterval(heartbeat);
        unwatch();
        unlisten?.();
        d.presence.leave(p.userId, connectionId).catch(() => undefined);
      });
      unlisten = await resumeLive<LiveFrame>({
        listen: (l) => d.hub.listen(p.userId, l, end),
        resumeFrom,
        replay: (after) => missedMessages(d.ports, p.userId, after),
        idOf: (f) => (f.kind === 'message' ? f.messageId : undefined),
        send,
      });
      // Closed during the replay: the close handler ran before the listener existed.
      if (closed) unlisten();
      req.log.info({ resumed: Boolean(resumeFrom) }, 'chat stream opened');
    },
  );
}
