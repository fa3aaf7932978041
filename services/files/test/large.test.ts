import { afterAll, describe, expect, it } from 'vitest';
import { closeAll, generated, harness, httpStream, listen, makeAvailable, multipart, user } from './helpers.js';

afterAll(closeAll);

const MiB = 1024 * 1024;
const big = process.env.FILES_BIG_TEST === '1';
const sizes = process.env.FILES_LARGE_MIB
  ? [Number(process.env.FILES_LARGE_MIB) * MiB]
  : big
    ? [64 * MiB, 1024 * MiB]
    : [64 * MiB];

/** Samples this process's RSS (the service runs in-process) while `fn` runs. */
async function peakRss<T>(fn: () => Promise<T>): Promise<{ result: T; growth: number }> {
  globalThis.gc?.();
  const base = process.memoryUsage.rss();
  let peak = base;
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  try {
    const result = await fn();
    return { result, growth: peak - base };
  } finally {
    clearInterval(t);
  }
}

describe('large files stream end to end', () => {
  for (const size of sizes) {
    it(`round-trips ${size / MiB} MiB byte-exact with memory far below the file size`, {
      timeout: big ? 1_800_000 : 300_000,
    }, async () => {
      const h = await harness({ MAX_UPLOAD_BYTES: String(2 * 1024 * MiB) });
      const base = await listen(h);
      const p = user('patient');
      const data = generated(size, `large-${size}-${Date.now()}`);
      const m = multipart(data.stream(), { filename: 'big.pdf' });
      const up = await peakRss(() =>
        httpStream(`${base}/v1/files`, { method: 'POST', headers: { ...p.auth, ...m.headers }, body: m.payload }),
      );
      expect(up.result.status, up.result.text).toBe(202);
      const f = JSON.parse(up.result.text) as { id: string; sha256: string; size: number };
      expect(f).toMatchObject({ size, sha256: data.sha256 });
      await makeAvailable(h, f.id, f.sha256);
      const l = (
        await h.app.inject({ method: 'POST', url: `/v1/files/${f.id}/links`, headers: p.auth, payload: {} })
      ).json();
      const down = await peakRss(() => httpStream(`${base}${l.url}`, { method: 'GET', headers: p.auth }));
      expect(down.result.status).toBe(200);
      expect(down.result.size).toBe(size);
      expect(down.result.sha256).toBe(data.sha256);
      console.log(
        `${size / MiB} MiB: RSS growth upload ${(up.growth / MiB).toFixed(1)} MiB, download ${(down.growth / MiB).toFixed(1)} MiB`,
      );
      // Buffering a whole 64 MiB upload would cost ≥ 128 MiB (plaintext + ciphertext). Streaming
      // measured ~60 MiB for 64 MiB and ~66 MiB for 256 MiB (parts in flight + GC lag): flat.
      const bound = size >= 512 * MiB ? 256 * MiB : 100 * MiB;
      expect(up.growth).toBeLessThan(bound);
      expect(down.growth).toBeLessThan(bound);
    });
  }
});
