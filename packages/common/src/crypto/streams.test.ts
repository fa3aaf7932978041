import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { decodeHeader, encryptedSize, TAG_LENGTH } from './format.js';
import { LocalDataKeyProvider } from './keys.js';
import { createDecryptStream, createEncryptStream, createRangeDecryptStream, segmentRange } from './streams.js';

const keys = new LocalDataKeyProvider();
const ctx = { fileId: 'fil_1', ownerId: 'usr_1' };
const SEG = 1024;

function chunked(data: Buffer, size = 700): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) parts.push(data.subarray(i, i + size));
  return Readable.from(parts);
}

async function encrypt(plain: Buffer, segmentSize = SEG) {
  const { stream } = await createEncryptStream(keys, ctx, segmentSize);
  return buffer(chunked(plain).pipe(stream));
}

async function decrypt(cipher: Buffer, context = ctx) {
  const out: Buffer[] = [];
  const d = createDecryptStream({ keys, expectedContext: context });
  d.on('data', (c: Buffer) => out.push(c));
  await pipeline(chunked(cipher, 333), d);
  return Buffer.concat(out);
}

describe('segmented envelope encryption', () => {
  for (const size of [0, 1, SEG - 1, SEG, SEG + 1, 3 * SEG, 10 * SEG + 17]) {
    it(`round-trips ${size} bytes exactly and predicts the stored size`, async () => {
      const plain = randomBytes(size);
      const cipher = await encrypt(plain);
      expect(cipher.length).toBe(encryptedSize(size, decodeHeader(cipher)));
      expect((await decrypt(cipher)).equals(plain)).toBe(true);
    });
  }

  it('stores no 64-byte window of the plaintext', async () => {
    const plain = Buffer.alloc(5 * SEG, 'patient name: Jane Doe; diagnosis: confidential. ');
    const cipher = await encrypt(plain);
    for (let i = 0; i + 64 <= plain.length; i += 61) expect(cipher.includes(plain.subarray(i, i + 64))).toBe(false);
  });

  it('refuses an object whose single byte was flipped, releasing no bytes of that segment', async () => {
    const plain = randomBytes(4 * SEG);
    const cipher = await encrypt(plain);
    const h = decodeHeader(cipher).raw.length;
    const bad = Buffer.from(cipher);
    bad[h + 2 * (SEG + TAG_LENGTH) + 5]! ^= 1;
    const out: Buffer[] = [];
    const d = createDecryptStream({ keys, expectedContext: ctx });
    d.on('data', (c: Buffer) => out.push(c));
    await expect(pipeline(chunked(bad), d)).rejects.toThrow(/Segment 2 failed authentication/);
    expect(Buffer.concat(out).equals(plain.subarray(0, Buffer.concat(out).length))).toBe(true);
    expect(Buffer.concat(out).length).toBeLessThanOrEqual(2 * SEG);
  });

  it('detects a dropped last segment (truncation at a segment boundary)', async () => {
    const cipher = await encrypt(randomBytes(3 * SEG + 10));
    await expect(decrypt(cipher.subarray(0, cipher.length - (10 + TAG_LENGTH)))).rejects.toThrow(
      /failed authentication/,
    );
  });

  it('detects two swapped segments', async () => {
    const cipher = await encrypt(randomBytes(4 * SEG));
    const h = decodeHeader(cipher).raw.length;
    const s = SEG + TAG_LENGTH;
    const swapped = Buffer.concat([
      cipher.subarray(0, h),
      cipher.subarray(h + s, h + 2 * s),
      cipher.subarray(h, h + s),
      cipher.subarray(h + 2 * s),
    ]);
    await expect(decrypt(swapped)).rejects.toThrow(/Segment 0 failed authentication/);
  });

  it('refuses an object whose header names another encryption context', async () => {
    const cipher = await encrypt(randomBytes(100));
    await expect(decrypt(cipher, { fileId: 'fil_2', ownerId: 'usr_1' })).rejects.toThrow(/context does not match/);
  });

  it('detects a tampered header even when the context is unchanged', async () => {
    const cipher = Buffer.from(await encrypt(randomBytes(2 * SEG)));
    cipher[15]! ^= 1; // inside the nonce prefix
    await expect(decrypt(cipher)).rejects.toThrow(/failed authentication/);
  });

  it('refuses an object with only a header', async () => {
    const cipher = await encrypt(randomBytes(10));
    await expect(decrypt(cipher.subarray(0, decodeHeader(cipher).raw.length))).rejects.toThrow(/truncated/);
  });

  it('serves any byte range by decrypting only the segments that hold it', async () => {
    const plain = randomBytes(5 * SEG + 300);
    const cipher = await encrypt(plain);
    const header = decodeHeader(cipher);
    const dataKey = await keys.unwrap(header.wrappedKey, header.keyId, ctx);
    for (const [start, end] of [
      [0, 0],
      [0, plain.length - 1],
      [SEG - 1, SEG],
      [2 * SEG + 5, 4 * SEG + 9],
      [plain.length - 7, plain.length - 1],
    ] as const) {
      const r = segmentRange(header, plain.length, start, end);
      const slice = cipher.subarray(r.cipherStart, r.cipherEnd + 1);
      const got = await buffer(chunked(slice, 500).pipe(createRangeDecryptStream(dataKey, header, r)));
      expect(got.equals(plain.subarray(start, end + 1)), `range ${start}-${end}`).toBe(true);
    }
  });

  it('rejects ranges outside the file', () => {
    const h = { segmentSize: SEG, raw: Buffer.alloc(60) };
    expect(() => segmentRange(h, 100, 50, 100)).toThrow(/not satisfiable/);
  });
});
