import { Readable } from 'node:stream';
import { AppError } from '@medvault/common/errors';
import { describe, expect, it } from 'vitest';
import type { VerdictRecord, VerdictStore } from '../domain/ports.js';
import { type ScanDeps, type ScanRequest, scanFile } from './scan-file.js';

/** In-memory implementation of the store port, with the same uniqueness rule as the index. */
class MemoryStore implements VerdictStore {
  readonly records = new Map<string, VerdictRecord>();
  readonly heads = new Map<string, number>();
  async noteGeneration(fileId: string, generation: number) {
    const max = Math.max(this.heads.get(fileId) ?? 0, generation);
    this.heads.set(fileId, max);
    return max;
  }
  async find(fileId: string, generation: number, round: string) {
    return this.records.get(`${fileId}:${generation}:${round}`) ?? null;
  }
  async insertOrGet(r: VerdictRecord) {
    const k = `${r.fileId}:${r.generation}:${r.round}`;
    const existing = this.records.get(k);
    if (existing) return existing;
    this.records.set(k, r);
    return r;
  }
}

function setup(reply: () => Promise<string>) {
  const store = new MemoryStore();
  const published: VerdictRecord['event'][] = [];
  let scans = 0;
  const deps: ScanDeps = {
    opener: { open: async () => Readable.from([Buffer.from('x')]) },
    scanner: {
      scan: async () => {
        scans++;
        return { replies: [await reply()], findings: [] };
      },
      version: async () => ({ engine: 'ClamAV 1.4.6', databaseVersion: '27500' }),
    },
    store,
    publish: async (e) => {
      published.push(e);
    },
    policy: { maxBytes: 1000, unscannable: 'block', maxAttempts: 3, buckets: ['q'] },
  };
  return { deps, store, published, scans: () => scans };
}

const req = (over: Partial<ScanRequest> = {}): ScanRequest => ({
  fileId: 'fil_1',
  generation: 1,
  bucket: 'q',
  key: 'k',
  ownerId: 'usr_1',
  size: 1,
  round: 'upload',
  correlationId: 'c1',
  ...over,
});

const down = () => Promise.reject(new AppError('DEPENDENCY_UNAVAILABLE', 'clamd unavailable'));

describe('scanning one file generation', () => {
  it('throws on a transient failure before the last attempt and records nothing', async () => {
    const t = setup(down);
    await expect(scanFile(t.deps, req(), 1)).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
    expect(t.store.records.size).toBe(0);
    expect(t.published).toHaveLength(0);
  });

  it('records and publishes a final error verdict on the last attempt', async () => {
    const t = setup(down);
    await scanFile(t.deps, req(), 3);
    expect(t.published[0]?.data).toMatchObject({ verdict: 'error', final: true, error: 'clamd unavailable' });
  });

  it('publishes the stored event again instead of scanning twice', async () => {
    const t = setup(async () => 'stream: OK');
    await scanFile(t.deps, req(), 1);
    const again = await scanFile(t.deps, req(), 2);
    expect(again.kind).toBe('replayed');
    expect(t.scans()).toBe(1);
    expect(t.published.map((e) => e.id)).toEqual([t.published[0]?.id, t.published[0]?.id]);
  });

  it('ignores an outdated generation', async () => {
    const t = setup(async () => 'stream: OK');
    await scanFile(t.deps, req({ generation: 2 }), 1);
    expect((await scanFile(t.deps, req({ generation: 1 }), 1)).kind).toBe('outdated');
    expect(t.published).toHaveLength(1);
  });

  it('never reads a bucket outside its policy', async () => {
    const t = setup(async () => 'stream: OK');
    await scanFile(t.deps, req({ bucket: 'elsewhere' }), 1);
    expect(t.scans()).toBe(0);
    expect(t.published[0]?.data.verdict).toBe('error');
  });
});
