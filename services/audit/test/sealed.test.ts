import { gzipSync } from 'node:zlib';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Deps } from '../src/deps.js';
import { digestKey } from '../src/domain/digest.js';
import { adminS3, chainEnv, closeAll, ev, instance } from './helpers.js';

afterAll(closeAll);
const s3: S3Client = adminS3();
afterAll(() => s3.destroy());

const ingest = (d: Deps, i: number) =>
  d.audit.ingest(
    ev(
      'file.downloaded',
      { fileId: `fil_${i}`, ownerId: 'usr_p', bytes: i },
      { actor: { userId: 'usr_c', role: 'clinician' } },
    ),
  );

/** 30 records sealed in three segments of 10 (1-10, 11-20, 21-30) and 5 unsealed ones. */
async function sealedChain(): Promise<Deps> {
  const d = instance(chainEnv({ CHECKPOINT_EVERY: '10' }));
  for (let i = 1; i <= 30; i++) await ingest(d, i);
  const digests = await d.audit.sealer.tick(true);
  expect(digests.map((x) => [x.segment.from, x.seq])).toEqual([
    [1, 10],
    [11, 20],
    [21, 30],
  ]);
  for (let i = 31; i <= 35; i++) await ingest(d, i);
  expect(await d.audit.verify()).toMatchObject({
    ok: true,
    checked: 35,
    sealed: { digests: 3, segments: 3, records: 30, lastSeq: 30 },
    tail: { from: 31, records: 5 },
    checkpoint: { seq: 30 },
  });
  return d;
}

const keyOf = (d: Deps, from: number, to: number) => d.audit.segments.keyOf(from, to);
async function getBytes(d: Deps, key: string): Promise<Buffer> {
  const o = await s3.send(new GetObjectCommand({ Bucket: d.config.BUCKET_AUDIT, Key: key }));
  return Buffer.from(await o.Body!.transformToByteArray());
}
const put = (d: Deps, key: string, body: Buffer | string) =>
  s3.send(new PutObjectCommand({ Bucket: d.config.BUCKET_AUDIT, Key: key, Body: body }));
async function lines(d: Deps, from: number, to: number): Promise<string[]> {
  const seg = await d.audit.segments.readSegment(keyOf(d, from, to));
  return seg!.jsonl.toString('utf8').trimEnd().split('\n');
}
const rewrite = (d: Deps, from: number, to: number, ls: string[]) =>
  put(d, keyOf(d, from, to), gzipSync(`${ls.join('\n')}\n`));

describe('sealed segments', () => {
  it('verifies the sealed part from S3 without the database copies of those records', async () => {
    const d = await sealedChain();
    // Retention may later move sealed records out of the database: the proof does not need them.
    await d.audit.store.records.deleteMany({ seq: { $lte: 30 } });
    expect(await d.audit.verify()).toMatchObject({
      ok: true,
      checked: 35,
      sealed: { records: 30 },
      tail: { records: 5 },
    });
  });

  it('recognises a segment written by a sealer that crashed before signing its digest', async () => {
    const d = instance(chainEnv({ CHECKPOINT_EVERY: '10' }));
    for (let i = 1; i <= 12; i++) await ingest(d, i);
    const records = await d.audit.store.getRange(1, 7);
    const { segmentLine } = await import('../src/domain/segment.js');
    // The crashed sealer had sealed 1..7 (a time-due segment) and stopped before the digest.
    await d.audit.segments.writeSegment(keyOf(d, 1, 7), Buffer.from(`${records.map(segmentLine).join('\n')}\n`));
    const digests = await d.audit.sealer.tick();
    expect(digests.map((x) => [x.segment.from, x.seq])).toEqual([[1, 7]]);
    expect(await d.audit.verify()).toMatchObject({ ok: true, checked: 12, sealed: { records: 7 } });
  });

  it('lets two instances seal the same chain at once without a fork or a duplicate segment', async () => {
    const env = chainEnv({ CHECKPOINT_EVERY: '10' });
    const a = instance(env);
    const b = instance(env);
    for (let i = 1; i <= 40; i++) await ingest(i % 2 ? a : b, i);
    const [da, db] = await Promise.all([a.audit.sealer.tick(true), b.audit.sealer.tick(true)]);
    // The lease lets one of them seal; the other finds nothing to do.
    expect([...da, ...db].map((x) => x.seq).sort((x, y) => x - y)).toEqual([10, 20, 30, 40]);
    expect(await a.audit.verify()).toMatchObject({ ok: true, checked: 40, sealed: { digests: 4, records: 40 } });
  });
});

