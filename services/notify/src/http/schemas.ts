import { idPattern } from '@medvault/common/ids';
import { Type } from '@sinclair/typebox';

export const NotificationId = Type.String({ pattern: idPattern('notification') });
export const NotificationView = Type.Object({
  id: Type.String(),
  type: Type.String(),
  title: Type.String(),
  body: Type.String(),
  refs: Type.Record(Type.String(), Type.String()),
  link: Type.String(),
  createdAt: Type.String(),
  readAt: Type.Union([Type.String(), Type.Null()]),
});
export const InboxQuery = Type.Object(
  {
    cursor: Type.Optional(NotificationId),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
    unread: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const InboxPage = Type.Object({
  items: Type.Array(NotificationView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export const IdParams = Type.Object({ id: NotificationId }, { additionalProperties: false });
export const StreamQuery = Type.Object({ lastEventId: Type.Optional(NotificationId) }, { additionalProperties: false });

const Channel = Type.Union([Type.Literal('inbox'), Type.Literal('email')]);
export const PreferencesBody = Type.Object(
  {
    channels: Type.Object({ inbox: Type.Boolean(), email: Type.Boolean() }, { additionalProperties: false }),
    overrides: Type.Array(
      Type.Object(
        {
          eventType: Type.String({ pattern: '^[a-z]+(\\.[a-z_]+)+$', maxLength: 64 }),
          channel: Channel,
          enabled: Type.Boolean(),
        },
        { additionalProperties: false },
      ),
      { maxItems: 100, default: [] },
    ),
  },
  { additionalProperties: false },
);

const OrgId = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' });
export const WebhookParams = Type.Object({ orgId: OrgId }, { additionalProperties: false });
export const WebhookBody = Type.Object(
  {
    orgId: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$', default: 'default' }),
    /** https only (internal addresses refused, after DNS resolution too); see README "Webhooks". */
    url: Type.String({
      pattern: '^https?://',
      maxLength: 2048,
      description: 'https only; internal addresses refused, in any notation and after DNS resolution',
      examples: ['https://93.184.215.14/medvault-webhook'],
    }),
    /** Omitted: a new secret is generated and returned once. */
    secret: Type.Optional(Type.String({ minLength: 32, maxLength: 256 })),
    eventTypes: Type.Optional(Type.Union([Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 }), Type.Null()])),
    active: Type.Boolean({ default: true }),
  },
  { additionalProperties: false },
);
export const WebhookView = Type.Object({
  orgId: Type.String(),
  url: Type.String(),
  eventTypes: Type.Union([Type.Array(Type.String()), Type.Null()]),
  active: Type.Boolean(),
  consecutiveFailures: Type.Integer(),
  secret: Type.Optional(Type.String()),
});

/** Server-sent events (`id:` the notification id, `data:` its inbox view as JSON); heartbeat comments. */
export const EventStream = {
  description: 'Server-sent events, never buffered; ends when the token is revoked or expires',
  content: { 'text/event-stream': { schema: Type.String() } },
};
