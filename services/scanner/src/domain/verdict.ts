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
 * With AlertEncrypted* / AlertExceedsMax / AlertBrokenMedia, clamd reports what it could NOT inspect as a FOUND
 * "signature" under these prefixes. They are not malware findings but unknowns: a policy decides.
 */
const UNSCANNABLE_PREFIXES = ['Heuristics.Encrypted.', 'Heuristics.Limits.Exceeded', 'Heuristics.Broken.Media.'];

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

/**
 * What the scanner's own archive check found (see adapters/archive-inspector.ts). `broken`:
 * the archive is malformed or shows different members to different readers — always refused;
 * `unscannable`: it is well formed but cannot be fully inspected (encrypted member, unsupported
 * compression, limits) — the same policy as clamd's Heuristics.Encrypted/Limits findings.
 */
export interface ArchiveFinding {
  kind: 'broken' | 'unscannable';
  /** Reported as a signature name, e.g. "MedVault.Archive.Mismatch". Never contains member names. */
  code: string;
  message: string;
}

/** Everything one file produced: clamd's reply for the whole file and each archive member, and our findings. */
export interface ScanReport {
  replies: string[];
  findings: ArchiveFinding[];
  /** The file is DICOM Part 10 by content: a 128-byte preamble then "DICM" (see tolerateDicomPreamble). */
  dicomPart10?: boolean;
  /**
   * What each stream of `replies` was, in the same order: a DICOM Part 10 stream, a ZIP whose
   * every member was then scanned as a stream of its own, or anything else.
   */
  layers?: ('dicom' | 'zip' | 'other')[];
}

const TIFF_PREAMBLE_FINDING = 'Heuristics.Broken.Media.TIFF.';

/**
 * PS3.10 7.5 lets the 128-byte preamble of a DICOM file hold a TIFF header (dual-personality
 * files; pydicom's CT_small and MR_small are such). clamd then parses the file as a TIFF whose
 * directory points into DICOM data and reports Heuristics.Broken.Media.TIFF.*, which blocked
 * genuine studies as unscannable. MedVault never serves a DICOM as TIFF (its type is sniffed
 * from DICM, served with nosniff), so for the whole-file reply of a DICOM Part 10 file that
 * finding alone is not a reason to refuse. Anything else still counts: a real signature (clamd
 * reports heuristics only when no signature matched the whole file), other broken media,
 * encrypted/limits findings, errors.
 */
export function tolerateDicomPreamble(report: ScanReport): ScanReport {
  const onlyTiff = (reply: string | undefined) => {
    const r = parseScanReply(reply ?? '');
    return r.kind === 'found' && r.signatures.every((s) => s.startsWith(TIFF_PREAMBLE_FINDING));
  };
  if (!report.layers) {
    if (!report.dicomPart10 || report.replies.length === 0) return report;
    const [whole, ...rest] = report.replies;
    return onlyTiff(whole) ? { ...report, replies: ['stream: OK', ...rest] } : report;
  }
  // A study ZIP of such files: clamd reports the preamble's TIFF on the ZIP itself too, because it
  // recurses into the members. Each member was also scanned as a stream of its own, so the ZIP's
  // TIFF-only finding is forgiven only when a DICOM member explains it; a non-DICOM member with a
  // broken TIFF still refuses the whole archive through its own reply.
  const layers = report.layers;
  const dicomTiff = report.replies.some((r, i) => layers[i] === 'dicom' && onlyTiff(r));
  const replies = report.replies.map((r, i) =>
    onlyTiff(r) && (layers[i] === 'dicom' || (layers[i] === 'zip' && dicomTiff)) ? 'stream: OK' : r,
  );
  return { ...report, replies };
}

/**
 * Combines every reply and finding, fail closed: a real signature anywhere → infected; any clamd
 * error → error; a broken archive → error (never subject to the policy); only unknowns →
 * policy; clean only when every reply is "stream: OK" and nothing was found.
 */
export function decideAll(scanned: ScanReport, policy: UnscannablePolicy): Decision {
  const report = tolerateDicomPreamble(scanned);
  if (report.replies.length === 0) return { verdict: 'error', signatures: [], error: 'nothing was scanned' };
  const parsed = report.replies.map(parseScanReply);
  const found = [...new Set(parsed.flatMap((r) => (r.kind === 'found' ? r.signatures : [])))];
  const codes = [...new Set(report.findings.map((f) => f.code))];
  const signatures = [...new Set([...found, ...codes])];
  if (found.some((s) => !isUnscannableSignature(s))) return { verdict: 'infected', signatures };
  const failed = parsed.find((r) => r.kind === 'error');
  if (failed?.kind === 'error') return { verdict: 'error', signatures, error: failed.message };
  const broken = report.findings.find((f) => f.kind === 'broken');
  if (broken) return { verdict: 'error', signatures, error: `archive refused: ${broken.message}` };
  if (signatures.length === 0) return { verdict: 'clean', signatures: [] };
  if (policy === 'allow') return { verdict: 'clean', signatures: [] };
  const why = [...found, ...report.findings.map((f) => f.message)].join(', ');
  return { verdict: 'error', signatures, error: `unscannable: ${why}`.slice(0, 300) };
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
