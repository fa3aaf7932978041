import { Type } from '@sinclair/typebox';

const Id = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' });
const Time = Type.String({ format: 'date-time' });

const Filters = {
  actorId: Type.Optional(Id),
  patientId: Type.Optional(Id),
  resourceId: Type.Optional(Id),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z]+(\\.[a-z_]+)+$' })),
  from: Type.Optional(Time),
  to: Type.Optional(Time),
};

export const SearchQuery = Type.Object(
  {
    ...Filters,
    cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,12}$', description: 'nextCursor of the previous page' })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  },
  { additionalProperties: false },
);

export const ExportQuery = Type.Object(
  { ...Filters, format: Type.Union([Type.Literal('jsonl'), Type.Literal('csv')], { default: 'jsonl' }) },
  { additionalProperties: false },
);

export const VerifyQuery = Type.Object(
  {
    from: Type.Optional(Type.Integer({ minimum: 1, description: 'first sequence number (default 1)' })),
    to: Type.Optional(Type.Integer({ minimum: 1, description: 'last sequence number (default: the head)' })),
  },
  { additionalProperties: false },
);

export const AuditRecordSchema = Type.Object({
  seq: Type.Integer(),
  eventId: Type.String(),
  type: Type.String(),
  version: Type.Integer(),
  occurredAt: Type.String(),
  recordedAt: Type.String(),
  source: Type.String(),
  actor: Type.Optional(
    Type.Object({
      userId: Type.String(),
      role: Type.String(),
      ip: Type.Optional(Type.String()),
      userAgent: Type.Optional(Type.String()),
    }),
  ),
  action: Type.String(),
  resource: Type.Optional(Type.Object({ type: Type.String(), id: Type.Optional(Type.String()) })),
  patientId: Type.Optional(Type.String()),
  outcome: Type.Union([Type.Literal('success'), Type.Literal('denied'), Type.Literal('failure')]),
  requestId: Type.String(),
  data: Type.Object({}, { additionalProperties: true }),
  prevHash: Type.String(),
  hash: Type.String(),
});

export const SearchResponse = Type.Object({
  items: Type.Array(AuditRecordSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const VerifyResponse = Type.Object({
  ok: Type.Boolean(),
  checked: Type.Integer(),
  checkpointsChecked: Type.Integer(),
  from: Type.Integer(),
  lastSeq: Type.Integer(),
  firstInvalid: Type.Optional(Type.Integer()),
  reason: Type.Optional(Type.String()),
  checkpoint: Type.Union([Type.Object({ seq: Type.Integer(), hash: Type.String(), time: Type.String() }), Type.Null()]),
});

export const ExportResponse = Type.String({ description: 'application/x-ndjson or text/csv, streamed' });
