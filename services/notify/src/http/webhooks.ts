import { randomBytes } from 'node:crypto';
import { requireRole } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import type { BaseApp } from '@medvault/common/http';
import { Type } from '@sinclair/typebox';
import type { WebhookDoc } from '../adapters/mongo.js';
import { checkWebhookUrl } from '../adapters/webhook-target.js';
import type { Routed } from '../deps.js';
import { WebhookBody, WebhookParams, WebhookView } from './schemas.js';

type Wired = Routed;

const view = (h: WebhookDoc) => ({
  orgId: h._id,
  url: h.url,
  eventTypes: h.eventTypes,
  active: h.active,
  consecutiveFailures: h.consecutiveFailures,
});

export function webhookRoutes(app: BaseApp, w: Wired, now: () => Date) {
  const admin = { onRequest: app.authenticate, preHandler: requireRole('admin') };

  app.get(
    '/v1/notifications/webhooks',
    { ...admin, schema: { response: { 200: Type.Object({ items: Type.Array(WebhookView) }) } } },
    async () => ({
      items: (await w.c.webhooks.find({}).sort({ _id: 1 }).toArray()).map(view),
    }),
  );

  // Upsert per organisation. Re-enabling (active: true) resets the failure count.
  app.put(
    '/v1/notifications/webhooks',
    { ...admin, schema: { body: WebhookBody, response: { 200: WebhookView } } },
    async (req) => {
      const b = req.body;
      const problem = await checkWebhookUrl(b.url, w.allowPrivate);
      if (problem) {
        // The message names the rule, never what the host resolved to (no network reconnaissance).
        throw new AppError('VALIDATION_FAILED', `url ${problem}`, {
          details: { errors: [{ field: 'url', message: problem }] },
        });
      }
      const existing = await w.c.webhooks.findOne({ _id: b.orgId });
      const generated = !b.secret && !existing ? randomBytes(32).toString('hex') : undefined;
      const at = now();
      const doc: WebhookDoc = {
        _id: b.orgId,
        url: b.url,
        secret: b.secret ?? existing?.secret ?? generated!,
        eventTypes: b.eventTypes ?? null,
        active: b.active,
        consecutiveFailures: b.active ? 0 : (existing?.consecutiveFailures ?? 0),
        createdAt: existing?.createdAt ?? at,
        updatedAt: at,
      };
      await w.c.webhooks.replaceOne({ _id: b.orgId }, doc, { upsert: true });
      req.log.info({ orgId: b.orgId, active: b.active }, 'webhook configured');
      return { ...view(doc), ...(generated ? { secret: generated } : {}) };
    },
  );

  // Deleting abandons what is still queued for it: nothing is sent to a removed URL afterwards.
  app.delete(
    '/v1/notifications/webhooks/:orgId',
    { ...admin, schema: { params: WebhookParams, response: { 204: Type.Null() } } },
    async (req, reply) => {
      const { orgId } = req.params;
      const { deletedCount } = await w.c.webhooks.deleteOne({ _id: orgId });
      if (deletedCount === 0) throw new AppError('NOT_FOUND', 'Webhook not found');
      await w.c.deliveries.updateMany(
        { recipientId: orgId, channel: 'webhook', status: 'pending' },
        { $set: { status: 'abandoned', updatedAt: now() } },
      );
      req.log.info({ orgId }, 'webhook deleted');
      return reply.status(204).send(null);
    },
  );
}
