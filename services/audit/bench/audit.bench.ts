/**
 * Audit benchmark (not a test): ingest in events/s through SQS and the service's batch consumer,
 * the chain arithmetic in memory, and verification from storage (sealed S3 segments + database tail).
 *   npm run bench -w @medvault/audit -- [--records 1000000] [--ingest 20000] [--segment 10000]
 *     [--tail 500] [--phases ingest,compute,verify] [--keep]
 * Uses the audit service's configuration (local.env + its credentials when present) and a scratch
 * database + key prefix, dropped at the end unless --keep (S3 objects stay: the bucket is write-once).
 */
import { parseArgs } from 'node:util';
import { benchResult } from '@medvault/common/testing';
import { figures, scratch } from './common.js';
import { ingestPhase } from './ingest.js';
import { computePhase, verifyPhase } from './verify.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    ingest: { type: 'string', default: '20000' },
    segment: { type: 'string', default: '10000' },
    tail: { type: 'string', default: '500' },
    keep: { type: 'boolean', default: false },
    /** Comma-separated subset of ingest,compute,verify (e.g. to --cpu-prof one path). */
    phases: { type: 'string', default: 'ingest,compute,verify' },
  },
});
const RECORDS = Number(values.records);
const INGEST = Number(values.ingest);
const phases = new Set(values.phases.split(','));

console.log(`audit bench: ingest ${INGEST} events, verify ${RECORDS} records (scratch ${scratch})`);
if (INGEST > 0 && phases.has('ingest')) await ingestPhase(INGEST, values.keep);
const computeRate = RECORDS > 0 && phases.has('compute') ? computePhase(Math.min(RECORDS, 200_000)) : 0;
if (RECORDS > 0 && phases.has('verify'))
  await verifyPhase(RECORDS, Number(values.segment), Number(values.tail), computeRate, values.keep);
benchResult('audit', figures);
