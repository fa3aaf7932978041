import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Startable } from '@medvault/common/http';
import type { Logger } from '@medvault/common/logger';
import type { Redis } from 'ioredis';
import type { Db } from 'mongodb';
import { KmsPublicKeyVerifier, KmsSigner } from './adapters/kms-signer.js';
import { MongoCheckpointLedger } from './adapters/mongo-checkpoints.js';
import { MongoRecordStore } from './adapters/mongo-records.js';
import { RedisRecordedEvents } from './adapters/redis-recorded.js';
import { S3CheckpointArchive } from './adapters/s3-archive.js';
import type { Config } from './config.js';
import { type AppendResult, ChainWriter, findTail } from './domain/chain-writer.js';
import { Checkpointer } from './domain/checkpointer.js';
import { type AuditableEvent, draftFromEvent, GENESIS_HASH } from './domain/record.js';
import { type VerifyResult, verifyChain } from './domain/verify.js';

export type CoreConfig = Pick<
  Config,
  | 'BUCKET_AUDIT'
  | 'KMS_AUDIT_SIGNING_KEY_ID'
  | 'CHECKPOINT_EVERY'
  | 'CHECKPOINT_INTERVAL_SECONDS'
  | 'CHECKPOINT_TICK_SECONDS'
  | 'AUDIT_CHECKPOINT_PREFIX'
  | 'AUDIT_APPEND_BATCH'
>;

/** The audit log's use cases, wired to Mongo, S3 and KMS. HTTP, messaging and the CLI call only this. */
export interface AuditCore {
  store: MongoRecordStore;
  archive: S3CheckpointArchive;
  writer: ChainWriter;
  checkpointer: Checkpointer;
  /** Appends one event (idempotent on its id). */
  ingest(event: AuditableEvent): Promise<AppendResult>;
  verify(range?: { from?: number; to?: number }): Promise<VerifyResult>;
  /** Background checkpointing (main.ts starts it beside the consumer). */
  checkpointWorker(): Startable;
}

export function createAuditCore(io: {
  db: Db;
  redis?: Redis;
  s3: S3Client;
  kms: KMSClient;
  config: CoreConfig;
  logger: Logger;
}): AuditCore {
  const { config, logger } = io;
  const store = new MongoRecordStore(io.db);
  const archive = new S3CheckpointArchive(io.s3, config.BUCKET_AUDIT, config.AUDIT_CHECKPOINT_PREFIX);
  const verifier = new KmsPublicKeyVerifier(io.kms, config.KMS_AUDIT_SIGNING_KEY_ID);
  let ready: Promise<void> | undefined;
  const init = () => {
    ready ??= ensureIndexesWithRetry(store).catch((err: unknown) => {
      ready = undefined;
      throw err;
    });
    return ready;
  };
  let kick: (() => void) | undefined;
  let lastCheckpointSeq = 0;
  const writer = new ChainWriter(store, {
    maxBatch: config.AUDIT_APPEND_BATCH,
    ...(io.redis ? { recorded: new RedisRecordedEvents(io.redis, io.db.databaseName) } : {}),
    onAppended: (tail) => {
      if (tail.seq - lastCheckpointSeq >= config.CHECKPOINT_EVERY) kick?.();
    },
  });
  const checkpointer = new Checkpointer(
    {
      records: store,
      ledger: new MongoCheckpointLedger(io.db),
      archive,
      signer: new KmsSigner(io.kms, config.KMS_AUDIT_SIGNING_KEY_ID),
      tail: () => findTail(store),
    },
    { every: config.CHECKPOINT_EVERY, intervalSeconds: config.CHECKPOINT_INTERVAL_SECONDS },
  );

  return {
    store,
    archive,
    writer,
    checkpointer,
    async ingest(event) {
      await init();
      return writer.append(draftFromEvent(event));
    },
    async verify(range = {}) {
      const from = range.from ?? 1;
      const [head, anchor, checkpoints] = await Promise.all([
        store.readHint(),
        from === 1 ? Promise.resolve(GENESIS_HASH) : store.getBySeq(from - 1).then((r) => r?.hash ?? null),
        archive.list(),
      ]);
      return verifyChain({
        records: store.iterateRange(from, range.to),
        from,
        to: range.to,
        anchorHash: anchor,
        checkpoints,
        verifier,
        headSeq: head?.seq,
      });
    },
    checkpointWorker() {
      let timer: NodeJS.Timeout | undefined;
      let running: Promise<void> | undefined;
      const tick = () => {
        if (running) return;
        running = checkpointer
          .tick()
          .then((cp) => {
            if (cp) {
              lastCheckpointSeq = cp.seq;
              logger.info({ seq: cp.seq }, 'audit checkpoint signed');
            }
          })
          .catch((err: unknown) => logger.error({ err }, 'audit checkpoint failed'))
          .finally(() => {
            running = undefined;
          });
      };
      return {
        start() {
          kick = tick;
          timer = setInterval(tick, config.CHECKPOINT_TICK_SECONDS * 1000);
          tick();
        },
        async stop() {
          kick = undefined;
          if (timer) clearInterval(timer);
          await running;
        },
      };
    },
  };
}

/**
 * FerretDB v1 drops the connection when two clients create the same indexes on a fresh
 * collection at once (seen: two instances starting together); the second try finds them made.
 */
async function ensureIndexesWithRetry(store: MongoRecordStore, attempts = 4): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await store.ensureIndexes();
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 150 * i));
    }
  }
}
