import { describe, expect, it } from 'vitest';
import { dummyHash, hashPassword, verifyPassword } from './passwords.js';

describe('password hashing', () => {
  it('verifies the password it hashed and refuses another one', async () => {
    const h = await hashPassword('correct horse battery');
    expect(h).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('correct horse battery', h)).toBe(true);
    expect(await verifyPassword('correct horse batterz', h)).toBe(false);
  });

  it('salts every hash so equal passwords give different hashes', async () => {
    expect(await hashPassword('same password!')).not.toBe(await hashPassword('same password!'));
  });

  it('never matches a malformed stored hash', async () => {
    for (const bad of [
      '',
      'plain',
      'scrypt$1$2$3',
      'bcrypt$16384$8$1$AAAA$BBBB',
      'scrypt$x$8$1$AAAA$BBBB',
      'scrypt$16384$8$1$AAAA$BBBB',
    ]) {
      expect(await verifyPassword('anything', bad)).toBe(false);
    }
  });

  it('keeps a reusable dummy hash that no guess matches', async () => {
    const d = await dummyHash();
    expect(await dummyHash()).toBe(d);
    expect(await verifyPassword('', d)).toBe(false);
  });
});
