import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** The parts of an OpenAPI 3.1 document the gateway reads (the rest passes through untouched). */
const Json = Type.Record(Type.String(), Type.Unknown());
const Parameter = Type.Object(
  {
    name: Type.String(),
    in: Type.String(),
    required: Type.Optional(Type.Boolean()),
    description: Type.Optional(Type.String()),
    schema: Type.Optional(Json),
  },
  { additionalProperties: true },
);
export const Operation = Type.Object(
  {
    tags: Type.Optional(Type.Array(Type.String())),
    summary: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    /** Which service serves it, in the merged document (the e2e conformance test picks these). */
    'x-upstream': Type.Optional(Type.String()),
    parameters: Type.Optional(Type.Array(Parameter)),
    requestBody: Type.Optional(Json),
    responses: Type.Record(Type.String(), Json),
  },
  { additionalProperties: true },
);
export const OpenApiDocument = Type.Object(
  {
    openapi: Type.String(),
    info: Json,
    paths: Type.Record(Type.String(), Type.Record(Type.String(), Operation)),
    components: Type.Optional(Type.Object({ schemas: Type.Optional(Json) }, { additionalProperties: true })),
  },
  { additionalProperties: true },
);
export type Operation = Static<typeof Operation>;
export type OpenApiDocument = Static<typeof OpenApiDocument>;

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** A document checked to have the shape the gateway relies on (a generated file, or a service's app). */
export function asOpenApiDocument(doc: unknown, what: string): OpenApiDocument {
  if (!Value.Check(OpenApiDocument, doc)) {
    const first = Value.Errors(OpenApiDocument, doc).First();
    throw new Error(`${what}: not an OpenAPI document (${first?.path} ${first?.message})`);
  }
  return doc;
}
