import { type TSchema, Type } from '@sinclair/typebox';
import { chatRoutes } from './chat-routes.js';
import {
  Appointment,
  AuditRecord,
  Cursor,
  FileRecord,
  FileStatus,
  Id,
  Iso,
  Limit,
  Notification,
  obj,
  Page,
} from './public-schemas.js';

/**
 * The public routes the gateway proxies to internal services, documented here (the services
 * own and validate them; these schemas describe the CONTRACT.md surface for API consumers).
 * Also used to name the route pattern and resource id of proxied requests in the access audit.
 */
export type Upstream = 'files' | 'appointments' | 'notify' | 'audit' | 'chat';

export interface PublicRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI path syntax: /v1/files/{id}. */
  path: string;
  upstream: Upstream;
  summary: string;
  tag: string;
  body?: TSchema;
  /** Documented request body media type (default application/json). */
  bodyType?: string;
  query?: TSchema;
  response: { status: number; schema?: TSchema; type?: string };
}

const EmergencyGrant = Type.Object({
  id: Id('grt'),
  userId: Id('usr'),
  patientId: Id('usr'),
  reason: Type.String(),
  createdAt: Iso,
  expiresAt: Iso,
});

const CareAssignment = Type.Object({
  clinicianId: Id('usr'),
  patientId: Id('usr'),
  assignedBy: Id('usr'),
  assignedAt: Iso,
});

const Webhook = Type.Object({
  orgId: Type.String(),
  url: Type.String(),
  eventTypes: Type.Union([Type.Array(Type.String()), Type.Null()]),
  active: Type.Boolean(),
  consecutiveFailures: Type.Integer(),
  secret: Type.Optional(Type.String({ description: 'returned once, when generated' })),
});

