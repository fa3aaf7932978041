import { Readable } from 'node:stream';
import { canReadAudit, principalOf } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import { createEvent } from '@medvault/common/events';
import type { BaseApp } from '@medvault/common/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { withoutId } from '../adapters/mongo-records.js';
import { exportRecords, type SearchFilters, searchRecords } from '../adapters/query.js';
import type { AuditCore } from '../deps.js';
import { csvHeader, csvRow } from './csv.js';
import { ExportQuery, ExportResponse, SearchQuery, SearchResponse, VerifyQuery, VerifyResponse } from './schemas.js';

function clientOf(req: FastifyRequest): { ip: string; userAgent?: string } {
  // The client address from the verified gateway assertion (common/http/callers.ts), never a header.
  const ip = req.clientIp;
  const ua = req.headers['user-agent'];
  return { ip, ...(typeof ua === 'string' ? { userAgent: ua.slice(0, 512) } : {}) };
}

const asStrings = (q: object): Record<string, string> =>
  Object.fromEntries(
    Object.entries(q)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, String(v)]),
  );

/**
 * Reading the audit log is itself recorded, before any data leaves (fail closed). The audit
 * service has no sns:Publish grant, so instead of a bus round trip the `audit.queried` event is
 * appended straight to the chain (same record shape, same idempotency, same ordering guarantees).
 */
async function recordQuery(
  audit: AuditCore,
  req: FastifyRequest,
  operation: 'search' | 'export' | 'verify',
  filters: object,
) {
  const p = principalOf(req);
  const event = createEvent(
    'audit.queried',
    { operation, filters: asStrings(filters) },
    { correlationId: req.id, source: 'audit', actor: { userId: p.userId, role: p.role, ...clientOf(req) } },
  );
  await audit.ingest(event);
}

export function auditRoutes(app: BaseApp, audit: AuditCore) {
  const guard = {
    onRequest: app.authenticate,
    preHandler: async (req: FastifyRequest) => {
      const d = canReadAudit(principalOf(req));
      if (!d.allowed) throw new AppError('FORBIDDEN', 'Only compliance officers and admins may read the audit log');
    },
  };

  app.get(
    '/v1/audit/events',
    { ...guard, schema: { querystring: SearchQuery, response: { 200: SearchResponse } } },
    async (req) => {
      const { cursor, limit, ...filters } = req.query;
      await recordQuery(audit, req, 'search', req.query);
      return searchRecords(audit.store.records, filters as SearchFilters, {
        limit,
        ...(cursor !== undefined ? { cursor: Number(cursor) } : {}),
      });
    },
  );

  app.get(
    '/v1/audit/export',
    { ...guard, schema: { querystring: ExportQuery, response: { 200: ExportResponse } } },
    async (req, reply) => {
      const { format, ...filters } = req.query;
      await recordQuery(audit, req, 'export', req.query);
      const source = exportRecords(audit.store.records, filters as SearchFilters);
      async function* lines() {
        if (format === 'csv') yield csvHeader();
        for await (const doc of source) {
          const r = withoutId(doc);
          yield format === 'csv' ? csvRow(r) : `${JSON.stringify(r)}\n`;
        }
      }
      const stream = Readable.from(lines());
      stream.on('error', (err) => req.log.error({ err }, 'audit export aborted'));
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      reply
        .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="audit-${stamp}.${format}"`)
        .header('cache-control', 'no-store');
      return sendStream(reply, stream);
    },
  );

  app.get(
    '/v1/audit/verify',
    { ...guard, schema: { querystring: VerifyQuery, response: { 200: VerifyResponse } } },
    async (req) => {
      if (req.query.from !== undefined && req.query.to !== undefined && req.query.to < req.query.from) {
        throw new AppError('VALIDATION_FAILED', 'to must not be before from');
      }
      await recordQuery(audit, req, 'verify', req.query);
      return audit.verify(req.query);
    },
  );
}

/**
 * A stream bypasses the serializer; the route's schema documents the body for OpenAPI, and its
 * typed reply (a string body) cannot express a stream, hence the untyped reply here.
 */
function sendStream(reply: FastifyReply, stream: Readable) {
  return reply.send(stream);
}
