import { principalOf } from '@medvault/common/auth';
import { AppError, dependencyUnavailable } from '@medvault/common/errors';
import type { BaseApp } from '@medvault/common/http';
import { isId } from '@medvault/common/ids';
import { resumeLive } from '@medvault/common/live';
import type { Routed } from '../deps.js';
import { inboxView } from '../domain/inbox-view.js';
import type { LiveNotification } from '../domain/ports.js';
import { EventStream, StreamQuery } from './schemas.js';

type Wired = Routed;

const frame = (n: LiveNotification) => {
  const { recipientId: _r, ...rest } = n;
  return `id: ${n.id}\nevent: notification\ndata: ${JSON.stringify(rest)}\n\n`;
};

/**
 * GET /v1/notifications/stream: server-sent events of the caller's new notifications.
 * Resumable: `Last-Event-ID` (or ?lastEventId) replays what was missed from the inbox, since
 * notification ids are ULIDs that sort by time. Live messages arriving during the replay are
 * buffered, then sent in order without duplicates. Heartbeat comments keep proxies from timing
 * out. The token is checked once, when the stream opens: the stream then ends at once when that
 * token is revoked (logout, session revoked, user deactivated: pushed over Redis) and when it
 * expires (the client reconnects with a fresh one).
 */
export function streamRoutes(app: BaseApp, w: Wired, o: { heartbeatSeconds: number; replayLimit: number }) {
  app.get(
    '/v1/notifications/stream',
    { onRequest: app.authenticate, schema: { querystring: StreamQuery, response: { 200: EventStream } } },
    async (req, reply) => {
      const p = principalOf(req);
      const header = req.headers['last-event-id'];
      const resumeFrom = req.query.lastEventId ?? (typeof header === 'string' && header ? header : undefined);
      if (resumeFrom && !isId('notification', resumeFrom)) {
        throw new AppError('VALIDATION_FAILED', 'Last-Event-ID is not a notification id', {
          details: { errors: [{ field: 'Last-Event-ID', message: 'invalid' }] },
        });
      }
      // Without the live channel the stream would silently never deliver, without the revocation
      // channel a logged-out stream would run on until its token expires: say so instead.
      await Promise.all([w.hub.start(), w.revocations.start()]).catch((cause) => {
        throw dependencyUnavailable('redis', cause);
      });

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

      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), o.heartbeatSeconds * 1000);
      const end = () => res.end();
      const unwatch = w.revocations.watch(p, (reason) => {
        req.log.info({ reason }, 'notification stream ended: token no longer valid');
        end();
      });
      let unlisten: (() => void) | undefined;
      let closed = false;
      res.on('close', () => {
        closed = true;
        clearInterval(heartbeat);
        unwatch();
        unlisten?.();
      });
      unlisten = await resumeLive<LiveNotification>({
        listen: (l) => w.hub.listen(p.userId, l, end),
        resumeFrom,
        replay: async (after) =>
          (await w.inbox.since(p.userId, after, o.replayLimit)).map((doc) => ({
            ...inboxView(doc),
            recipientId: p.userId,
          })),
        idOf: (n) => n.id,
        send: (n) => res.write(frame(n)),
      });
      // Closed during the replay: the close handler ran before the listener existed.
      if (closed) unlisten();
      req.log.info({ resumed: Boolean(resumeFrom) }, 'notification stream opened');
    },
  );
}