export const publicRoutes: PublicRoute[] = [
  {
    method: 'POST',
    path: '/v1/files',
    upstream: 'files',
    tag: 'files',
    summary: 'Upload a file (multipart: part `file`, optional `patientId`, `description`); streamed',
    bodyType: 'multipart/form-data',
    body: Type.Object({
      file: Type.String({ format: 'binary' }),
      patientId: Type.Optional(Id('usr')),
      description: Type.Optional(Type.String({ maxLength: 1000 })),
    }),
    response: { status: 202, schema: FileRecord },
  },
  {
    method: 'GET',
    path: '/v1/files',
    upstream: 'files',
    tag: 'files',
    summary: 'Files the caller may see',
    query: obj({
      patientId: Type.Optional(Id('usr')),
      status: Type.Optional(FileStatus),
      cursor: Cursor,
      limit: Limit,
    }),
    response: { status: 200, schema: Page(FileRecord) },
  },
  {
    method: 'GET',
    path: '/v1/files/{id}',
    upstream: 'files',
    tag: 'files',
    summary: 'File metadata incl. status',
    response: { status: 200, schema: FileRecord },
  },
  {
    method: 'DELETE',
    path: '/v1/files/{id}',
    upstream: 'files',
    tag: 'files',
    summary: 'Soft delete (restorable for 30 days)',
    response: { status: 200, schema: FileRecord },
  },
  {
    method: 'POST',
    path: '/v1/files/{id}/restore',
    upstream: 'files',
    tag: 'files',
    summary: 'Restore a soft-deleted file',
    response: { status: 200, schema: FileRecord },
  },
  {
    method: 'POST',
    path: '/v1/files/{id}/links',
    upstream: 'files',
    tag: 'files',
    summary: 'Create a time-bound download link bound to the caller',
    body: obj({
      ttlSeconds: Type.Optional(Type.Integer({ minimum: 1 })),
      maxDownloads: Type.Optional(Type.Integer({ minimum: 1 })),
    }),
    response: { status: 201, schema: Type.Object({ url: Type.String(), expiresAt: Iso }) },
  },
  {
    method: 'POST',
    path: '/v1/files/{id}/shares',
    upstream: 'files',
    tag: 'files',
    summary: 'Share a file with a user',
    body: obj({ userId: Id('usr'), expiresAt: Type.Optional(Iso) }),
    response: { status: 201 },
  },
  {
    method: 'DELETE',
    path: '/v1/files/{id}/shares/{userId}',
    upstream: 'files',
    tag: 'files',
    summary: 'Revoke a share',
    response: { status: 204 },
  },
  {
    method: 'GET',
    path: '/v1/links/{token}',
    upstream: 'files',
    tag: 'files',
    summary: 'Download through a link (only while available; Range supported; Repr-Digest header; images watermarked)',
    response: { status: 200, type: 'application/octet-stream', schema: Type.String({ format: 'binary' }) },
  },
  {
    method: 'POST',
    path: '/v1/admin/rescan',
    upstream: 'files',
    tag: 'files',
    summary: 'Rescan or release held files (admin)',
    body: Type.Object({ fileId: Type.Optional(Id('fil')) }),
    response: { status: 202 },
  },
  {
    method: 'POST',
    path: '/v1/emergency-access',
    upstream: 'files',
    tag: 'files',
    summary:
      'Break-glass: open a time-boxed emergency grant to one patient’s files (clinician or admin; a reason of 10+ characters; audited, compliance notified)',
    body: obj({ patientId: Id('usr'), reason: Type.String({ minLength: 10, maxLength: 1000 }) }),
    response: { status: 201, schema: EmergencyGrant },
  },
  {
    method: 'GET',
    path: '/v1/emergency-access',
    upstream: 'files',
    tag: 'files',
    summary: 'The caller’s emergency grants still running',
    response: { status: 200, schema: Type.Object({ items: Type.Array(EmergencyGrant) }) },
  },

  {
    method: 'POST',
    path: '/v1/appointments',
    upstream: 'appointments',
    tag: 'appointments',
    summary:
      'Book (409 when the clinician is taken). Booked by the patient: confirmed, the patient is in the clinician’s care; booked by the clinician or an admin: a proposal (`confirmed: false`) that confers no care until the patient confirms',
    body: obj({
      clinicianId: Id('usr'),
      patientId: Id('usr'),
      start: Iso,
      end: Iso,
      reason: Type.Optional(Type.String({ maxLength: 1000 })),
    }),
    response: { status: 201, schema: Appointment },
  },
  {
    method: 'GET',
    path: '/v1/appointments',
    upstream: 'appointments',
    tag: 'appointments',
    summary: 'Own schedule (clinician), own bookings (patient), all (admin)',
    query: obj({ from: Type.Optional(Iso), to: Type.Optional(Iso), cursor: Cursor, limit: Limit }),
    response: { status: 200, schema: Page(Appointment) },
  },
  {
    method: 'GET',
    path: '/v1/appointments/{id}',
    upstream: 'appointments',
    tag: 'appointments',
    summary: 'One appointment',
    response: { status: 200, schema: Appointment },
  },
  {
    method: 'PATCH',
    path: '/v1/appointments/{id}',
    upstream: 'appointments',
    tag: 'appointments',
    summary: 'Reschedule',
    body: obj({
      start: Type.Optional(Iso),
      end: Type.Optional(Iso),
      reason: Type.Optional(Type.String({ maxLength: 1000 })),
    }),
    response: { status: 200, schema: Appointment },
  },
  {
    method: 'POST',
    path: '/v1/appointments/{id}/cancel',
    upstream: 'appointments',
    tag: 'appointments',
    summary: 'Cancel',
    response: { status: 200, schema: Appointment },
  },
  {
    method: 'POST',
    path: '/v1/appointments/{id}/confirm',
    upstream: 'appointments',
    tag: 'appointments',
    summary:
      'The patient confirms an appointment booked for them; from then until the grace period after it ends, the clinician has the patient in care',
    response: { status: 200, schema: Appointment },
  },
  {
    method: 'PUT',
    path: '/v1/clinicians/{clinicianId}/patients/{patientId}',
    upstream: 'appointments',
    tag: 'appointments',
    summary: 'Admin: assign a patient to a clinician’s care (idempotent; until removed)',
    response: { status: 200, schema: CareAssignment },
  },
  {
    method: 'DELETE',
    path: '/v1/clinicians/{clinicianId}/patients/{patientId}',
    upstream: 'appointments',
    tag: 'appointments',
    summary: 'Admin: remove a care assignment (care ends unless a confirmed appointment still holds)',
    response: { status: 204 },
  },
  {
    method: 'GET',
    path: '/v1/clinicians/{clinicianId}/patients',
    upstream: 'appointments',
    tag: 'appointments',
    summary: 'Care assignments of a clinician (admin, or the clinician)',
    response: { status: 200, schema: Type.Object({ items: Type.Array(CareAssignment) }) },
  },
  {
    method: 'GET',
    path: '/v1/clinicians',
    upstream: 'appointments',
    tag: 'appointments',
    summary: 'Clinicians that can be booked',
    response: { status: 200, schema: Page(Type.Object({ id: Type.String() }, { additionalProperties: true })) },
  },

  {
    method: 'GET',
    path: '/v1/notifications',
    upstream: 'notify',
    tag: 'notifications',
    summary: 'Own inbox',
    query: obj({ cursor: Cursor, limit: Limit }),
    response: { status: 200, schema: Page(Notification) },
  },
  {
    method: 'POST',
    path: '/v1/notifications/{id}/read',
    upstream: 'notify',
    tag: 'notifications',
    summary: 'Mark read',
    response: { status: 200, schema: Notification },
  },
  {
    method: 'GET',
    path: '/v1/notifications/stream',
    upstream: 'notify',
    tag: 'notifications',
    summary:
      'Server-sent events (never buffered, no timeout); ends when the token is revoked or expires; 429 TOO_MANY_STREAMS past the per-user limit',
    response: { status: 200, type: 'text/event-stream', schema: Type.String() },
  },
  {
    method: 'GET',
    path: '/v1/notifications/webhooks',
    upstream: 'notify',
    tag: 'notifications',
    summary: 'Webhooks, one per organisation (admin; secrets never listed)',
    response: { status: 200, schema: Type.Object({ items: Type.Array(Webhook) }) },
  },
  {
    method: 'PUT',
    path: '/v1/notifications/webhooks',
    upstream: 'notify',
    tag: 'notifications',
    summary:
      'Create or replace an organisation’s webhook (admin). https only; loopback, private, link-local and other internal addresses are refused, in any notation and after DNS resolution (checked again at every delivery)',
    body: obj({
      orgId: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' })),
      url: Type.String({ maxLength: 2048 }),
      secret: Type.Optional(Type.String({ minLength: 32, maxLength: 256 })),
      eventTypes: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])),
      active: Type.Optional(Type.Boolean()),
    }),
    response: { status: 200, schema: Webhook },
  },
  {
    method: 'DELETE',
    path: '/v1/notifications/webhooks/{orgId}',
    upstream: 'notify',
    tag: 'notifications',
    summary: 'Delete an organisation’s webhook (admin); deliveries still queued for it are abandoned',
    response: { status: 204 },
  },

  {
    method: 'GET',
    path: '/v1/audit/events',
    upstream: 'audit',
    tag: 'audit',
    summary: 'Search the audit log (compliance, admin)',
    query: obj({
      actorId: Type.Optional(Type.String()),
      patientId: Type.Optional(Type.String()),
      resourceId: Type.Optional(Type.String()),
      action: Type.Optional(Type.String()),
      from: Type.Optional(Iso),
      to: Type.Optional(Iso),
      cursor: Cursor,
      limit: Limit,
    }),
    response: { status: 200, schema: Page(AuditRecord) },
  },
  {
    method: 'GET',
    path: '/v1/audit/export',
    upstream: 'audit',
    tag: 'audit',
    summary: 'Streamed export',
    query: obj({
      format: Type.Union([Type.Literal('jsonl'), Type.Literal('csv')]),
      from: Type.Optional(Iso),
      to: Type.Optional(Iso),
    }),
    response: { status: 200, type: 'application/x-ndjson', schema: Type.String() },
  },
  {
    method: 'GET',
    path: '/v1/audit/verify',
    upstream: 'audit',
    tag: 'audit',
    summary: 'Recompute the hash chain and check signed checkpoints',
    query: obj({ from: Type.Optional(Iso), to: Type.Optional(Iso) }),
    response: {
      status: 200,
      schema: Type.Object({
        ok: Type.Boolean(),
        checked: Type.Integer(),
        firstInvalid: Type.Optional(Type.String()),
        checkpoint: Type.Unknown(),
      }),
    },
  },
  ...chatRoutes,
];

/** Path prefixes routed to each upstream (path-preserving). */
export const upstreamPrefixes: Record<Upstream, string[]> = {
  files: ['/v1/files', '/v1/links', '/v1/admin/rescan', '/v1/emergency-access'],
  appointments: ['/v1/appointments', '/v1/clinicians'],
  notify: ['/v1/notifications'],
  audit: ['/v1/audit'],
  chat: ['/v1/conversations', '/v1/moderation'],
};
