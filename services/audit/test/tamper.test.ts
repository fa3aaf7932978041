import { spawnSync } from 'node:child_process';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { repoRoot, serviceEnv } from '@medvault/common/testing';
import { afterAll, describe, expect, it } from 'vitest';
import type { Deps } from '../src/deps.js';
import { padSeq } from '../src/domain/checkpoint.js';
import { hashOf } from '../src/domain/record.js';
import { adminS3, chainEnv, closeAll, ev, instance, sha } from './helpers.js';

afterAll(closeAll);

/** A fresh chain of `n` download records with signed checkpoints at 10 and at n. */
async function chain(n = 20): Promise<Deps> {
  const deps = instance(chainEnv());
  const ingest = (i: number) =>
    deps.audit.ingest(
      ev(
        'file.downloaded',
        { fileId: `fil_${i}`, ownerId: 'usr_p', bytes: i },
        { actor: { userId: 'usr_c', role: 'clinician' } },
      ),
    );
  for (let i = 1; i <= 10; i++) await ingest(i);
  expect(await deps.audit.checkpointer.tick(true)).toMatchObject({ seq: 10 });
  await Promise.all(Array.from({ length: n - 10 }, (_, i) => ingest(11 + i)));
  expect(await deps.audit.checkpointer.tick(true)).toMatchObject({ seq: n, previousSeq: 10 });
  expect(await deps.audit.verify()).toMatchObject({
    ok: true,
    checked: n,
    checkpointsChecked: 2,
    checkpoint: { seq: n },
  });
  return deps;
}
const records = (d: Deps) => d.audit.store.records;

describe('tamper evidence', () => {
  it('names the record whose field was edited directly in MongoDB', async () => {
    const d = await chain();
    await records(d).updateOne({ _id: padSeq(7) }, { $set: { outcome: 'denied' } });
    expect(await d.audit.verify()).toMatchObject({ ok: false, firstInvalid: 7, reason: 'record_altered' });
  });

  it('names a deleted record', async () => {
    const d = await chain();
    await records(d).deleteOne({ _id: padSeq(13) });
    expect(await d.audit.verify()).toMatchObject({ ok: false, firstInvalid: 13, reason: 'record_missing' });
  });

  it('names a deleted last record through the signed checkpoint', async () => {
    const d = await chain();
    await records(d).deleteOne({ _id: padSeq(20) });
    await d.db.collection('chain_head').deleteMany({});
    expect(await d.audit.verify()).toMatchObject({ ok: false, firstInvalid: 20, reason: 'record_missing' });
  });

  it('names the first of two reordered records', async () => {
    const d = await chain();
    const a = (await records(d).findOne({ _id: padSeq(5) }))!;
    const b = (await records(d).findOne({ _id: padSeq(6) }))!;
    const { _id: _a, ...restA } = a;
    const { _id: _b, ...restB } = b;
    await records(d).deleteMany({ _id: { $in: [padSeq(5), padSeq(6)] } });
    await records(d).insertMany([
      { _id: padSeq(5), ...restB, seq: 5 },
      { _id: padSeq(6), ...restA, seq: 6 },
    ]);
    expect(await d.audit.verify()).toMatchObject({ ok: false, firstInvalid: 5 });
  });

  it('detects a forged record inserted in the middle, where the chain stops agreeing with itself', async () => {
    const d = await chain();
    // The forger makes room at 8 by moving 8..20 up one, then inserts a well-formed record at 8.
    for (let s = 20; s >= 8; s--) {
      const doc = (await records(d).findOne({ _id: padSeq(s) }))!;
      await records(d).deleteOne({ _id: padSeq(s) });
      await records(d).insertOne({ ...doc, _id: padSeq(s + 1), seq: s + 1 });
    }
    const prev = (await records(d).findOne({ _id: padSeq(7) }))!;
    const { _id, hash: _h, ...template } = prev;
    const forged = {
      ...template,
      seq: 8,
      eventId: 'evt_forged',
      prevHash: prev.hash,
      data: { fileId: 'fil_x', bytes: 1 },
    };
    await records(d).insertOne({ _id: padSeq(8), ...forged, hash: hashOf(forged) });
    // 8 links correctly to 7; the displaced original (now 9) no longer hashes to what it was.
    expect(await d.audit.verify()).toMatchObject({ ok: false, firstInvalid: 9 });
  });

  it('detects a forger who re-chains every later record through the signed checkpoint', async () => {
    const d = await chain();
    let prevHash = (await records(d).findOne({ _id: padSeq(11) }))!.hash;
    for (let s = 12; s <= 20; s++) {
      const { _id, hash: _h, ...rest } = (await records(d).findOne({ _id: padSeq(s) }))!;
      const rewritten = { ...rest, prevHash, ...(s === 12 ? { outcome: 'denied' as const } : {}) };
      const hash = hashOf(rewritten);
      await records(d).replaceOne({ _id: padSeq(s) }, { ...rewritten, hash });
      prevHash = hash;
    }
    expect(await d.audit.verify()).toMatchObject({ ok: false, firstInvalid: 20, reason: 'checkpoint_mismatch' });
  });

  it('names a checkpoint replaced in S3', async () => {
    const d = await chain();
    const key = d.audit.archive.keyOf(10);
    const s3 = adminS3();
    const forged = {
      version: 1,
      seq: 10,
      hash: sha('a'),
      time: new Date().toISOString(),
      previousSeq: 0,
      previousCheckpointSignature: null,
      keyId: d.config.KMS_AUDIT_SIGNING_KEY_ID,
      algorithm: 'ECDSA_SHA_256',
      signature: Buffer.from('forged').toString('base64'),
    };
    await s3.send(
      new PutObjectCommand({
        Bucket: d.config.BUCKET_AUDIT,
        Key: key,
        Body: JSON.stringify(forged),
        ContentType: 'application/json',
      }),
    );
    s3.destroy();
    expect(await d.audit.verify()).toMatchObject({
      ok: false,
      firstInvalid: 10,
      reason: 'checkpoint_signature_invalid',
    });
  });

  it('never overwrites an existing checkpoint object', async () => {
    const d = await chain(12);
    const [first] = await d.audit.archive.list();
    expect(await d.audit.archive.put({ ...first!.checkpoint!, hash: sha('b') })).toBe('exists');
    expect((await d.audit.archive.list())[0]!.checkpoint).toEqual(first!.checkpoint);
  });
});

describe('verify CLI', () => {
  const run = (d: Deps) =>
    spawnSync('node', ['--conditions=source', '--import', 'tsx', 'services/audit/src/jobs/verify-cli.ts', '--json'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: serviceEnv('audit', {
        MONGO_DB: d.config.MONGO_DB,
        AUDIT_CHECKPOINT_PREFIX: d.config.AUDIT_CHECKPOINT_PREFIX,
        LOG_LEVEL: 'silent',
      }),
    });

  it('exits 0 on a valid chain and 1 naming the first invalid seq on a tampered one', async () => {
    const d = await chain(12);
    const ok = run(d);
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, checked: 12, checkpointsChecked: 2 });
    await records(d).updateOne({ _id: padSeq(4) }, { $set: { 'actor.userId': 'usr_someone_else' } });
    const bad = run(d);
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, firstInvalid: 4, reason: 'record_altered' });
  });
});
