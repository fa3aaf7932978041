import { principalOf } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import type { BaseApp } from '@medvault/common/http';
import type { Routed } from '../deps.js';
import { inboxView } from '../domain/inbox-view.js';
import { IdParams, InboxPage, InboxQuery, NotificationView, PreferencesBody } from './schemas.js';

type Wired = Routed;

export function inboxRoutes(app: BaseApp, w: Wired, now: () => Date) {
  // onRequest: an anonymous caller gets 401 before anything else is looked at.
  const auth = { onRequest: app.authenticate };

  app.get(
    '/v1/notifications',
    { ...auth, schema: { querystring: InboxQuery, response: { 200: InboxPage } } },
    async (req) => {
      const p = principalOf(req);
      const rows = await w.inbox.page(p.userId, req.query.limit + 1, req.query.cursor, req.query.unread === true);
      const page = rows.slice(0, req.query.limit);
      return {
        items: page.map(inboxView),
        nextCursor: rows.length > req.query.limit ? (page[page.length - 1]?._id ?? null) : null,
      };
    },
  );

  app.post(
    '/v1/notifications/:id/read',
    { ...auth, schema: { params: IdParams, response: { 200: NotificationView } } },
    async (req) => {
      const doc = await w.inbox.markRead(principalOf(req).userId, req.params.id, now());
      // Someone else's notification is "not found": ids must not reveal what exists.
      if (!doc) throw new AppError('NOT_FOUND', 'Notification not found');
      return inboxView(doc);
    },
  );

  app.get('/v1/notifications/preferences', { ...auth, schema: { response: { 200: PreferencesBody } } }, async (req) =>
    w.preferences.get(principalOf(req).userId),
  );

  app.put(
    '/v1/notifications/preferences',
    { ...auth, schema: { body: PreferencesBody, response: { 200: PreferencesBody } } },
    async (req) => {
      await w.preferences.put(principalOf(req).userId, req.body);
      return req.body;
    },
  );
}
