import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { openBusTap, repoRoot, sleep } from '@medvault/common/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { closeAll, harness, multipart, user } from './helpers.js';

const stack = (cmd: 'pause' | 'resume') =>
  execFileSync('bash', [join(repoRoot, 'infra/stack.sh'), cmd, 'aws'], { stdio: 'ignore' });
afterAll(async () => {
  stack('resume');
  await closeAll();
});

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
      const res = await pending;
      if (res.statusCode === 202) {
        const id = res.json().id as string;
        await h.deps.outbox.flush();
        await tap.waitFor('file.uploaded', (e) => e.data.fileId === id);
        await h.deps.outbox.flush();
        await sleep(1000);
        const copies = (await tap.events()).filter((e) => (e.data as { fileId: string }).fileId === id);
        expect(new Set(copies.map((e) => e.id)).size).toBe(1);
      } else {
        expect(res.statusCode).toBeGreaterThanOrEqual(500);
        expect(await h.deps.files.col.countDocuments({})).toBe(0);
      }
    } finally {
      await tap.close();
    }
  });
});