describe('tamper evidence on sealed segments', () => {
  it('names an edited record inside a sealed segment', async () => {
    const d = await sealedChain();
    const ls = await lines(d, 11, 20);
    ls[3] = ls[3]!.replace('"success"', '"denied"');
    await rewrite(d, 11, 20, ls);
    // The segment no longer has the hash its digest signed, so its lines are re-hashed to name the record.
    expect(await d.audit.verify()).toMatchObject({ ok: false, firstInvalid: 14, reason: 'record_altered' });
    expect(await d.audit.verify({ deep: true })).toMatchObject({ ok: false, firstInvalid: 14, reason: 'record_altered' });
  });

  it('verifies intact segments the same way with and without re-hashing every record', async () => {
    const d = await sealedChain();
    const fast = await d.audit.verify();
    const deep = await d.audit.verify({ deep: true });
    expect(deep).toMatchObject({ ok: true, checked: 35, sealed: { segments: 3, records: 30 } });
    expect({ ...fast, sealed: { ...fast.sealed, seconds: 0 }, tail: { ...fast.tail, seconds: 0 } }).toEqual({
      ...deep,
      sealed: { ...deep.sealed, seconds: 0 },
      tail: { ...deep.tail, seconds: 0 },
    });
  });

  it('names a deleted segment object', async () => {
    const d = await sealedChain();
    await s3.send(new DeleteObjectCommand({ Bucket: d.config.BUCKET_AUDIT, Key: keyOf(d, 11, 20) }));
    expect(await d.audit.verify()).toMatchObject({ ok: false, firstInvalid: 11, reason: 'segment_missing' });
  });

  it('names a record deleted from a segment and one inserted into it', async () => {
    const d = await sealedChain();
    const ls = await lines(d, 11, 20);
    await rewrite(
      d,
      11,
      20,
      ls.filter((_, i) => i !== 4),
    );
    expect(await d.audit.verify()).toMatchObject({ ok: false, firstInvalid: 15, reason: 'record_missing' });
    await rewrite(d, 11, 20, [...ls.slice(0, 6), ls[5]!, ...ls.slice(6)]);
    expect(await d.audit.verify()).toMatchObject({ ok: false, firstInvalid: 17, reason: 'sequence_tampered' });
  });

  it('names the first of two reordered records in a segment', async () => {
    const d = await sealedChain();
    const ls = await lines(d, 21, 30);
    await rewrite(d, 21, 30, [...ls.slice(0, 2), ls[3]!, ls[2]!, ...ls.slice(4)]);
    expect(await d.audit.verify()).toMatchObject({ ok: false, firstInvalid: 23 });
  });

  it('detects one segment object copied over another, and a recompressed segment', async () => {
    const d = await sealedChain();
    const original = await getBytes(d, keyOf(d, 11, 20));
    await put(d, keyOf(d, 11, 20), await getBytes(d, keyOf(d, 21, 30)));
    expect(await d.audit.verify()).toMatchObject({ ok: false, firstInvalid: 11 });
    // Same records, other bytes (recompressed): the digest names the object's own hash.
    await put(d, keyOf(d, 11, 20), original);
    const same = await lines(d, 11, 20);
    await put(d, keyOf(d, 11, 20), gzipSync(`${same.join('\n')}\n`, { level: 1 }));
    expect(await d.audit.verify()).toMatchObject({ ok: false, firstInvalid: 11, reason: 'segment_altered' });
  });

  it('detects a digest swapped for another, a forged digest and a deleted last digest', async () => {
    const d = await sealedChain();
    const prefix = d.config.AUDIT_CHECKPOINT_PREFIX;
    const second = await getBytes(d, digestKey(prefix, 20));
    await put(d, digestKey(prefix, 20), await getBytes(d, digestKey(prefix, 30)));
    expect(await d.audit.verify()).toMatchObject({ ok: false, firstInvalid: 11, reason: 'checkpoint_unreadable' });

    const forged = { ...JSON.parse(second.toString('utf8')), hash: 'a'.repeat(64) };
    await put(d, digestKey(prefix, 20), JSON.stringify(forged));
    expect(await d.audit.verify()).toMatchObject({
      ok: false,
      firstInvalid: 11,
      reason: 'checkpoint_signature_invalid',
    });

    await put(d, digestKey(prefix, 20), second);
    expect(await d.audit.verify()).toMatchObject({ ok: true });
    await s3.send(new DeleteObjectCommand({ Bucket: d.config.BUCKET_AUDIT, Key: digestKey(prefix, 30) }));
    expect(await d.audit.verify()).toMatchObject({ ok: false, firstInvalid: 21, reason: 'digest_missing' });
  });

  it('never overwrites a sealed segment or digest', async () => {
    const d = await sealedChain();
    const before = await getBytes(d, keyOf(d, 1, 10));
    const r = await d.audit.segments.writeSegment(keyOf(d, 1, 10), Buffer.from('{"forged":true}\n'));
    expect(r.created).toBe(false);
    expect(await getBytes(d, keyOf(d, 1, 10))).toEqual(before);
    const [first] = await d.audit.segments.listDigests();
    expect(await d.audit.segments.putDigest({ ...first!.digest!, hash: 'b'.repeat(64) })).toBe('exists');
  });
});
