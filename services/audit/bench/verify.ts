import { KmsSigner } from '../src/adapters/kms-signer.js';
import { MongoCheckpointLedger } from '../src/adapters/mongo-checkpoints.js';
import { MongoLease } from '../src/adapters/mongo-lease.js';
import { Sealer } from '../src/app/seal-segments.js';
import { buildDeps } from '../src/deps.js';
import { sha256Hex } from '../src/domain/canonical.js';
import type { Digest } from '../src/domain/digest.js';
import { type AuditRecord, GENESIS_HASH, hashOf } from '../src/domain/record.js';
import { segmentLine, verifySegmentBytes } from '../src/domain/segment.js';
import { benchConfig, ChainGenerator, cpuMs, figures, profiled, rate } from './common.js';

/**
 * The chain arithmetic alone, no storage: (a) records as objects (encode + SHA-256 + link), as the
 * database tail is verified; (b) sealed segment lines (SHA-256 of each line's slice + link), as
 * segments are verified. Generation time is excluded; wall and CPU time both printed.
 */
export function computePhase(n: number): number {
  warmUp();
  const gen = new ChainGenerator();
  let wall = 0;
  let cpu = 0;
  let wallLines = 0;
  let cpuLines = 0;
  let wallSigned = 0;
  let prev = GENESIS_HASH;
  for (let k = 1; k <= n; k += 10_000) {
    const chunk: AuditRecord[] = gen.take(k, Math.min(k + 9_999, n));
    let t = performance.now();
    let c = process.cpuUsage();
    for (const r of chunk) {
      if (hashOf(r) !== r.hash || r.prevHash !== prev) throw new Error(`record ${r.seq} does not verify`);
      prev = r.hash;
    }
    wall += performance.now() - t;
    cpu += cpuMs(c);
    const bytes = Buffer.from(`${chunk.map(segmentLine).join('\n')}\n`);
    t = performance.now();
    c = process.cpuUsage();
    const seg = verifySegmentBytes(bytes, {
      from: chunk[0]!.seq,
      to: chunk.at(-1)!.seq,
      firstPrevHash: chunk[0]!.prevHash,
      lastHash: chunk.at(-1)!.hash,
    });
    if (seg.failure) throw new Error(`segment does not verify at ${seg.failure.seq}`);
    wallLines += performance.now() - t;
    cpuLines += cpuMs(c);
    // The default check of a sealed segment: one SHA-256 over its bytes (compared with the signed
    // digest's) + seqs and links without re-hashing each line (checkSegment in verify-log.ts).
    t = performance.now();
    const whole = sha256Hex(bytes);
    const structure = verifySegmentBytes(
      bytes,
      { from: chunk[0]!.seq, to: chunk.at(-1)!.seq, firstPrevHash: chunk[0]!.prevHash, lastHash: chunk.at(-1)!.hash },
      { rehash: false },
    );
    if (structure.failure || whole.length !== 64) throw new Error('segment structure does not verify');
    wallSigned += performance.now() - t;
  }
  const objects = rate(n, wall);
  console.log(
    `compute: ${n} records in memory: objects ${objects} records/s (${rate(n, cpu)} per CPU-second); segment lines ${rate(n, wallLines)} records/s (${rate(n, cpuLines)} per CPU-second)`,
  );
  figures.push({ metric: 'in-memory hash + link checks (record objects)', value: objects, unit: 'records/s' });
  figures.push({
    metric: 'in-memory hash + link checks (sealed segment lines, every line re-hashed: --deep)',
    value: rate(n, wallLines),
    unit: 'records/s',
  });
  figures.push({
    metric: 'in-memory sealed segment check (one SHA-256 over the segment + link and seq checks)',
    value: rate(n, wallSigned),
    unit: 'records/s',
    baseline: { label: 'every line re-hashed', value: rate(n, wallLines), unit: 'records/s' },
  });
  console.log(`         sealed segment check (segment hash + links): ${rate(n, wallSigned)} records/s`);
  return objects;
}

/**
 * Runs each check on a chain of its own until V8 has optimised it, so the figures are the steady
 * state a verifier of a million records runs at, not the first segments' interpreted code (the
 * sealed-segment check read 0.88 M/s cold and 1.4 M/s warm on the same machine).
 */
