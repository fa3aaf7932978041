/**
 * Pure interpretation of clamd answers. No I/O here: the adapters hand in raw replies, these
 * functions decide what they mean, fail closed.
 */

export type Verdict = 'clean' | 'infected' | 'error';
export type UnscannablePolicy = 'block' | 'allow';

/** What clamd said about one stream, already parsed from its reply line. */
export type ScanReply = { kind: 'ok' } | { kind: 'found'; signatures: string[] } | { kind: 'error'; message: string };

export interface Decision {
  verdict: Verdict;
  signatures: string[];
  error?: string;
}

/*
 * With AlertEncrypted* / AlertExceedsMax, clamd reports what it could NOT inspect as a FOUND
 * "signature" under these prefixes. They are not malware findings but unknowns: a policy decides.
 */
const UNSCANNABLE_PREFIXES = ['Heuristics.Encrypted.', 'Heuristics.Limits.Exceeded'];

export function isUnscannableSignature(sig: string): boolean {
  return UNSCANNABLE_PREFIXES.some((p) => sig.startsWith(p));
}

/**
 * Parses one INSTREAM reply ("stream: OK", "stream: <sig> FOUND", "<msg> ERROR"). Anything
 * else is an error: an unexpected answer must never read as clean.
 */
export function parseScanReply(raw: string): ScanReply {
  const text = raw.replace(/\0/g, '').trim();
  if (/^stream: OK$/.test(text)) return { kind: 'ok' };
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const found = lines.map((l) => /^stream: (.+) FOUND$/.exec(l)?.[1]).filter((s): s is string => Boolean(s));
  if (found.length > 0 && found.length === lines.length) return { kind: 'found', signatures: [...new Set(found)] };
  const err = /^(.*)\s*ERROR$/.exec(text);
  return {
    kind: 'error',
    message: (err?.[1] ?? `unexpected clamd reply: ${text}`).trim().slice(0, 300) || 'clamd error',
  };
}

/** Maps a reply to a verdict: real findings → infected; only unknowns → policy; errors → error. */
export function decide(reply: ScanReply, policy: UnscannablePolicy): Decision {
  if (reply.kind === 'ok') return { verdict: 'clean', signatures: [] };
  if (reply.kind === 'error') return { verdict: 'error', signatures: [], error: reply.message };
  const malware = reply.signatures.filter((s) => !isUnscannableSignature(s));
  if (malware.length > 0) return { verdict: 'infected', signatures: reply.signatures };
  if (policy === 'allow') return { verdict: 'clean', signatures: [] };
  return { verdict: 'error', signatures: reply.signatures, error: `unscannable: ${reply.signatures.join(', ')}` };
}

export interface EngineVersion {
  /** e.g. "ClamAV 1.4.6" */
  engine: string;
  /** daily database version, "0" when clamd reports none (local test database without CVD). */
  databaseVersion: string;
  /** ISO date of the database build when known. */
  databaseDate?: string;
}

/**
 * Parses the VERSION reply "ClamAV 1.4.6/27500/Sun Nov 22 09:00:00 2026". Without an official
 * database (our local .ndb) clamd answers only "ClamAV 1.4.6": version "0" sorts before every
 * real one, so "rescan everything older than X" includes those files (the safe direction).
 */
export function parseVersion(raw: string): EngineVersion {
  const [engine = 'unknown', db, date] = raw.replace(/\0/g, '').trim().split('/');
  const parsed = date ? new Date(`${date.trim()} UTC`) : undefined;
  const out: EngineVersion = {
    engine: engine.trim() || 'unknown',
    databaseVersion: db && /^\d+$/.test(db.trim()) ? db.trim() : '0',
  };
  if (parsed && !Number.isNaN(parsed.getTime())) out.databaseDate = parsed.toISOString();
  return out;
}

/** Age of the signature database in seconds, or undefined when clamd does not report its date. */
export function databaseAgeSeconds(v: EngineVersion, now: Date): number | undefined {
  if (!v.databaseDate) return undefined;
  return Math.max(0, Math.round((now.getTime() - Date.parse(v.databaseDate)) / 1000));
}
