import { collapseRepeats } from './normalise.js';

/**
 * Clinical vocabulary a profanity matcher mistakes for abuse: anatomy, symptoms, procedures,
 * and people's names. A match lying entirely inside one of these spans is not a match.
 * Lowercase ASCII, as `normalise` produces; whole words (a phrase never matches inside a word).
 */
export const CLINICAL_PHRASES: readonly string[] = [
  // anatomy and findings
  'anal',
  'anus',
  'anal fissure',
  'analgesia',
  'analgesic',
  'analgesics',
  'anal fistula',
  'perianal',
  'vagina',
  'vaginal',
  'vaginal swab',
  'vaginosis',
  'vulva',
  'vulval',
  'penis',
  'penile',
  'scrotum',
  'scrotal',
  'testicle',
  'testicular',
  'testes',
  'breast',
  'breasts',
  'nipple',
  'nipples',
  'rectum',
  'rectal',
  'buttock',
  'buttocks',
  'cervix',
  'cervical',
  'clitoris',
  'clitoral',
  'labia',
  'urethra',
  'bladder',
  'bowel',
  'pubic',
  'groin',
  // symptoms, fluids and functions
  'semen',
  'seminal',
  'semen analysis',
  'sperm',
  'ejaculate',
  'ejaculation',
  'premature ejaculation',
  'erection',
  'erectile',
  'orgasm',
  'orgasms',
  'anorgasmia',
  'libido',
  'sex',
  'sexual',
  'sexually',
  'sex drive',
  'sexual health',
  'sexually transmitted',
  'stool',
  'stools',
  'feces',
  'faeces',
  'urine',
  'discharge',
  'ovulation',
  'menstruation',
  'intercourse',
  'masturbation',
  'pee',
  // procedures and tests
  'swab',
  'vaginal swab',
  'skin prick',
  'prick test',
  'skin prick test',
  'finger prick',
  'needle prick',
  'pap smear',
  'smear test',
  'colonoscopy',
  'sigmoidoscopy',
  'proctoscopy',
  'rectal exam',
  'cum laude',
  'sex education',
  'sex hormone',
  'sex chromosome',
  // surnames and places that contain a "bad" word
  'dickens',
  'dickinson',
  'dickson',
  'cockburn',
  'hancock',
  'babcock',
  'alcock',
  'peacock',
  'woodcock',
  'hitchcock',
  'glasscock',
  'cockerill',
  'shitake',
  'shiitake',
  'scunthorpe',
  'penistone',
  'middlesex',
  'essex',
  'sussex',
  'wessex',
  'cummings',
  'cumberland',
  'cumbria',
  'titmus',
  'titley',
  'fanny adams',
  'bitchfield',
];

const TITLES = ['dr', 'doctor', 'mr', 'mrs', 'ms', 'miss', 'prof', 'professor', 'nurse', 'sister', 'sir'];

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PHRASES = new RegExp(
  // Each phrase also as the repeat-collapsed view spells it ("middlesex" → "midlesex").
  `(?<![a-z])(?:${[...new Set([...CLINICAL_PHRASES, ...CLINICAL_PHRASES.map(collapseRepeats)])]
    .sort((a, b) => b.length - a.length)
    .map(escapeRe)
    .join('|')})(?![a-z])`,
  'g',
);
// A title followed by one or two names ("dr dick smith", "nurse fanny"): names are never abuse.
const TITLED_NAME = new RegExp(`(?<![a-z])(?:${TITLES.join('|')})\\.?\\s+[a-z]+(?:\\s+[a-z]+)?(?![a-z])`, 'g');

export interface Span {
  start: number;
  end: number;
}

/** The spans of `normalised` text covered by the clinical allow-list. */
export function allowedSpans(normalised: string): Span[] {
  const spans: Span[] = [];
  for (const re of [PHRASES, TITLED_NAME]) {
    for (const m of normalised.matchAll(re)) spans.push({ start: m.index, end: m.index + m[0].length });
  }
  return spans;
}

export const covered = (spans: Span[], s: Span) => spans.some((a) => a.start <= s.start && s.end <= a.end);
