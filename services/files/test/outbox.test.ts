import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { EventPublisher } from '@medvault/common/bus';
import type { Envelope } from '@medvault/common/events';
import { openBusTap, repoRoot, sleep } from '@medvault/common/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createClaimingOutboxRelay } from '../src/jobs/outbox-relay.js';
import { closeAll, type Harness, harness, multipart, user } from './helpers.js';

const stack = (cmd: 'pause' | 'resume') =>
  execFileSync('bash', [join(repoRoot, 'infra/stack.sh'), cmd, 'aws'], { stdio: 'ignore' });
afterAll(async () => {
  stack('resume');
  await closeAll();
});

/**
 * A relay over the files repository that counts its searches for pending files and records what
 * it publishes into `sent`.
 */
function countingRelay(h: Harness, timing: { intervalMs: number; searchEveryMs?: number }) {
  let n = 0;
  const sent: string[] = [];
  const source = {
    claimPending: (limit: number, leaseMs: number) => {
      n++;
      return h.deps.files.claimPending(limit, leaseMs);
    },
    claimIds: (claim: string[], leaseMs: number) => h.deps.files.claimIds(claim, leaseMs),
    release: (id: string, sent: Envelope[]) => h.deps.files.release(id, sent),
  };
  const relay = createClaimingOutboxRelay({ source, publisher: recording(h, sent), logger: h.deps.logger, ...timing });
  return { relay, sent, searches: () => n };
}

describe('transactional outbox across an SNS outage', () => {
  it('keeps the event while the bus is down and delivers that one event (one id) when it is back', async () => {
    const h = await harness();
    h.deps.outbox.kick = () => undefined; // only explicit flushes in this test
    const tap = await openBusTap(['file.uploaded']);
    try {
      const p = user('patient');
      const m = multipart(Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(4000)]), { filename: 'a.pdf' });
      const res = await h.app.inject({
        method: 'POST',
        url: '/v1/files',
        headers: { ...p.auth, ...m.headers },
        payload: m.payload,
      });
      expect(res.statusCode).toBe(202);
      const id = res.json().id as string;
      stack('pause');
      try {
        await expect(h.deps.outbox.flush()).rejects.toThrow(/unavailable/i);
      } finally {
        stack('resume');
      }
      expect((await h.deps.files.get(id))?.outbox.map((e) => e.type)).toEqual(['file.uploaded']);
      expect(await h.deps.outbox.flush()).toBe(1);
      expect(await h.deps.outbox.flush()).toBe(0);
      await tap.waitFor('file.uploaded', (e) => e.data.fileId === id);
      await sleep(1000);
      // Exactly one event (one id) for the upload. The publish that timed out while the emulator
      // was frozen may still have been accepted when it thawed, so the bus can carry a second copy
      // of the SAME envelope: consumers dedupe on the id (at-least-once + idempotent = once).
      const copies = (await tap.events()).filter(
        (e) => e.type === 'file.uploaded' && (e.data as { fileId: string }).fileId === id,
      );
      expect(new Set(copies.map((e) => e.id)).size).toBe(1);
      expect(copies.length).toBeLessThanOrEqual(2);
      expect((await h.deps.files.get(id))?.outbox).toEqual([]);
    } finally {
      await tap.close();
    }
  });

  it('finishes an upload cleanly when the emulator freezes in the middle of it', async () => {
    const h = await harness({ UPLOAD_PART_SIZE_MIB: '5' });
    const tap = await openBusTap(['file.uploaded']);
    try {
      const p = user('patient');
      const m = multipart(Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(12 * 1024 * 1024)]), {
        filename: 'b.pdf',
      });
      const pending = h.app.inject({
        method: 'POST',
        url: '/v1/files',
        headers: { ...p.auth, ...m.headers },
        payload: m.payload,
      });
      await sleep(300);
      stack('pause');
      try {
        await sleep(3000);
      } finally {
        stack('resume');
      }
      // A 3 s freeze is well inside the S3 client's timeouts: the upload must complete, not fail.
      const res = await pending;
      expect(res.statusCode, res.body).toBe(202);
      const id = res.json().id as string;
      await h.deps.outbox.flush();
      await tap.waitFor('file.uploaded', (e) => e.data.fileId === id);
      await sleep(1000);
      const copies = (await tap.events()).filter((e) => (e.data as { fileId: string }).fileId === id);
      expect(copies.length).toBeGreaterThanOrEqual(1);
      expect(new Set(copies.map((e) => e.id)).size).toBe(1);
      const rec = await h.deps.files.col.findOne({ _id: id });
      expect(rec?.outbox).toEqual([]);
      expect(rec?.outboxPending).toBeUndefined();
    } finally {
      await tap.close();
    }
  });
});

