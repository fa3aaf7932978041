import { readFileSync } from 'node:fs';
import { type Static, type TObject, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ConfigFields } from './fields.js';

export { loadEnvFile, parseEnvFile } from './env-file.js';
export { ConfigFields } from './fields.js';
export {
  EventsTopicConfigSchema,
  JwtSignerConfigSchema,
  JwtVerifierConfigSchema,
  MongoFlavourConfigSchema,
  mongoConfigSchema,
  queueConfigSchema,
  RedisConfigSchema,
  serviceConfigSchema,
} from './partials.js';

/** Thrown at start-up when the environment does not satisfy a service's config schema. */
export class ConfigError extends Error {
  constructor(readonly problems: { key: string; message: string }[]) {
    super(`Invalid configuration: ${problems.map((p) => `${p.key} (${p.message})`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses and validates the environment once. Strings are converted to the schema's types
 * (numbers, booleans), defaults applied, unknown keys ignored. Every bad key is named in
 * one error so an operator fixes them all at once instead of one restart per key.
 */
export function loadConfig<T extends TObject>(schema: T, env: NodeJS.ProcessEnv = process.env): Static<T> {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const v = env[key];
    if (v !== undefined && v !== '') picked[key] = v;
  }
  const withDefaults = Value.Default(schema, picked);
  const converted = Value.Convert(schema, withDefaults);
  const errors = [...Value.Errors(schema, converted)];
  if (errors.length > 0) {
    const seen = new Map<string, string>();
    for (const e of errors) {
      const key = e.path.replace(/^\//, '').split('/')[0] || '(root)';
      if (!seen.has(key)) seen.set(key, env[key] === undefined ? 'missing' : e.message);
    }
    // Required keys absent from env surface as "Expected required property".
    throw new ConfigError([...seen].map(([key, message]) => ({ key, message })));
  }
  return Object.freeze(converted) as Static<T>;
}

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

/** Inline PEM (with literal \n allowed) or the file's content; errors name the config key. */
export function readKeyPem(inline: string | undefined, file: string, inlineKey: string, fileKey: string): string {
  if (inline) return inline.replace(/\\n/g, '\n');
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const why = (err as { code?: string }).code ?? 'unreadable';
    throw new ConfigError([
      {
        key: fileKey,
        message: `cannot read ${file} (${why}); run scripts/ensure-keys.sh locally, or set ${inlineKey}`,
      },
    ]);
  }
}
