import { readFileSync } from 'node:fs';
import type { Static, TObject } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export { loadEnvFile, parseEnvFile } from './env-file.js';
export { ConfigFields } from './fields.js';
export {
  type AwsConfig,
  AwsConfigSchema,
  EventsTopicConfigSchema,
  type GatewayAssertionKeyConfig,
  GatewayAssertionKeyConfigSchema,
  type GatewayAssertionSignerConfig,
  GatewayAssertionSignerConfigSchema,
  internalServiceConfigSchema,
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
