import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createHashVerifier } from './verify.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('streaming hash verifier', () => {
  it('releases everything when the digest matches', async () => {
    const data = Buffer.from('hello world');
    const out = await buffer(
      Readable.from([data.subarray(0, 5), data.subarray(5)]).pipe(createHashVerifier(sha(data), () => undefined)),
    );
    expect(out.equals(data)).toBe(true);
  });
  it('withholds the last chunk and reports a mismatch', async () => {
    let actual = '';
    const v = createHashVerifier(sha(Buffer.from('other')), (a) => {
      actual = a;
    });
    const got: Buffer[] = [];
    const sink = new Writable({
      write: (c: Buffer, _e, cb) => {
        got.push(c);
        cb();
      },
    });
    await expect(pipeline(Readable.from([Buffer.from('hello '), Buffer.from('world')]), v, sink)).rejects.toMatchObject(
      { code: 'INTEGRITY_FAILED' },
    );
    expect(Buffer.concat(got).toString()).toBe('hello ');
    expect(actual).toBe(sha(Buffer.from('hello world')));
  });
});
