import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { createInspector } from './inspect.js';

const allowed = new Set(['text/plain', 'application/pdf']);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('upload inspector', () => {
  it('passes bytes through unchanged while hashing and sniffing', async () => {
    const data = Buffer.from('%PDF-1.4\n'.padEnd(5000, 'x'));
    const { stream, result } = createInspector({ maxBytes: 10_000, allowed });
    const out = await buffer(
      Readable.from([data.subarray(0, 3), data.subarray(3, 2000), data.subarray(2000)]).pipe(stream),
    );
    expect(out.equals(data)).toBe(true);
    expect(result).toEqual({ contentType: 'application/pdf', size: 5000, sha256: sha(data) });
  });
  it('fails with 415 for a type outside the allow-list before passing any byte', async () => {
    const { stream } = createInspector({ maxBytes: 10_000, allowed });
    const got: Buffer[] = [];
    stream.on('data', (c: Buffer) => got.push(c));
    await expect(
      buffer(Readable.from([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000)]).pipe(stream)),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(got.length).toBe(0);
  });
  it('fails with 413 past the size limit', async () => {
    const { stream } = createInspector({ maxBytes: 100, allowed });
    await expect(buffer(Readable.from([Buffer.alloc(101, 'a')]).pipe(stream))).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
  });
});
