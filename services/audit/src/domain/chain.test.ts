import { describe, expect, it } from 'vitest';
import { ChainStateError, ChainWriter } from './chain-writer.js';
import { Checkpointer } from './checkpointer.js';
import { localKeyPair, MemoryArchive, MemoryLedger, MemoryRecordStore } from './memory-ports.js';
import { draftFromEvent, GENESIS_HASH, hashOf, type RecordDraft } from './record.js';
import { verifyChain } from './verify.js';

let n = 0;
function draft(i = n++): RecordDraft {
  return draftFromEvent({
    id: `evt_${String(i).padStart(26, '0')}`,
    type: 'file.downloaded',
    version: 1,
    occurredAt: new Date(1_800_000_000_000 + i).toISOString(),
    correlationId: `req_${i}`,
    source: 'files',
    actor: { userId: 'usr_1', role: 'clinician' },
    data: { fileId: `fil_${i}`, bytes: i },
  });
}

async function setup(count = 0) {
  const store = new MemoryRecordStore();
  const writer = new ChainWriter(store, { maxBatch: 7 });
  await Promise.all(Array.from({ length: count }, () => writer.append(draft())));
  const keys = localKeyPair();
  const ledger = new MemoryLedger();
  const archive = new MemoryArchive();
  const checkpointer = new Checkpointer(
    { records: store, ledger, archive, signer: keys.signer, tail: () => writer.refreshTail() },
    { every: 10, intervalSeconds: 3600 },
  );
  const verify = async () =>
    verifyChain({
      records: store.iterate(),
      from: 1,
      anchorHash: GENESIS_HASH,
      checkpoints: await archive.list(),
      verifier: keys.verifier,
      headSeq: store.hint?.seq,
    });
  return { store, writer, checkpointer, archive, ledger, verify, keys };
}

describe('chain writer', () => {
  it('links records 1..n without gaps', async () => {
    const { store, verify } = await setup(25);
    expect([...store.bySeq.keys()]).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(store.bySeq.get(1)!.prevHash).toBe(GENESIS_HASH);
    expect(store.bySeq.get(2)!.prevHash).toBe(store.bySeq.get(1)!.hash);
    expect(await verify()).toMatchObject({ ok: true, checked: 25, lastSeq: 25 });
  });

  it('records a redelivered event once', async () => {
    const { store, writer } = await setup();
    const d = draft();
    const results = await Promise.all([writer.append(d), writer.append(d), writer.append(d)]);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await writer.append(d)).toEqual({ duplicate: true });
    expect(store.bySeq.size).toBe(1);
  });

  it('never forks when two writers append to the same store concurrently', async () => {
    const { store, verify } = await setup();
    const a = new ChainWriter(store, { maxBatch: 5 });
    const b = new ChainWriter(store, { maxBatch: 3 });
    const drafts = Array.from({ length: 300 }, () => draft());
    await Promise.all(drafts.map((d, i) => (i % 2 ? a : b).append(d)));
    // The same events again through the other writer: all duplicates.
    const again = await Promise.all(drafts.slice(0, 20).map((d, i) => (i % 2 ? b : a).append(d)));
    expect(again.every((r) => r.duplicate)).toBe(true);
    expect(store.bySeq.size).toBe(300);
    expect(await verify()).toMatchObject({ ok: true, checked: 300 });
  });
});

