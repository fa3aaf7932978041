import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Startable } from '@medvault/common/http';
import type { Logger } from '@medvault/common/logger';
import { platform, type UserServiceDeps } from '@medvault/common/platform';
import type { Redis } from 'ioredis';
import type { Db, MongoClient } from 'mongodb';
import { KmsPublicKeyVerifier, KmsSigner } from './adapters/kms-signer.js';
import { MongoCheckpointLedger } from './adapters/mongo-checkpoints.js';
import { MongoLease } from './adapters/mongo-lease.js';
import { MongoRecordStore } from './adapters/mongo-records.js';
import { RedisRecordedEvents } from './adapters/redis-recorded.js';
import { S3CheckpointArchive } from './adapters/s3-archive.js';
import { S3SegmentStore } from './adapters/s3-segments.js';
import { type AuditLog, createAuditLog } from './app/audit-log.js';
import type { Config } from './config.js';
import type { Digest } from './domain/digest.js';
import { sealerJob } from './jobs/sealer.js';
import { createAuditBatchConsumer } from './messaging/batch-consumer.js';

export const SERVICE = 'audit';

export type AuditCore = AuditLog<MongoRecordStore>;

/** Everything the audit service talks to. The only place its clients are constructed. */
export interface Deps extends UserServiceDeps<Config> {
  mongo: MongoClient;
  db: Db;
  redis: Redis;
  s3: S3Client;
  kms: KMSClient;
  sqs: SQSClient;
  queueUrl: string;
  /** The audit queue's batch consumer (main.ts starts it). */
  consumer: Startable;
  /** The audit log itself (chain writer, sealing, verification). */
  audit: AuditCore;
  /** Background sealing (main.ts starts it beside the consumer). */
  sealer: Startable;
}

// The sealer's lease outlives a few ticks, so a live holder keeps it and a dead one frees it soon.
const LEASE_TICKS = 6;

/** The audit log over Mongo, S3 and KMS (service and CLI share this wiring). */
function buildAuditLog(io: { db: Db; redis?: Redis; s3: S3Client; kms: KMSClient; config: Config; logger: Logger }) {
  const { config } = io;
  const prefix = config.AUDIT_CHECKPOINT_PREFIX;
  let kick = () => {};
  const audit = createAuditLog(
    {
      store: new MongoRecordStore(io.db),
      segments: new S3SegmentStore(io.s3, config.BUCKET_AUDIT, prefix),
      digestLedger: new MongoCheckpointLedger<Digest>(io.db, 'digests'),
      archive: new S3CheckpointArchive(io.s3, config.BUCKET_AUDIT, prefix),
      checkpointLedger: new MongoCheckpointLedger(io.db),
      lease: new MongoLease(io.db, 'sealer', config.CHECKPOINT_TICK_SECONDS * 1000 * LEASE_TICKS),
      signer: new KmsSigner(io.kms, config.KMS_AUDIT_SIGNING_KEY_ID),
      verifier: new KmsPublicKeyVerifier(io.kms, config.KMS_AUDIT_SIGNING_KEY_ID),
      ...(io.redis ? { recorded: new RedisRecordedEvents(io.redis, io.db.databaseName) } : {}),
    },
    {
      sealEvery: config.CHECKPOINT_EVERY,
      sealIntervalSeconds: config.CHECKPOINT_INTERVAL_SECONDS,
      appendBatch: config.AUDIT_APPEND_BATCH,
      onSealDue: () => kick(),
    },
  );
  const sealer = sealerJob(audit.sealer, config.CHECKPOINT_TICK_SECONDS, io.logger);
  kick = sealer.kick;
  return { audit, sealer };
}

export function buildDeps(config: Config): Deps {
  const p = platform(SERVICE, config);
  const { client: mongo, db } = p.mongo();
  const redis = p.redis();
  const s3 = p.s3({ buckets: [config.BUCKET_AUDIT] });
  const kms = p.kms({ keyId: config.KMS_AUDIT_SIGNING_KEY_ID });
  const { sqs, queueUrl } = p.queue(config.AUDIT_QUEUE_NAME);
  const { audit, sealer } = buildAuditLog({ db, redis, s3, kms, config, logger: p.logger });
  return {
    config,
    logger: p.logger,
    checks: p.checks,
    tokenAuth: p.tokenAuth(),
    // Refused direct calls are recorded straight into the chain (this service has no sns:Publish).
    callers: p.gatewayOnly({ denied: (e) => audit.ingest(e) }),
    mongo,
    db,
    redis,
    s3,
    kms,
    sqs,
    queueUrl,
    consumer: createAuditBatchConsumer({
      sqs,
      queueUrl,
      logger: p.logger,
      ingestMany: (events) => audit.ingestMany(events),
    }),
    audit,
    sealer,
    close: () => p.close(),
  };
}

/** What the verify CLI needs: Mongo, S3 and KMS with the service's configuration, nothing else. */
export interface CliDeps {
  config: Config;
  logger: Logger;
  audit: AuditCore;
  close(): Promise<void>;
}

export function buildCliDeps(config: Config): CliDeps {
  const p = platform(`${SERVICE}-cli`, config);
  const { db } = p.mongo();
  const s3 = p.s3({ buckets: [config.BUCKET_AUDIT] });
  const kms = p.kms({ keyId: config.KMS_AUDIT_SIGNING_KEY_ID });
  const { audit } = buildAuditLog({ db, s3, kms, config, logger: p.logger });
  return { config, logger: p.logger, audit, close: () => p.close() };
}
