/**
 * Folds the tricks people use to slip abuse past a word filter into plain lowercase ASCII, so the
 * matcher sees what a reader sees: compatibility forms (NFKC: fullwidth, ligatures, circled and
 * mathematical letters), diacritics, look-alike letters of other scripts, invisible characters,
 * leetspeak digits and symbols, punctuation inside words and single letters spaced apart.
 * Pure and deterministic; the text it returns is never stored or logged.
 */

// Cyrillic, Greek and other letters that render like Latin ones (Unicode confusables, the subset
// that matters for English abuse); fullwidth and mathematical forms are already folded by NFKC.
const CONFUSABLES: Record<string, string> = {
  а: 'a',
  в: 'b',
  с: 'c',
  е: 'e',
  ё: 'e',
  һ: 'h',
  і: 'i',
  ї: 'i',
  ј: 'j',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  ԛ: 'q',
  г: 'r',
  ѕ: 's',
  т: 't',
  у: 'y',
  х: 'x',
  ү: 'y',
  ԝ: 'w',
  ɡ: 'g',
  ո: 'n',
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ω: 'w',
  μ: 'u',
  ς: 's',
  σ: 'o',
  ɑ: 'a',
  ı: 'i',
  ł: 'l',
  ø: 'o',
  đ: 'd',
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
};

// Digits and symbols standing in for letters. Applied everywhere: "5 mg" becoming "s mg" cannot
// create a match, while "sh1t" and "@ss" must become words.
const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '2': 'z',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '6': 'g',
  '7': 't',
  '8': 'b',
  '9': 'g',
  '@': 'a',
  $: 's',
  '!': 'i',
  '|': 'l',
  '€': 'e',
  '£': 'l',
  '¢': 'c',
  '+': 't',
};

const INVISIBLE = /[\u00AD\u061C\u115F\u1160\u17B4\u17B5\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFEFF]/gu;
const MARKS = /\p{M}+/gu;
// Punctuation people put between the letters of one word ("f.u.c.k", "sh-it", "c_o_c_k"): joined
// when every piece is short, so hyphenated words ("orgasm-related") stay two words.
const PUNCTUATED = /[a-z]+(?:[.\-_*~'`"^:;,/\\=]+[a-z]+)+/g;
const SEPARATORS = /[^a-z]+/;
// Three or more single letters separated by spaces or punctuation ("f u c k", "b . i . t . c . h").
const SPACED_LETTERS = /(?<![a-z])[a-z](?:[^a-z\n]{1,3}[a-z](?![a-z])){2,}/g;

export function normalise(text: string): string {
  let s = text.normalize('NFKC').replace(INVISIBLE, '');
  s = s.normalize('NFD').replace(MARKS, '').normalize('NFC').toLowerCase();
  let out = '';
  for (const ch of s) out += CONFUSABLES[ch] ?? LEET[ch] ?? ch;
  out = out.replace(PUNCTUATED, (run) => {
    const pieces = run.split(SEPARATORS);
    return pieces.every((p) => p.length <= 3) ? pieces.join('') : run;
  });
  return out.replace(SPACED_LETTERS, (run) => run.replace(/[^a-z]/g, ''));
}

/** Letters repeated for emphasis reduced to one ("kkkill youuu" → "kil you"): a second view to match. */
export const collapseRepeats = (normalised: string) => normalised.replace(/([a-z])\1+/g, '$1');