describe('chain writer safety', () => {
  it('stops loudly when the storage kept records after a failed ordered insert', async () => {
    const store = new MemoryRecordStore();
    const writer = new ChainWriter(store);
    await writer.append(draft());
    // A storage that reports a conflict at 0 but stored the next record anyway.
    const insert = store.insertOrdered.bind(store);
    store.insertOrdered = async (records) => {
      await insert(records.slice(1, 2));
      return { inserted: 0, conflictAt: 0 };
    };
    await expect(Promise.all([writer.append(draft()), writer.append(draft())])).rejects.toBeInstanceOf(ChainStateError);
  });

  it('refuses to append when the head hint names a record that no longer exists', async () => {
    const store = new MemoryRecordStore();
    await Promise.all(Array.from({ length: 5 }, () => new ChainWriter(store).append(draft())));
    store.bySeq.delete(5);
    await expect(new ChainWriter(store).append(draft())).rejects.toBeInstanceOf(ChainStateError);
  });

  it('finds a tail hundreds of records ahead of a stale writer', async () => {
    const store = new MemoryRecordStore();
    const stale = new ChainWriter(store);
    await stale.append(draft());
    const other = new ChainWriter(store);
    await Promise.all(Array.from({ length: 300 }, () => other.append(draft())));
    store.hint = null;
    const r = await stale.append(draft());
    expect(r.record?.seq).toBe(302);
    expect(r.record?.prevHash).toBe(store.bySeq.get(301)!.hash);
  });
});

describe('verification', () => {
  it('names the edited record', async () => {
    const { store, verify } = await setup(20);
    store.bySeq.get(7)!.outcome = 'denied';
    expect(await verify()).toMatchObject({ ok: false, firstInvalid: 7, reason: 'record_altered' });
  });

  it('names the deleted record', async () => {
    const { store, verify } = await setup(20);
    store.bySeq.delete(9);
    expect(await verify()).toMatchObject({ ok: false, firstInvalid: 9, reason: 'record_missing' });
  });

  it('names the first of two swapped records', async () => {
    const { store, verify } = await setup(20);
    const a = store.bySeq.get(4)!;
    const b = store.bySeq.get(5)!;
    store.bySeq.set(4, { ...b, seq: 4 });
    store.bySeq.set(5, { ...a, seq: 5 });
    expect(await verify()).toMatchObject({ ok: false, firstInvalid: 4 });
  });

  it('names a forged record whose hash was recomputed by the forger by its broken link', async () => {
    const { store, verify } = await setup(20);
    const forged = { ...store.bySeq.get(12)!, outcome: 'success' as const, prevHash: 'f'.repeat(64) };
    store.bySeq.set(12, { ...forged, hash: hashOf(forged) });
    expect(await verify()).toMatchObject({ ok: false, firstInvalid: 12, reason: 'chain_broken' });
  });

  it('detects a truncated tail through the signed checkpoint', async () => {
    const { store, checkpointer, verify } = await setup(20);
    expect(await checkpointer.tick()).toMatchObject({ seq: 20, previousSeq: 0, previousCheckpointSignature: null });
    store.bySeq.delete(20);
    store.hint = null;
    expect(await verify()).toMatchObject({ ok: false, firstInvalid: 20, reason: 'record_missing' });
  });

  it('signs checkpoints that link to the previous signature and rejects a replaced one', async () => {
    const { writer, checkpointer, archive, verify } = await setup(12);
    const first = await checkpointer.tick();
    await Promise.all(Array.from({ length: 10 }, () => writer.append(draft())));
    const second = await checkpointer.tick();
    expect(second).toMatchObject({ seq: 22, previousSeq: 12, previousCheckpointSignature: first!.signature });
    expect(await checkpointer.tick()).toBeNull();
    expect(await verify()).toMatchObject({ ok: true, checkpointsChecked: 2, checkpoint: { seq: 22 } });
    archive.objects.set(12, JSON.stringify({ ...first, hash: 'a'.repeat(64) }));
    expect(await verify()).toMatchObject({ ok: false, firstInvalid: 12, reason: 'checkpoint_signature_invalid' });
  });

  it('lets only one of two checkpointers extend the checkpoint chain', async () => {
    const { store, writer, checkpointer, archive, ledger, keys } = await setup(15);
    const other = new Checkpointer(
      // Same ledger and archive as the first: two instances of one service.
      { records: store, ledger, archive, signer: keys.signer, tail: () => writer.refreshTail() },
      { every: 10, intervalSeconds: 3600 },
    );
    const results = await Promise.all([checkpointer.tick(), other.tick()]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(archive.objects.size).toBe(1);
  });
});