function warmUp() {
  const gen = new ChainGenerator();
  const chunk = gen.take(1, 2_000);
  const bytes = Buffer.from(`${chunk.map(segmentLine).join('\n')}\n`);
  const exp = { from: 1, to: 2_000, firstPrevHash: chunk[0]!.prevHash, lastHash: chunk.at(-1)!.hash };
  for (let i = 0; i < 20; i++) {
    for (const r of chunk) if (hashOf(r) !== r.hash) throw new Error('warm-up chain does not verify');
    if (verifySegmentBytes(bytes, exp).failure || verifySegmentBytes(bytes, exp, { rehash: false }).failure)
      throw new Error('warm-up segment does not verify');
    sha256Hex(bytes);
  }
}

/**
 * Seals `n` generated records into segments of `segment` records in S3 (the real sealer: gzip,
 * write-once PUT, KMS Sign, ledger), appends a small unsealed tail to the database, then times the
 * service's verification of everything (segments streamed from S3 + the tail from the database).
 */
export async function verifyPhase(n: number, segment: number, tail: number, computeRate: number, keep: boolean) {
  const deps = buildDeps(benchConfig('verify', { CHECKPOINT_EVERY: String(segment) }));
  try {
    const gen = new ChainGenerator();
    const sealer = new Sealer(
      {
        segments: deps.audit.segments,
        ledger: new MongoCheckpointLedger<Digest>(deps.db, 'digests'),
        lease: new MongoLease(deps.db, 'sealer', 600_000),
        signer: new KmsSigner(deps.kms, deps.config.KMS_AUDIT_SIGNING_KEY_ID),
        tail: async () => ({ seq: n, hash: '' }),
        records: async (from, to) => gen.take(from, to),
      },
      { every: segment, intervalSeconds: 1e9 },
    );
    const t = Date.now();
    let sealed = 0;
    for (;;) {
      const ds = await sealer.tick(true);
      if (ds.length === 0) break;
      sealed += ds.reduce((s, d) => s + d.segment.count, 0);
      process.stdout.write(`  sealed ${sealed}\r`);
    }
    console.log(
      `seal:    ${sealed} records into ${Math.ceil(sealed / segment)} segments in ${((Date.now() - t) / 1000).toFixed(1)} s (generation included)`,
    );
    const rest = gen.take(n + 1, n + tail);
    await deps.audit.store.ensureIndexes();
    for (let i = 0; i < rest.length; i += 100) await deps.audit.store.insertOrdered(rest.slice(i, i + 100));
    await deps.audit.store.writeHint(gen.head);

    for (const deep of [false, true]) {
      const t0 = Date.now();
      const c = process.cpuUsage();
      const r = await profiled(deep ? 'verify-deep' : 'verify', () => deps.audit.verify({ deep }));
      const ms = Date.now() - t0;
      const mode = deep ? ', every sealed record re-hashed (--deep)' : '';
      console.log(
        `verify${deep ? ' --deep' : ''}:  ${r.checked} records in ${(ms / 1000).toFixed(1)} s = ${rate(r.checked, ms)} records/s (${rate(r.checked, cpuMs(c))} per CPU-second), ok=${r.ok}${r.ok ? '' : ` firstInvalid=${r.firstInvalid} ${r.reason}`}`,
      );
      console.log(
        `         sealed: ${r.sealed.records} records, ${r.sealed.segments} segments from S3 in ${r.sealed.seconds.toFixed(1)} s = ${rate(r.sealed.records, r.sealed.seconds * 1000)} records/s; tail: ${r.tail.records} records from the database in ${r.tail.seconds.toFixed(1)} s`,
      );
      figures.push({
        metric: `verify ${r.checked} records from storage (${r.sealed.segments} sealed segments in S3 + ${r.tail.records} from the database${mode})`,
        value: rate(r.checked, ms),
        unit: 'records/s',
        ...(computeRate
          ? { baseline: { label: 'in-memory hash + link checks', value: computeRate, unit: 'records/s' } }
          : {}),
      });
      figures.push({
        metric: `verify sealed segments from S3 (parallel GET, gunzip, ${deep ? 'every line hashed' : 'segment hash + links'})`,
        value: rate(r.sealed.records, r.sealed.seconds * 1000),
        unit: 'records/s',
      });
      if (!r.ok) process.exitCode = 1;
    }
  } finally {
    if (!keep) await deps.db.dropDatabase().catch(() => undefined);
    await deps.close();
  }
}
