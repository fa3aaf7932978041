import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { flavourOf, semanticsFor } from './index.js';

/** A Redis that fails the test if anything asks for it: the MongoDB path must not need Redis. */
const untouchable = (): Redis => {
  throw new Error('Redis asked for on the MongoDB path');
};

describe('choosing the database semantics from the server', () => {
  it('recognises FerretDB by the ferretdbVersion field of buildInfo', () => {
    expect(flavourOf({ version: '7.0.42', ferretdbVersion: 'v1.24.0', ok: 1 })).toBe('ferretdb');
  });

  it('takes a buildInfo without FerretDB fields for MongoDB', () => {
    expect(flavourOf({ version: '7.0.14', gitVersion: 'ce59cfc6a3c5e5c067dca0d30697edd68d4f5188', ok: 1 })).toBe(
      'mongodb',
    );
  });

  it('gives MongoDB retryable writes and runs its writes without any lock', async () => {
    const s = semanticsFor('mongodb', untouchable, 'p');
    expect(s.retryWrites).toBe(true);
    const guard = s.guard('file');
    expect(guard.name).toBe('atomic');
    expect(await guard.with('fil_1', async () => 'written')).toBe('written');
  });

  it('gives FerretDB the named workaround: no retryable writes and the Redis write lock', () => {
    let asked = 0;
    const s = semanticsFor(
      'ferretdb',
      () => {
        asked++;
        return {} as Redis;
      },
      'p',
    );
    expect(s.retryWrites).toBe(false);
    expect(s.guard('file').name).toBe('ferretdb-redis-lock');
    expect(asked).toBe(1);
  });
});
