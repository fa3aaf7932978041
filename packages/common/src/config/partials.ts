import { type Static, type TInteger, type TString, Type } from '@sinclair/typebox';
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

/** AWS settings shared by every service that talks to the emulator or to AWS. */
export const AwsConfigSchema = Type.Object({
  AWS_REGION: Type.String({ minLength: 1, default: 'us-east-1' }),
  AWS_ENDPOINT_URL: Type.Optional(ConfigFields.url()),
  AWS_ACCESS_KEY_ID: Type.Optional(Type.String({ minLength: 1 })),
  AWS_SECRET_ACCESS_KEY: Type.Optional(Type.String({ minLength: 1 })),
});
export type AwsConfig = Static<typeof AwsConfigSchema>;

/**
 * The gateway assertion key pair (auth/internal.ts). Internal services hold the public key,
 * only the gateway the private one. Defaults point at the local stack's files, created by
 * scripts/ensure-keys.sh next to the access-token keys; production sets its own paths (or the
 * inline PEM). A missing or wrong key stops the service at start with the key's name.
 */
export const GatewayAssertionKeyConfigSchema = Type.Object({
  GATEWAY_ASSERTION_PUBLIC_KEY: Type.Optional(Type.String({ minLength: 1 })),
  GATEWAY_ASSERTION_PUBLIC_KEY_FILE: Type.String({ minLength: 1, default: '.local/state/internal/public.pem' }),
});
export type GatewayAssertionKeyConfig = Static<typeof GatewayAssertionKeyConfigSchema>;

export const GatewayAssertionSignerConfigSchema = Type.Object({
  GATEWAY_ASSERTION_PRIVATE_KEY: Type.Optional(Type.String({ minLength: 1 })),
  GATEWAY_ASSERTION_PRIVATE_KEY_FILE: Type.String({ minLength: 1, default: '.local/state/internal/private.pem' }),
  /** Lifetime of one assertion: it only has to outlive the hop from the gateway to the service. */
  GATEWAY_ASSERTION_TTL_SECONDS: Type.Integer({ minimum: 5, maximum: 300, default: 60 }),
});
export type GatewayAssertionSignerConfig = Static<typeof GatewayAssertionSignerConfigSchema>;

type Nothing = Record<never, never>;
type MongoProps = ReturnType<typeof mongoConfigSchema>['properties'];
type EventsTopicProps = (typeof EventsTopicConfigSchema)['properties'];

/**
 * What every internal service behind the gateway reads, whatever it does: AWS, its port (with
 * HOST, NODE_ENV, LOG_LEVEL), Redis, its own queue, the access-token public key (users it serves,
 * and attribution of direct hits) and the gateway assertion key (requests are accepted only with
 * the gateway's assertion, auth/internal.ts); with `database` its own Mongo database, with
 * `publishes` the events topic. The service adds its own keys (and `MongoFlavourConfigSchema` when
 * its writes compare-and-set):
 *
 *   Type.Object({
 *     ...internalServiceConfigSchema({
 *       port: ['FILES_PORT', 8081],
 *       queue: ['FILES_QUEUE_NAME', 'medvault-files'],
 *       database: 'medvault_files',
 *       publishes: true,
 *     }).properties,
 *     BUCKET_CLEAN: ConfigFields.nonEmpty(),
 *   })
 */
export function internalServiceConfigSchema<
  P extends string,
  Q extends string,
  D extends string | undefined = undefined,
  E extends boolean = false,
>(o: { port: [key: P, defaultPort: number]; queue: [key: Q, defaultName: string]; database?: D; publishes?: E }) {
  // The optional parts are typed by what was asked: no MONGO_URL in the type of a service without a database.
  const mongo = (o.database === undefined ? {} : mongoConfigSchema(o.database).properties) as D extends string
    ? MongoProps
    : Nothing;
  const events = (o.publishes ? EventsTopicConfigSchema.properties : {}) as E extends true ? EventsTopicProps : Nothing;
  return Type.Object({
    ...AwsConfigSchema.properties,
    ...serviceConfigSchema(o.port[0], o.port[1]).properties,
    ...mongo,
    ...RedisConfigSchema.properties,
    ...events,
    ...queueConfigSchema(o.queue[0], o.queue[1]).properties,
    ...JwtVerifierConfigSchema.properties,
    ...GatewayAssertionKeyConfigSchema.properties,
  });
}
