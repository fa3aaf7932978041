import { AppError } from '@medvault/common/errors';
import zxcvbnCommon from '@zxcvbn-ts/language-common';

/**
 * Password rules of NIST SP 800-63B (5.1.1.2): at least 12 characters, no composition rules,
 * and a refusal of passwords that are commonly used, expected or compromised:
 *  - the blocklist is the `passwords-common` list of @zxcvbn-ts/language-common (~49,000 most
 *    common passwords seen in public breach corpora, maintained with zxcvbn-ts, MIT, shipped in
 *    the npm package: no network at run time). A password is refused when it, or its core with
 *    leading/trailing digits and symbols removed ("!!Sunshine2024!!" -> "sunshine"), is listed;
 *  - repetitive or sequential characters ("aaaa", "abcabcabc", "12345", "abcde");
 *  - context-specific words: the service name, the user's email local part and name.
 * Messages say why, never echo the password.
 */
export const MIN_LENGTH = 12;
const SERVICE_WORDS = ['medvault'];
const MAX_IDENTICAL_RUN = 3;
const MAX_SEQUENCE_RUN = 4;
const CONTEXT_MIN = 4;

const blocklist = new Set(zxcvbnCommon.dictionary['passwords-common']);

export interface PasswordContext {
  /** Omitted for the bootstrap admin, whose conventional address (admin@...) names its role. */
  email?: string;
  name?: string;
}

const letters = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

function identicalRun(pw: string): boolean {
  const chars = [...pw];
  let run = 1;
  for (let i = 1; i < chars.length; i++) {
    run = chars[i] === chars[i - 1] ? run + 1 : 1;
    if (run > MAX_IDENTICAL_RUN) return true;
  }
  return false;
}

/** A whole password made of one shorter unit repeated ("abcabcabcabc", "tangotangotango"). */
function repeatedUnit(pw: string): boolean {
  return /^(.+?)\1+$/su.test(pw);
}

/** Ascending or descending runs of consecutive code points ("12345", "edcba"). */
function sequenceRun(pw: string): boolean {
  const codes = [...pw.toLowerCase()].map((c) => c.codePointAt(0) ?? 0);
  let up = 1;
  let down = 1;
  for (let i = 1; i < codes.length; i++) {
    const step = codes[i]! - codes[i - 1]!;
    up = step === 1 ? up + 1 : 1;
    down = step === -1 ? down + 1 : 1;
    if (up > MAX_SEQUENCE_RUN || down > MAX_SEQUENCE_RUN) return true;
  }
  return false;
}

function common(pw: string): boolean {
  const lower = pw.toLowerCase();
  const core = lower.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
  return blocklist.has(lower) || (core.length > 0 && blocklist.has(core));
}

/** Why the password is refused (a sentence for the user), or undefined when it is acceptable. */
export function passwordProblem(password: string, ctx: PasswordContext): string | undefined {
  const pw = password.normalize('NFKC');
  if ([...pw].length < MIN_LENGTH) return `must be at least ${MIN_LENGTH} characters long`;
  if (identicalRun(pw) || repeatedUnit(pw)) return 'must not repeat the same character or pattern';
  if (sequenceRun(pw)) return 'must not contain a sequence of consecutive characters such as "12345" or "abcde"';
  if (common(pw)) return 'is a commonly used or breached password; choose a less predictable one';
  const flat = letters(pw);
  if (SERVICE_WORDS.some((w) => flat.includes(w))) return 'must not contain the name of the service (MedVault)';
  const local = letters(ctx.email?.split('@')[0] ?? '');
  if (local.length >= CONTEXT_MIN && flat.includes(local)) return 'must not contain your email address';
  const name = letters(ctx.name ?? '');
  if (name.length >= CONTEXT_MIN && flat.includes(name)) return 'must not contain your name';
  return undefined;
}

/** Throws 400 VALIDATION_FAILED naming the password field when the policy refuses it. */
export function checkPassword(password: string, ctx: PasswordContext): void {
  const problem = passwordProblem(password, ctx);
  if (!problem) return;
  throw new AppError('VALIDATION_FAILED', `Invalid body: password ${problem}`, {
    details: { errors: [{ field: 'password', message: problem }] },
  });
}
