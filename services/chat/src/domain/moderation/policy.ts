import { allowedSpans, covered, type Span } from './allow-list.js';
import { normalise } from './normalise.js';

/** Port: a maintained profanity matcher (adapters/obscenity-matcher.ts) run on normalised text. */
export interface ProfanityMatcher {
  matches(normalised: string): (Span & { term: string })[];
}

export type Verdict =
  | { action: 'deliver' }
  | { action: 'flag'; categories: Category[] }
  | { action: 'reject'; categories: Category[] };
export type Category = 'profanity' | 'threat' | 'harassment';

export interface ModerationPolicy {
  /** What a profanity or threat match does: refuse it, or deliver it and hold it for review. */
  profanity: 'reject' | 'flag';
}

// Threats the word matcher does not know: always the profanity action (reject by default).
const THREATS =
  /(?<![a-z])(?:kill (?:yo)?u|kill yourself|kys|hurt (?:yo)?u|i know where (?:yo)?u live|you(?:'| a)?re dead)(?![a-z])/;
// Rude but not obscene: delivered and held for a moderator, never refused.
const BORDERLINE =
  /(?<![a-z])(?:idiots?|stupid|moron(?:ic|s)?|dumb(?:ass)?|useless|incompetent|shut up|hate (?:yo)?u|loser|pathetic|clown|quack|liar)(?![a-z])/;

/** The categories a message falls in, after folding obfuscations and removing clinical vocabulary. */
export function classify(text: string, matcher: ProfanityMatcher): Category[] {
  const n = normalise(text);
  const allowed = allowedSpans(n);
  const out: Category[] = [];
  if (matcher.matches(n).some((m) => !covered(allowed, m))) out.push('profanity');
  if (THREATS.test(n)) out.push('threat');
  if (BORDERLINE.test(n)) out.push('harassment');
  return out;
}

export function moderate(text: string, matcher: ProfanityMatcher, policy: ModerationPolicy): Verdict {
  const categories = classify(text, matcher);
  if (categories.length === 0) return { action: 'deliver' };
  const severe = categories.some((c) => c === 'profanity' || c === 'threat');
  if (severe && policy.profanity === 'reject') return { action: 'reject', categories };
  return { action: 'flag', categories };
}
