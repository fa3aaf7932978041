import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type EventPublisher, type IdempotencyStore, RedisIdempotencyStore } from '@medvault/common/bus';
import { KmsDataKeyProvider } from '@medvault/common/crypto';
import { encryptedObjects, platform, type ServiceDeps } from '@medvault/common/platform';
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

/**
 * Everything the watermark service talks to. The only place its clients are constructed. No access
 * tokens: it serves no user (health and metrics only); the token key only attributes direct hits.
 */
export interface Deps extends ServiceDeps<Config> {
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
  /** The SDK clients behind the adapters (the one-read tests count the calls they send). */
  s3: S3Client;
  kms: KMSClient;
}

export function buildDeps(config: Config): Deps {
  const p = platform(SERVICE, config);
  const redis = p.redis();
  const s3 = p.s3({ buckets: [config.BUCKET_CLEAN, config.BUCKET_DERIVATIVES], ...encryptedObjects.s3 });
  const kms = p.kms({ keyId: config.KMS_DATA_KEY_ID, ...encryptedObjects.kms });
  const keys = new KmsDataKeyProvider(kms, config.KMS_DATA_KEY_ID);
  const { publisher } = p.publisher();
  const { sqs, queueUrl } = p.queue(config.WATERMARK_QUEUE_NAME);
  return {
    config,
    logger: p.logger,
    checks: p.checks,
    callers: p.gatewayOnly(),
    publisher,
    sqs,
    queueUrl,
    idempotency: new RedisIdempotencyStore(redis),
    opener: s3Opener(s3, keys),
    renderer: new SharpRenderer(),
    dicom: new DcmjsCodec(),
    zipDicom: new FflateZipDicomReader(),
    identities: new RedisPatientIdentities(redis),
    derivatives: s3DerivativeStore(s3, keys, config.BUCKET_DERIVATIVES),
    deidentifier: new DcmjsDeidentifier(),
    salts: new RedisUidSalts(redis),
    copies: s3CopyStore(s3, keys, config.BUCKET_QUARANTINE),
    s3,
    kms,
    close: () => p.close(),
  };
}
