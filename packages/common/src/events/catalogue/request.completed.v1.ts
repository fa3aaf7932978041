import { Type } from '@sinclair/typebox';
import { Ref } from '../envelope.js';

export const type = 'request.completed';
export const version = 1;
export const schema = Type.Object({
  method: Type.String(),
  route: Type.String(),
  status: Type.Integer(),
  durationMs: Type.Number({ minimum: 0 }),
  resourceType: Type.Optional(Type.String()),
  resourceId: Type.Optional(Ref),
  patientId: Type.Optional(Ref),
  /**
   * The caller's own x-request-id, a correlation hint only (the envelope's correlationId is the
   * gateway-minted request id). Optional and additive: v1 consumers ignore it.
   */
  clientRequestId: Type.Optional(Type.String({ maxLength: 64 })),
});
