import { type Static, type TObject, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export { loadEnvFile, parseEnvFile } from './env-file.js';

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

/** Common schema pieces so every service spells shared keys the same way. */
export const ConfigFields = {
  nodeEnv: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], {
    default: 'development',
  }),
  logLevel: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  port: (def: number) => Type.Integer({ minimum: 0, maximum: 65535, default: def }),
  url: () => Type.String({ pattern: '^[a-z][a-z0-9+.-]*://' }),
  nonEmpty: (opts: { default?: string } = {}) => Type.String({ minLength: 1, ...opts }),
  seconds: (def: number) => Type.Integer({ minimum: 1, default: def }),
};

/** AWS settings shared by every service that talks to the emulator or to AWS. */
export const AwsConfigSchema = Type.Object({
  AWS_REGION: Type.String({ minLength: 1, default: 'us-east-1' }),
  AWS_ENDPOINT_URL: Type.Optional(ConfigFields.url()),
  AWS_ACCESS_KEY_ID: Type.Optional(Type.String({ minLength: 1 })),
  AWS_SECRET_ACCESS_KEY: Type.Optional(Type.String({ minLength: 1 })),
});
export type AwsConfig = Static<typeof AwsConfigSchema>;
