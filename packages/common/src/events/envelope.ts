import { type Static, type TSchema, Type } from '@sinclair/typebox';

export const Role = Type.Union([
  Type.Literal('admin'),
  Type.Literal('clinician'),
  Type.Literal('patient'),
  Type.Literal('compliance'),
]);
export type Role = Static<typeof Role>;

/** Who caused an event, and from where (the gateway fills ip / userAgent). */
export const Actor = Type.Object({
  userId: Type.String({ minLength: 1 }),
  role: Type.Union([Role, Type.Literal('system')]),
  ip: Type.Optional(Type.String()),
  userAgent: Type.Optional(Type.String({ maxLength: 512 })),
});
export type Actor = Static<typeof Actor>;

export const EnvelopeBase = {
  id: Type.String({ pattern: '^evt_[0-9A-HJKMNP-TV-Z]{26}$' }),
  type: Type.String({ pattern: '^[a-z]+(\\.[a-z_]+)+$' }),
  version: Type.Integer({ minimum: 1 }),
  occurredAt: Type.String({ format: 'date-time' }),
  correlationId: Type.String({ minLength: 1, maxLength: 128 }),
  source: Type.String({ minLength: 1 }),
  actor: Type.Optional(Actor),
};

/** Envelope with unchecked data: the first validation step before the type's own schema. */
export const AnyEnvelope = Type.Object({ ...EnvelopeBase, data: Type.Unknown() });
export type AnyEnvelope = Static<typeof AnyEnvelope>;

export const envelopeOf = <T extends TSchema>(data: T) => Type.Object({ ...EnvelopeBase, data });

export const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$' });
export const Iso = Type.String({ format: 'date-time' });
export const Ref = Type.String({ minLength: 1, maxLength: 64 });
