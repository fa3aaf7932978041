import type { NotificationDoc } from './ports.js';

/** The public shape of an inbox entry (API, live stream). */
export const inboxView = (n: NotificationDoc) => ({
  id: n._id,
  type: n.type,
  title: n.title,
  body: n.body,
  refs: n.refs,
  link: n.link,
  createdAt: n.createdAt.toISOString(),
  readAt: n.readAt ? n.readAt.toISOString() : null,
});
