import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { RedisRevocationStore, type RevocationChecker } from '@medvault/common/auth';
import { awsClientConfig, queueUrl, s3ClientConfig } from '@medvault/common/aws';
import {
  type EventPublisher,
  type IdempotencyStore,
  RedisIdempotencyStore,
  SnsEventPublisher,
} from '@medvault/common/bus';
import { createRedis, readPem } from '@medvault/common/clients';
import { KmsDataKeyProvider } from '@medvault/common/crypto';
import {
  type CallerPolicy,
  type DependencyCheck,
  gatewayOnlyCallers,
  kmsCheck,
  redisCheck,
  s3Check,
  snsCheck,
  sqsCheck,
} from '@medvault/common/http';
import { createLogger, type Logger } from '@medvault/common/logger';
import type { Redis } from 'ioredis';
import { DcmjsCodec } from './adapters/dicom-codec.js';
import { DcmjsDeidentifier } from './adapters/dicom-deidentifier.js';
import { s3CopyStore, s3DerivativeStore, s3Opener } from './adapters/objects.js';
import { RedisPatientIdentities } from './adapters/redis-identities.js';
import { RedisUidSalts } from './adapters/redis-uid-salts.js';
import { SharpRenderer } from './adapters/sharp-renderer.js';
import { FflateZipDicomReader } from './adapters/zip-dicom.js';
import type { Config } from './config.js';
import type {
  CopyStore,
  DerivativeStore,
  DicomCodec,
  DicomDeidentifier,
  ObjectOpener,
  PatientIdentities,
  Renderer,
  UidSalts,
} from './domain/ports.js';
import type { ZipDicomReader } from './domain/zip-study.js';

export const SERVICE = 'watermark';

/** Everything the watermark service talks to. The only place its clients are constructed. */
export interface Deps {
  config: Config;
  logger: Logger;
  checks: DependencyCheck[];
  jwtPublicKey: string;
  /** Only the gateway may call: the assertion key and where direct hits are recorded. */
  callers: CallerPolicy;
  revocation: RevocationChecker;
  redis: Redis;
  s3: S3Client;
  kms: KMSClient;
  sns: SNSClient;
  publisher: EventPublisher;
  sqs: SQSClient;
  queueUrl: string;
  idempotency: IdempotencyStore;
  opener: ObjectOpener;
  renderer: Renderer;
  dicom: DicomCodec;
  /** The DICOM members of a study ZIP (issue 17). */
  zipDicom: ZipDicomReader;
  identities: PatientIdentities;
  derivatives: DerivativeStore;
  deidentifier: DicomDeidentifier;
  salts: UidSalts;
  copies: CopyStore;
  close(): Promise<void>;
}

export function buildDeps(config: Config): Deps {
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const aws = awsClientConfig(config);
  const redis = createRedis(config.REDIS_URL, 'medvault-watermark');
  // Response checksums only when required: for multipart objects (how files stores uploads) the
  // emulator reports a CRC the SDK rejects for the whole body, and every byte we read is
  // authenticated by the envelope's AES-GCM segments anyway. Timeouts: a frozen S3/KMS fails
  // the attempt (SQS retries) instead of hanging a worker.
  const s3 = new S3Client({
    ...s3ClientConfig(config),
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { requestTimeout: 60_000, connectionTimeout: 5_000, throwOnRequestTimeout: true },
  });
  const kms = new KMSClient({
    ...aws,
    requestHandler: { requestTimeout: 10_000, connectionTimeout: 3_000, throwOnRequestTimeout: true },
  });
  const sns = new SNSClient(aws);
  const publisher = new SnsEventPublisher(sns, config.EVENTS_TOPIC_ARN);
  const sqs = new SQSClient(aws);
  const queue = queueUrl(config.QUEUE_URL_BASE, config.WATERMARK_QUEUE_NAME);
  const idempotency = new RedisIdempotencyStore(redis);
  const jwtPublicKey = readPem(
    config.JWT_PUBLIC_KEY,
    config.JWT_PUBLIC_KEY_FILE,
    'JWT public key (JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE)',
  );
  const revocation = new RedisRevocationStore(redis);
  const checks: DependencyCheck[] = [
    redisCheck(redis),
    s3Check(s3, config.BUCKET_CLEAN),
    s3Check(s3, config.BUCKET_DERIVATIVES),
    kmsCheck(kms, config.KMS_DATA_KEY_ID),
    snsCheck(sns, config.EVENTS_TOPIC_ARN),
    sqsCheck(sqs, queue),
  ];
  const keys = new KmsDataKeyProvider(kms, config.KMS_DATA_KEY_ID);
  return {
    config,
    logger,
    checks,
    jwtPublicKey,
    callers: gatewayOnlyCallers(config, { jwtPublicKey, denied: (e) => publisher.publish(e) }),
    revocation,
    redis,
    s3,
    kms,
    sns,
    publisher,
    sqs,
    queueUrl: queue,
    idempotency,
    opener: s3Opener(s3, keys),
    renderer: new SharpRenderer(),
    dicom: new DcmjsCodec(),
    zipDicom: new FflateZipDicomReader(),
    identities: new RedisPatientIdentities(redis),
    derivatives: s3DerivativeStore(s3, keys, config.BUCKET_DERIVATIVES),
    deidentifier: new DcmjsDeidentifier(),
    salts: new RedisUidSalts(redis),
    copies: s3CopyStore(s3, keys, config.BUCKET_QUARANTINE),
    close: async () => {
      await Promise.allSettled([
        redis.quit().catch(() => redis.disconnect()),
        Promise.resolve(s3.destroy()),
        Promise.resolve(kms.destroy()),
        Promise.resolve(sns.destroy()),
        Promise.resolve(sqs.destroy()),
      ]);
    },
  };
}
