import { type TInteger, type TString, Type } from '@sinclair/typebox';
import { ConfigFields } from './fields.js';

/**
 * Config pieces every service composes instead of redeclaring them:
 *
 *   Type.Object({
 *     ...serviceConfigSchema('FILES_PORT', 8081).properties,
 *     ...mongoConfigSchema('medvault_files').properties,
 *     ...RedisConfigSchema.properties,
 *     ...queueConfigSchema('FILES_QUEUE_NAME', 'medvault-files').properties,
 *     ...JwtVerifierConfigSchema.properties,
 *   })
 */

/** HOST, NODE_ENV, LOG_LEVEL and the service's own port key. */
export function serviceConfigSchema<K extends string>(portKey: K, defaultPort: number) {
  const port = { [portKey]: ConfigFields.port(defaultPort) } as { [P in K]: TInteger };
  return Type.Object({
    ...port,
    HOST: Type.String({ default: '127.0.0.1' }),
    NODE_ENV: ConfigFields.nodeEnv,
    LOG_LEVEL: ConfigFields.logLevel,
  });
}

/** Each service owns its database; tests point MONGO_DB at a scratch one. */
export function mongoConfigSchema(defaultDb: string) {
  return Type.Object({
    MONGO_URL: ConfigFields.url(),
    MONGO_DB: Type.String({ minLength: 1, default: defaultDb }),
  });
}

/**
 * Which server MONGO_URL is: `auto` (default) asks it at start-up (buildInfo); `mongodb`: atomic
 * single-document updates, retryable writes, no lock; `ferretdb`: the local stand-in's workaround.
 * Read by `resolveFlavour(config)` of `@medvault/common/mongo`, used by `platform.mongoWith`.
 */
export const MongoFlavourConfigSchema = Type.Object({
  MONGO_FLAVOUR: Type.Union([Type.Literal('auto'), Type.Literal('mongodb'), Type.Literal('ferretdb')], {
    default: 'auto',
  }),
});

export const RedisConfigSchema = Type.Object({ REDIS_URL: ConfigFields.url() });

/** The SNS topic every event is published to (services that publish). */
export const EventsTopicConfigSchema = Type.Object({ EVENTS_TOPIC_ARN: Type.String({ pattern: '^arn:aws:sns:' }) });

/** The service's own SQS queue: QUEUE_URL_BASE plus its `<SERVICE>_QUEUE_NAME` key. */
export function queueConfigSchema<K extends string>(nameKey: K, defaultName: string) {
  const name = { [nameKey]: Type.String({ minLength: 1, default: defaultName }) } as { [P in K]: TString };
  return Type.Object({ QUEUE_URL_BASE: ConfigFields.url(), ...name });
}

/** Verifying access tokens: every service that serves users (the public key, never the private one). */
export const JwtVerifierConfigSchema = Type.Object({
  JWT_PUBLIC_KEY: Type.Optional(Type.String({ minLength: 1 })),
  JWT_PUBLIC_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  JWT_ISSUER: Type.String({ default: 'medvault-gateway' }),
  JWT_AUDIENCE: Type.String({ default: 'medvault-api' }),
});

/** Signing access tokens: the gateway only. */
export const JwtSignerConfigSchema = Type.Object({
  JWT_PRIVATE_KEY: Type.Optional(Type.String({ minLength: 1 })),
  JWT_PRIVATE_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
});
