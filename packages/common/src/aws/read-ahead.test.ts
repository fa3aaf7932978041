import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type FetchRange, readAhead } from './read-ahead.js';

const object = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

/** An in-memory object store answering ranged reads in small chunks, recording the requests. */
function store(o: { failFirstOf?: number } = {}) {
  const requests: [number, number][] = [];
  let open = 0;
  let maxOpen = 0;
  const failed = new Set<number>();
  const fetch: FetchRange = async (s, e) => {
    requests.push([s, e]);
    open++;
    maxOpen = Math.max(maxOpen, open);
    const bytes = object.subarray(s, e + 1);
    const breaks = o.failFirstOf === s && !failed.has(s);
    if (breaks) failed.add(s);
    async function* chunks() {
      try {
        await new Promise((r) => setTimeout(r, 5));
        for (let i = 0; i < bytes.length; i += 30) {
          if (breaks && i > 0) throw new Error('connection reset');
          yield bytes.subarray(i, i + 30);
        }
      } finally {
        open--;
      }
    }
    return chunks();
  };
  return { fetch, requests, maxOpen: () => maxOpen };
}

const collect = async (r: Readable) => {
  const out: Buffer[] = [];
  for await (const c of r) out.push(c as Buffer);
  return Buffer.concat(out);
};

describe('ranged reads ahead of the consumer', () => {
  it('returns exactly the requested bytes, in order, from parts of the given size', async () => {
    const s = store();
    const got = await collect(readAhead(s.fetch, { start: 10, end: 909, partBytes: 200, ahead: 2 }));
    expect(got.equals(object.subarray(10, 910))).toBe(true);
    expect(s.requests).toEqual([
      [10, 209],
      [210, 409],
      [410, 609],
      [610, 809],
      [810, 909],
    ]);
  });

  it('keeps at most ahead + 1 parts in flight', async () => {
    const s = store();
    await collect(readAhead(s.fetch, { start: 0, end: 999, partBytes: 100, ahead: 2 }));
    expect(s.maxOpen()).toBeLessThanOrEqual(3);
    expect(s.maxOpen()).toBeGreaterThan(1);
  });

  it('requests nothing more while the consumer does not read (backpressure)', async () => {
    const s = store();
    const r = readAhead(s.fetch, { start: 0, end: 999, partBytes: 100, ahead: 1, highWaterMark: 10 });
    const it = r[Symbol.asyncIterator]();
    await it.next();
    await new Promise((res) => setTimeout(res, 100));
    // The part being read and the one ahead of it (the stream buffers less than a part).
    expect(s.requests.length).toBeLessThanOrEqual(3);
    r.destroy();
  });

  it('fetches a part again when it breaks mid-body', async () => {
    const s = store({ failFirstOf: 200 });
    const got = await collect(readAhead(s.fetch, { start: 0, end: 999, partBytes: 200, ahead: 1 }));
    expect(got.equals(object)).toBe(true);
    expect(s.requests.filter(([a]) => a === 200)).toHaveLength(2);
  });
});
