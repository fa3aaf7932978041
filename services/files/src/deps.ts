import { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '@medvault/common/aws';
import {
  type IdempotencyStore,
  type OutboxRelay,
  RedisIdempotencyStore,
  SnsEventPublisher,
} from '@medvault/common/bus';
import { KmsDataKeyProvider } from '@medvault/common/crypto';
import { snsCheck } from '@medvault/common/http';
import { type MongoFlavour, type MongoSemantics, resolveFlavour } from '@medvault/common/mongo';
import { encryptedObjects, platform, type UserServiceDeps } from '@medvault/common/platform';
import type { Db } from 'mongodb';
import { DcmjsHeaderReader } from './adapters/dicom-header.js';
import { FilesRepo } from './adapters/files-repo.js';
import { GrantsRepo } from './adapters/grants-repo.js';
import { LinksRepo } from './adapters/links-repo.js';
import { ObjectStore } from './adapters/objects.js';
import { Projections } from './adapters/projections.js';
import { allowedContentTypes, type Config } from './config.js';
import type { DicomHeaderReader } from './domain/dicomweb.js';
import type { Clock, FilesPorts, FilesSettings } from './domain/ports.js';
import { createClaimingOutboxRelay } from './jobs/outbox-relay.js';

export type { Clock } from './domain/ports.js';
export const systemClock: Clock = { now: () => new Date() };

export const SERVICE = 'files';

/**
 * The files service composed: the use cases' ports (FilesPorts: adapters chosen here) plus what
 * app.ts and main.ts need to serve, consume and run jobs. The only place clients are constructed.
 */
export interface Deps extends UserServiceDeps<Config>, FilesPorts {
  /** Which server the database is, and so which write semantics the repositories use. */
  mongo: MongoSemantics;
  db: Db;
  sqs: SQSClient;
  queueUrl: string;
  idempotency: IdempotencyStore;
  files: FilesRepo;
  grants: GrantsRepo;
  /** Relays outbox events to SNS (started by main, kicked by the repository's writes; tests flush it). */
  outbox: OutboxRelay;
  /** DICOM headers in the DICOM JSON model (DICOMweb metadata and STOW-RS, issue 17). */
  dicomHeaders: DicomHeaderReader;
}

/**
 * Builds the files service for `config`. Asks the database what it is first (MONGO_FLAVOUR
 * auto): production MongoDB gets retryable writes and atomic single-document updates; the local
 * FerretDB gets the clearly named workaround (`@medvault/common/mongo`: ferretdbWriteLock).
 */
export async function buildDeps(config: Config): Promise<Deps> {
  return composeDeps(config, await resolveFlavour(config));
}

function settingsOf(config: Config): FilesSettings {
  return {
    BUCKET_QUARANTINE: config.BUCKET_QUARANTINE,
    BUCKET_CLEAN: config.BUCKET_CLEAN,
    MAX_UPLOAD_BYTES: config.MAX_UPLOAD_BYTES,
    allowedTypes: allowedContentTypes(config),
    TRASH_RETENTION_DAYS: config.TRASH_RETENTION_DAYS,
    LINK_SIGNING_SECRET: config.LINK_SIGNING_SECRET,
    LINK_DEFAULT_TTL_SECONDS: config.LINK_DEFAULT_TTL_SECONDS,
    LINK_MAX_TTL_SECONDS: config.LINK_MAX_TTL_SECONDS,
    EMERGENCY_ACCESS_MINUTES: config.EMERGENCY_ACCESS_MINUTES,
  };
}

export function composeDeps(config: Config, flavour: MongoFlavour): Deps {
  const p = platform(SERVICE, config);
  const logger = p.logger;
  const redis = p.redis();
  const { db, semantics } = p.mongoWith(flavour);
  const s3 = p.s3({
    buckets: [config.BUCKET_QUARANTINE, config.BUCKET_CLEAN, config.BUCKET_DERIVATIVES],
    ...encryptedObjects.s3,
  });
  const kms = p.kms({ keyId: config.KMS_DATA_KEY_ID, ...encryptedObjects.kms });
  // The relay must see SNS fail fast (one attempt, 5 s) and retry on its own schedule; the
  // platform's publisher has no per-client timeouts (told the platform's owner).
  const sns = new SNSClient({
    ...awsClientConfig(config),
    maxAttempts: 1,
    requestHandler: { requestTimeout: 5_000, connectionTimeout: 3_000, throwOnRequestTimeout: true },
  });
  p.addCheck(snsCheck(sns, config.EVENTS_TOPIC_ARN));
  p.onClose(async () => sns.destroy());
  const publisher = new SnsEventPublisher(sns, config.EVENTS_TOPIC_ARN);
  const { sqs, queueUrl } = p.queue(config.FILES_QUEUE_NAME);
  const files = new FilesRepo(db, semantics.guard('file'));
  const outbox = createClaimingOutboxRelay({
    source: files,
    publisher,
    logger,
    intervalMs: config.OUTBOX_INTERVAL_MS,
    searchEveryMs: config.OUTBOX_SEARCH_INTERVAL_MS,
  });
  // Every write that adds events starts a relay pass (looked up at call time: tests replace kick).
  files.onEvents = (id) => outbox.kick(id);
  p.beforeClose(() => outbox.stop());
  const tokenAuth = p.tokenAuth();
  return {
    config,
    logger,
    checks: p.checks,
    tokenAuth,
    callers: p.gatewayOnly(),
    mongo: semantics,
    db,
    sqs,
    queueUrl,
    idempotency: new RedisIdempotencyStore(redis),
    publisher,
    keys: new KmsDataKeyProvider(kms, config.KMS_DATA_KEY_ID),
    objects: new ObjectStore(s3, {
      partSizeBytes: config.UPLOAD_PART_SIZE_MIB * 1024 * 1024,
      queueSize: config.UPLOAD_QUEUE_SIZE,
      readPartBytes: config.DOWNLOAD_PART_SIZE_MIB * 1024 * 1024,
      readAhead: config.DOWNLOAD_READ_AHEAD,
    }),
    files,
    links: new LinksRepo(db, semantics.guard('link')),
    grants: new GrantsRepo(db),
    projections: new Projections(db),
    settings: settingsOf(config),
    clock: systemClock,
    outbox,
    dicomHeaders: new DcmjsHeaderReader(),
    close: () => p.close(),
  };
}
