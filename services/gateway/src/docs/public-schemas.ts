import { type TSchema, Type } from '@sinclair/typebox';

/** Shapes of the proxied public routes, for the OpenAPI document (the services own the real ones). */
export const Id = (prefix: string) => Type.String({ pattern: `^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$` });
export const Cursor = Type.Optional(Type.String({ maxLength: 200 }));
export const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 100 }));
export const Iso = Type.String({ format: 'date-time' });
export const Page = (item: TSchema) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
export const obj = (props: Parameters<typeof Type.Object>[0]) => Type.Object(props, { additionalProperties: false });

export const FileStatus = Type.Union(
  ['quarantined', 'clean', 'available', 'infected', 'scan_failed', 'deleted', 'purged'].map((s) => Type.Literal(s)),
);
export const FileRecord = Type.Object({
  id: Id('fil'),
  status: FileStatus,
  name: Type.String(),
  size: Type.Integer(),
  sha256: Type.String(),
  contentType: Type.String(),
  ownerId: Type.String(),
  patientId: Type.Optional(Type.String()),
  duplicate: Type.Optional(Type.Boolean()),
});
export const Appointment = Type.Object({
  id: Id('apt'),
  clinicianId: Type.String(),
  patientId: Type.String(),
  start: Iso,
  end: Iso,
  status: Type.String(),
  confirmed: Type.Boolean({
    description: 'booked or confirmed by the patient: only a confirmed appointment puts the patient in care',
  }),
  confirmedAt: Type.Optional(Iso),
  reason: Type.Optional(Type.String()),
});
export const Notification = Type.Object({ id: Id('ntf'), type: Type.String(), createdAt: Iso, read: Type.Boolean() });
export const AuditRecord = Type.Object(
  { id: Type.String(), action: Type.String(), actorId: Type.String(), occurredAt: Iso },
  { additionalProperties: true },
);
