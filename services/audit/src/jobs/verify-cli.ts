import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadEnvFile } from '@medvault/common/config';
import { loadServiceConfig } from '../config.js';
import { buildCliDeps } from '../deps.js';

/**
 * `npm run audit:verify [-- --from N --to N --deep --json]`: verifies the sealed part of the chain from its
 * segments and signed digests in S3, and the unsealed tail from MongoDB, with the audit service's
 * own configuration. `--deep` re-hashes every sealed record as well (see checkSegment in verify-log.ts). A one-shot job (no server, no consumer), hence its place under jobs/.
 * Exit codes: 0 valid, 1 invalid (first bad seq printed), 2 could not verify (e.g. a dependency down).
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      deep: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  // Local convenience: the stack's shared env and the audit service's own credentials, when
  // present. Never overrides the real environment (production sets everything explicitly).
  const root = new URL('../../../../', import.meta.url);
  loadEnvFile(new URL('infra/env/local.env', root));
  const creds = new URL('.local/state/credentials/audit.env', root);
  if (existsSync(creds)) loadEnvFile(creds);
  process.env.LOG_LEVEL ??= 'warn';

  const range = {
    ...(values.from ? { from: positive('from', values.from) } : {}),
    ...(values.to ? { to: positive('to', values.to) } : {}),
    deep: values.deep,
  };
  const deps = buildCliDeps(loadServiceConfig(process.env));
  try {
    const started = Date.now();
    const r = await deps.audit.verify(range);
    const seconds = (Date.now() - started) / 1000;
    if (values.json) {
      console.log(JSON.stringify({ ...r, seconds }));
    } else {
      const rate = seconds > 0 ? Math.round(r.checked / seconds) : r.checked;
      console.log(
        `audit chain (${deps.config.MONGO_DB}, s3://${deps.config.BUCKET_AUDIT}/${deps.config.AUDIT_CHECKPOINT_PREFIX})`,
      );
      const per = (n: number, s: number) => (s > 0 ? Math.round(n / s) : n);
      console.log(
        `  records checked:     ${r.checked} (seq ${r.from}..${r.lastSeq}) in ${seconds.toFixed(1)} s, ${rate} records/s`,
      );
      console.log(
        `  sealed (S3):         ${r.sealed.records} records in ${r.sealed.segments} segments, ${r.sealed.digests} signed digests, through seq ${r.sealed.lastSeq}, ${r.sealed.seconds.toFixed(1)} s = ${per(r.sealed.records, r.sealed.seconds)} records/s (${values.deep ? 'every record re-hashed' : 'segment hashes against the signed digests, links and seqs; --deep re-hashes every record'})`,
      );
      console.log(
        `  unsealed tail (DB):  ${r.tail.records} records from seq ${r.tail.from}, ${r.tail.seconds.toFixed(1)} s`,
      );
      console.log(`  checkpoints/digests checked: ${r.checkpointsChecked}`);
      console.log(
        `  latest valid checkpoint: ${r.checkpoint ? `seq ${r.checkpoint.seq} at ${r.checkpoint.time}` : 'none'}`,
      );
      console.log(r.ok ? '  result: OK' : `  result: INVALID: first invalid seq ${r.firstInvalid} (${r.reason})`);
    }
    return r.ok ? 0 : 1;
  } finally {
    await deps.close();
  }
}

function positive(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`audit verify failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
