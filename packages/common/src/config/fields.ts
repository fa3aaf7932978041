import { Type } from '@sinclair/typebox';

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
