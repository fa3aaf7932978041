import { allowedSpans, covered, type Span } from './allow-list.js';
import { collapseRepeats, normalise } from './normalise.js';

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
// Written as the repeat-collapsed view spells them ("kill" → "kil"): that view is matched too.
const THREATS =
  /(?<![a-z])(?:kil+ (?:yo)?u|kil+ (?:yo)?urself|kys|hurt (?:yo)?u|i know where (?:yo)?u live|you(?:'| a)?re dead)(?![a-z])/;
// Rude but not obscene: delivered and held for a moderator, never refused.
const BORDERLINE =
  /(?<![a-z])(?:idiots?|stupid|moron(?:ic|s)?|dumb(?:as+)?|useles+|incompetent|shut up|hate (?:yo)?u|loser|pathetic|clown|quack|liar)(?![a-z])/;

function profane(view: string, matcher: ProfanityMatcher): boolean {
  const allowed = allowedSpans(view);
  return matcher.matches(view).some((m) => !covered(allowed, m));
}

/**
 * The categories a message falls in, after folding obfuscations and removing clinical
 * vocabulary. Two views are matched: the normalised text, and the same with repeated letters
 * reduced to one ("reeetaaard"), each with its own allow-list spans.
 */
export function classify(text: string, matcher: ProfanityMatcher): Category[] {
  const n = normalise(text);
  const views = [n, collapseRepeats(n)];
  const out: Category[] = [];
  if (views.some((v) => profane(v, matcher))) out.push('profanity');
  if (views.some((v) => THREATS.test(v))) out.push('threat');
  if (views.some((v) => BORDERLINE.test(v))) out.push('harassment');
  return out;
}

export function moderate(text: string, matcher: ProfanityMatcher, policy: ModerationPolicy): Verdict {
  const categories = classify(text, matcher);
  if (categories.length === 0) return { action: 'deliver' };
  const severe = categories.some((c) => c === 'profanity' || c === 'threat');
  if (severe && policy.profanity === 'reject') return { action: 'reject', categories };
  return { action: 'flag', categories };
}
