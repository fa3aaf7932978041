import { describe, expect, it } from 'vitest';
import { obscenityMatcher } from '../../adapters/obscenity-matcher.js';
import { normalise } from './normalise.js';
import { classify, moderate } from './policy.js';

const matcher = obscenityMatcher();
const reject = { profanity: 'reject' as const };

describe('normalise', () => {
  it('folds look-alike letters, diacritics, fullwidth forms and invisible characters', () => {
    expect(normalise('ｆúсk\u200B')).toBe('fuck');
  });
  it('collapses leetspeak and letters spaced apart or joined by punctuation', () => {
    expect(normalise('sh1t')).toBe('shit');
    expect(normalise('f u c k you')).toBe('fuck you');
    expect(normalise('b.i.t.c.h')).toBe('bitch');
    expect(normalise('c_o_c_k')).toBe('cock');
  });
});

describe('moderation', () => {
  it.each([
    'f u c k you',
    'you are a b1tch',
    'ѕhіt doctor', // Cyrillic look-alikes
    'F.U.C.K off',
    'fuuuuck this clinic',
    'c*u*n*t',
    'I will kill you',
    'kkkill youuurseeelf',
    'yooouuu reeetaaard',
    'sUCk MY Dick',
  ])('rejects the obfuscated abuse %j', (text) => {
    expect(moderate(text, matcher, reject).action).toBe('reject');
  });

  it.each([
    'The anal fissure is healing',
    'We took a vaginal swab yesterday',
    'Dr Dick Smith will see you on Monday',
    'Semen analysis results are normal',
    'Skin prick test for allergy next week',
    'Please send 5 mg of the cream',
    'Appointment in Scunthorpe at 10:30',
    'Orgasm-related headaches are rare',
    'Analgesia was increased overnight',
    'You were referred to the Middlesex hospital',
  ])('delivers the clinical sentence %j', (text) => {
    expect(moderate(text, matcher, reject)).toEqual({ action: 'deliver' });
  });

  it('flags rude but not obscene messages instead of rejecting them', () => {
    expect(moderate('you are useless and stupid', matcher, reject)).toEqual({
      action: 'flag',
      categories: ['harassment'],
    });
  });

  it('flags profanity instead of rejecting it when the policy says flag', () => {
    expect(moderate('this is shit', matcher, { profanity: 'flag' }).action).toBe('flag');
    expect(classify('this is shit', matcher)).toEqual(['profanity']);
  });
});
