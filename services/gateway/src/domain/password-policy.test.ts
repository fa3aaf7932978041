import { describe, expect, it } from 'vitest';
import { checkPassword, passwordProblem } from './password-policy.js';

const ctx = { email: 'ann.lee@example.org', name: 'Ann Lee' };

describe('password policy (NIST SP 800-63B)', () => {
  it.each([
    ['shorter than 12 characters', 'Xk9#mQ2!vL'],
    ['a run of identical characters', 'aaaaaaaaaaaa'],
    ['a run of identical characters inside', 'Blue-ffff-Harbor-7'],
    ['a repeated pattern', 'abcabcabcabc'],
    ['a repeated word', 'tangotangotango'],
    ['an ascending sequence', 'abcdefghijkl'],
    ['a descending sequence', '987654321zyx'],
    ['a sequence inside', 'River-12345-Stone'],
    ['a common password', 'password1234'],
    ['a common password with digits and symbols around it', '!!Sunshine2024!!'],
    ['a common password in upper case', 'QWERTYUIOP12'],
    ['the service name', 'my-MedVault-login'],
    ['the email local part', 'ann.lee-2026-login'],
    ['the name', 'AnnLee-secret-pass'],
  ])('refuses %s', (_why, password) => {
    expect(passwordProblem(password, ctx)).toBeTypeOf('string');
  });

  it.each([
    'correct horse battery staple',
    'Tr0ub4dor&3-Kettle-Vane',
    'ChangeMe-Admin-2026!',
    'ünïcödé-pässwörd-ßtrong',
  ])('accepts %s', (password) => {
    expect(passwordProblem(password, ctx)).toBeUndefined();
  });

  it('explains the refusal as a validation error on the password field, never echoing the password', () => {
    let err: unknown;
    try {
      checkPassword('password1234', ctx);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED', details: { errors: [{ field: 'password' }] } });
    expect(JSON.stringify(err)).not.toContain('password1234');
    expect((err as Error).message).not.toContain('password1234');
  });
});
