/**
 * Audit benchmark (not a test): sustained ingest in events/s through the chain writer, and
 * verification speed in records/s over a chain generated in bulk.
 *   npm run bench -w @medvault/audit -- [--records 1000000] [--ingest 20000] [--batch 5000] [--keep]
 * Uses the audit service's configuration (local.env + its credentials when present) and a
 * scratch database + checkpoint prefix, dropped at the end unless --keep.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadEnvFile } from '@medvault/common/config';
import { createEvent } from '@medvault/common/events';
import { benchResult } from '@medvault/common/testing';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps } from '../src/deps.js';
import { padSeq } from '../src/domain/checkpoint.js';
import { type AuditRecord, draftFromEvent, GENESIS_HASH, seal } from '../src/domain/record.js';
import { verifyChain } from '../src/domain/verify.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    ingest: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '5000' },
    keep: { type: 'boolean', default: false },
    /** Comma-separated subset of ingest,compute,verify (e.g. to --cpu-prof one path). */
    phases: { type: 'string', default: 'ingest,compute,verify' },
  },
});
const RECORDS = Number(values.records);
const INGEST = Number(values.ingest);
const BATCH = Number(values.batch);

const root = new URL('../../../', import.meta.url);
loadEnvFile(new URL('infra/env/local.env', root));
const creds = new URL('.local/state/credentials/audit.env', root);
if (existsSync(creds)) loadEnvFile(creds);
const jwt = new URL('.local/state/jwt/public.pem', root);
if (existsSync(jwt)) process.env.JWT_PUBLIC_KEY_FILE = jwt.pathname;

const scratch = `audit_bench_${Date.now().toString(36)}`;
const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);

function event(i: number) {
  return createEvent(
    'request.completed',
    {
      method: 'GET',
      route: '/v1/files/:id',
      status: 200,
      durationMs: Math.abs(i) % 100,
      resourceType: 'file',
      resourceId: `fil_${i}`,
      patientId: `usr_p${i % 1000}`,
    },
    {
      correlationId: `req_${i}`,
      source: 'gateway',
      actor: { userId: `usr_c${i % 200}`, role: 'clinician', ip: '10.0.0.1', userAgent: 'bench' },
    },
  );
}

async function ingestPhase() {
  const deps = buildDeps(
    loadServiceConfig({
      ...process.env,
      LOG_LEVEL: 'warn',
      MONGO_DB: `${scratch}_ingest`,
      AUDIT_CHECKPOINT_PREFIX: `bench/${scratch}/ingest/`,
    }),
  );
  try {
    await deps.audit.ingest(event(-1)); // indexes, connections
    const started = Date.now();
    const inflight = 2000; // like many consumer messages at once
    for (let i = 0; i < INGEST; i += inflight) {
      await Promise.all(
        Array.from({ length: Math.min(inflight, INGEST - i) }, (_, k) => deps.audit.ingest(event(i + k))),
      );
    }
    const ms = Date.now() - started;
    console.log(
      `ingest:  ${INGEST} events in ${(ms / 1000).toFixed(1)} s = ${rate(INGEST, ms)} events/s (one instance, batches of ${deps.config.AUDIT_APPEND_BATCH})`,
    );
    figures.push({ metric: `ingest (${INGEST} events, one instance)`, value: rate(INGEST, ms), unit: 'events/s' });
  } finally {
    if (!values.keep) await deps.db.dropDatabase().catch(() => undefined);
    await deps.close();
  }
}

async function verifyPhase() {
  const deps = buildDeps(
    loadServiceConfig({
      ...process.env,
      LOG_LEVEL: 'warn',
      MONGO_DB: `${scratch}_verify`,
      AUDIT_CHECKPOINT_PREFIX: `bench/${scratch}/verify/`,
    }),
  );
  try {
    await deps.audit.ingest(event(0)); // creates the indexes; seq 1
    let prev = { seq: 1, hash: (await deps.audit.store.getBySeq(1))!.hash };
    const when = new Date();
    let started = Date.now();
    for (let s = 2; s <= RECORDS; s += BATCH) {
      const docs = [];
      for (let k = s; k < Math.min(s + BATCH, RECORDS + 1); k++) {
        const r = seal(draftFromEvent(event(k)), k, prev.hash, when);
        docs.push({ _id: padSeq(k), ...r });
        prev = r;
      }
      await deps.audit.store.records.insertMany(docs, { ordered: true });
      if ((s - 2) % (BATCH * 20) === 0) process.stdout.write(`  generated ${s - 1 + docs.length}\r`);
    }
    await deps.audit.store.writeHint(prev);
    console.log(
      `generate: ${RECORDS} records in ${((Date.now() - started) / 1000).toFixed(1)} s (bulk insert, ${rate(RECORDS, Date.now() - started)} records/s)`,
    );
    await deps.audit.checkpointer.tick(true);
    started = Date.now();
    const r = await deps.audit.verify();
    const ms = Date.now() - started;
    console.log(
      `verify:  ${r.checked} records + ${r.checkpointsChecked} checkpoint(s) in ${(ms / 1000).toFixed(1)} s = ${rate(r.checked, ms)} records/s, ok=${r.ok}`,
    );
    figures.push({
      metric: `verify ${r.checked} records from the database`,
      value: rate(r.checked, ms),
      unit: 'records/s',
      ...(computeRate
        ? { baseline: { label: 'in-memory hash + link checks', value: computeRate, unit: 'records/s' } }
        : {}),
    });
    if (!r.ok) process.exitCode = 1;
  } finally {
    if (!values.keep) await deps.db.dropDatabase().catch(() => undefined);
    await deps.close();
  }
}

/** The chain arithmetic alone (canonical JSON + SHA-256 + links), streamed: no storage involved. */
async function computePhase() {
  const when = new Date();
  let generatingMs = 0;
  async function* records(): AsyncIterable<AuditRecord> {
    let prevHash = GENESIS_HASH;
    for (let k = 1; k <= RECORDS; k += 10_000) {
      // Generation (event validation + sealing) is not what is measured: its time is subtracted.
      const t = Date.now();
      const chunk: AuditRecord[] = [];
      for (let i = k; i < Math.min(k + 10_000, RECORDS + 1); i++) {
        const r = seal(draftFromEvent(event(i)), i, prevHash, when);
        prevHash = r.hash;
        chunk.push(r);
      }
      generatingMs += Date.now() - t;
      yield* chunk;
    }
  }
  const started = Date.now();
  const r = await verifyChain({
    records: records(),
    from: 1,
    anchorHash: GENESIS_HASH,
    checkpoints: [],
    verifier: { verify: async () => true },
  });
  const ms = Date.now() - started - generatingMs;
  console.log(
    `compute: verified ${r.checked} records in memory in ${(ms / 1000).toFixed(1)} s = ${rate(r.checked, ms)} records/s (hash + link checks only, no storage)`,
  );
  computeRate = rate(r.checked, ms);
}

const figures: {
  metric: string;
  value: number;
  unit: string;
  baseline?: { label: string; value: number; unit: string };
}[] = [];
let computeRate = 0;
console.log(`audit bench: ingest ${INGEST} events, verify ${RECORDS} records (scratch ${scratch})`);
const phases = new Set(values.phases.split(','));
if (INGEST > 0 && phases.has('ingest')) await ingestPhase();
if (RECORDS > 0 && phases.has('compute')) await computePhase();
if (RECORDS > 0 && phases.has('verify')) await verifyPhase();
benchResult('audit', figures);