async function uploadPdf(h: Harness): Promise<string> {
  const m = multipart(Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2000)]), { filename: 'c.pdf' });
  const res = await h.app.inject({
    method: 'POST',
    url: '/v1/files',
    headers: { ...user('patient').auth, ...m.headers },
    payload: m.payload,
  });
  expect(res.statusCode, res.body).toBe(202);
  return res.json().id as string;
}

/** The real publisher, recording what this relay published. */
function recording(h: Harness, into: string[]): EventPublisher {
  return {
    publish: async (e: Envelope) => {
      into.push(e.id);
      await h.deps.publisher.publish(e);
    },
  };
}

describe('the outbox relay', () => {
  it('finds pending events through the indexed outboxPending marker, which goes once they are published', async () => {
    const h = await harness();
    h.deps.outbox.kick = () => undefined;
    const id = await uploadPdf(h);
    const names = (await h.deps.files.col.indexes()).map((i) => i.name);
    expect(names).toContain('outbox_pending');
    expect(await h.deps.files.col.findOne({ _id: id })).toMatchObject({ outboxPending: true });
    expect(await h.deps.outbox.flush()).toBe(1);
    const after = await h.deps.files.col.findOne({ _id: id });
    expect(after?.outbox).toEqual([]);
    expect(after?.outboxPending).toBeUndefined();
    expect(after?.outboxLease).toBeUndefined();
  });

  it('is started by the repository write that adds events: no caller kicks or flushes it', async () => {
    const h = await harness();
    const tap = await openBusTap(['file.uploaded']);
    try {
      const id = await uploadPdf(h);
      await tap.waitFor('file.uploaded', (e) => e.data.fileId === id);
      await expect.poll(async () => (await h.deps.files.get(id))?.outbox.length, { timeout: 10_000 }).toBe(0);
    } finally {
      await tap.close();
    }
  });

  it('shares the work between two instances: every pending event is published by exactly one of them', async () => {
    const h = await harness();
    h.deps.outbox.kick = () => undefined;
    // A second instance on the same database: its own clients, its own repository and relay.
    const other = await harness({ MONGO_DB: h.deps.config.MONGO_DB });
    other.deps.outbox.kick = () => undefined;
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await uploadPdf(h));
    const byA: string[] = [];
    const byB: string[] = [];
    const relay = (x: Harness, into: string[]) =>
      createClaimingOutboxRelay({
        source: x.deps.files,
        publisher: recording(x, into),
        logger: x.deps.logger,
        intervalMs: 60_000,
      });
    const [a, b] = await Promise.all([relay(h, byA).flush(), relay(other, byB).flush()]);
    expect(a + b).toBe(8);
    expect(byA.filter((e) => byB.includes(e))).toEqual([]);
    expect(new Set([...byA, ...byB]).size).toBe(8);
    for (const id of ids) expect((await h.deps.files.get(id))?.outbox).toEqual([]);
  });

  it('claims the file a kick names by id, searching for pending files at most once an interval', async () => {
    const h = await harness();
    h.deps.outbox.kick = () => undefined;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await uploadPdf(h));
    const { relay, sent, searches } = countingRelay(h, { intervalMs: 60_000 });
    // The first pass also searches (nothing searched yet this interval): it publishes all three.
    relay.kick(ids[0]);
    await expect.poll(() => sent.length, { timeout: 10_000 }).toBe(3);
    await sleep(1000); // the pass ends with a search that finds nothing left
    const firstPass = searches();
    expect(firstPass).toBeGreaterThan(0);
    // Later kicks within the interval claim their file by id only.
    for (let i = 0; i < 3; i++) {
      const id = await uploadPdf(h);
      relay.kick(id);
      await expect.poll(async () => (await h.deps.files.get(id))?.outbox.length, { timeout: 10_000 }).toBe(0);
    }
    expect(sent).toHaveLength(6);
    expect(searches()).toBe(firstPass);
    await relay.stop();
  });

  it('searches on its own clock, not on every timer pass, and on every explicit flush', async () => {
    const h = await harness();
    h.deps.outbox.kick = () => undefined;
    const { relay, searches } = countingRelay(h, { intervalMs: 100, searchEveryMs: 60_000 });
    relay.start();
    await sleep(1500); // ~15 timer passes
    expect(searches()).toBe(1);
    const id = await uploadPdf(h); // not kicked: left for a search
    await relay.flush();
    expect(searches()).toBeGreaterThan(1); // a claim that found it, and one that found nothing left
    expect((await h.deps.files.get(id))?.outbox).toEqual([]);
    await relay.stop();
  });
});
