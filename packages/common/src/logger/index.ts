import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths never written to logs: credentials, tokens, and fields that may carry PHI
 * (names, emails, free text, file names). Logs carry ids, never identities.
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'newPassword',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'dataKey',
  '*.dataKey',
  'wrappedKey',
  '*.wrappedKey',
  'secret',
  '*.secret',
  'email',
  '*.email',
  'name',
  '*.name',
  'filename',
  '*.filename',
  'description',
  '*.description',
  'reason',
  '*.reason',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-internal-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
];

export interface LoggerConfig {
  service: string;
  level?: string;
  /** Extra pino options (tests pass a destination stream). */
  destination?: NodeJS.WritableStream;
}

export function createLogger(cfg: LoggerConfig): Logger {
  const options: LoggerOptions = {
    level: cfg.level ?? 'info',
    base: { service: cfg.service },
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // Request URLs may hold signed link tokens: log the route, not the query.
    serializers: {
      req: (req: { method?: string; url?: string; id?: string; routeOptions?: { url?: string } }) => ({
        method: req.method,
        url: req.routeOptions?.url ?? req.url?.split('?')[0],
        id: req.id,
      }),
      err: pino.stdSerializers.err,
    },
  };
  return cfg.destination ? pino(options, cfg.destination as pino.DestinationStream) : pino(options);
}
