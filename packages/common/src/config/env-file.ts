import { existsSync, readFileSync } from 'node:fs';

/** Parses KEY=VALUE lines (comments and blanks ignored; surrounding quotes stripped). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    out[key] = value;
  }
  return out;
}

/**
 * Loads an env file into `target` without overriding keys that are already set, so an
 * explicit environment always wins over the file. A missing file is not an error.
 */
export function loadEnvFile(path: string | URL, target: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (!existsSync(path)) return {};
  const values = parseEnvFile(readFileSync(path, 'utf8'));
  for (const [k, v] of Object.entries(values)) if (target[k] === undefined) target[k] = v;
  return values;
}
