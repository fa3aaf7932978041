import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KMSClient } from '@aws-sdk/client-kms';
import { CopyObjectCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { Upload } from '@aws-sdk/lib-storage';
import { awsClientConfig, s3ClientConfig } from '@medvault/common/aws';
import { createEventConsumer, type EventConsumer, SnsEventPublisher } from '@medvault/common/bus';
import { createDecryptStream, createEncryptStream, KmsDataKeyProvider } from '@medvault/common/crypto';
import { createEvent, type Envelope } from '@medvault/common/events';
import { newId } from '@medvault/common/ids';
import { type BusTap, credentialsFor, type ServiceName } from '@medvault/common/testing';
import { type Deps, SERVICE } from '../src/deps.js';
import { buildHandlers } from '../src/messaging/handlers.js';

const keyId = () => process.env.KMS_DATA_KEY_ID ?? '';

export function clientsAs(service: ServiceName) {
  const cfg = {
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
    ...credentialsFor(service),
  };
  const s3 = new S3Client(s3ClientConfig(cfg));
  const kms = new KMSClient(awsClientConfig(cfg));
  const sns = new SNSClient(awsClientConfig(cfg));
  return {
    s3,
    kms,
    publisher: new SnsEventPublisher(sns, process.env.EVENTS_TOPIC_ARN ?? ''),
    close() {
      s3.destroy();
      kms.destroy();
      sns.destroy();
    },
  };
}
export type Clients = ReturnType<typeof clientsAs>;

/** Stores `data` in the clean bucket encrypted as the files service does, and returns file.clean data. */
export async function seedClean(
  c: Clients,
  data: Buffer,
  contentType: string,
  opts: {
    sha256?: string;
    contextFileId?: string;
    viaQuarantineCopy?: boolean;
    ownerId?: string;
    patientId?: string;
  } = {},
) {
  const fileId = newId('file');
  const ownerId = opts.ownerId ?? newId('user');
  const bucket = process.env.BUCKET_CLEAN ?? 'medvault-clean';
  const key = `test/${fileId}/g1`;
  const { stream } = await createEncryptStream(new KmsDataKeyProvider(c.kms, keyId()), {
    fileId: opts.contextFileId ?? fileId,
    ownerId,
  });
  const parts: Buffer[] = [];
  stream.on('data', (b: Buffer) => parts.push(b));
  const done = new Promise((resolve, reject) => stream.once('end', resolve).once('error', reject));
  stream.end(data);
  await done;
  if (opts.viaQuarantineCopy) {
    // As files releases a clean upload: multipart into quarantine, then a server-side copy.
    const q = process.env.BUCKET_QUARANTINE ?? 'medvault-quarantine';
    await new Upload({
      client: c.s3,
      params: { Bucket: q, Key: key, Body: Readable.from([Buffer.concat(parts)]) },
      partSize: 5 * 1024 * 1024,
      queueSize: 1,
    }).done();
    await c.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: `${q}/${key}` }));
  } else {
    // As the files service stores uploads: lib-storage Upload from a stream.
    await new Upload({
      client: c.s3,
      params: { Bucket: bucket, Key: key, Body: Readable.from([Buffer.concat(parts)]) },
      queueSize: 1,
    }).done();
  }
  const sha256 = opts.sha256 ?? createHash('sha256').update(data).digest('hex');
  const patient = opts.patientId ? { patientId: opts.patientId } : {};
  return { fileId, ownerId, ...patient, sha256, size: data.length, contentType, bucket, key, generation: 1 };
}
export type CleanData = Awaited<ReturnType<typeof seedClean>>;

export function cleanEvent(d: CleanData): Envelope<'file.clean'> {
  return createEvent('file.clean', d, { correlationId: newId('event'), source: 'files' });
}

/** Downloads and decrypts an object (admin credentials: what the files service would serve). */
export async function readDecrypted(
  c: Clients,
  bucket: string,
  key: string,
  context: { fileId: string; ownerId: string },
): Promise<Buffer> {
  const r = await c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const decrypt = createDecryptStream({ keys: new KmsDataKeyProvider(c.kms, keyId()), expectedContext: context });
  const parts: Buffer[] = [];
  decrypt.on('data', (b: Buffer) => parts.push(b));
  await pipeline(r.Body as Readable, decrypt);
  return Buffer.concat(parts);
}

export function startConsumer(deps: Deps): EventConsumer {
  const c = createEventConsumer({
    name: SERVICE,
    sqs: deps.sqs,
    queueUrl: deps.queueUrl,
    handlers: buildHandlers(deps),
    idempotency: deps.idempotency,
    logger: deps.logger,
    waitTimeSeconds: 1,
    batchSize: 1,
    stopTimeoutMs: 10_000,
  });
  c.start();
  return c;
}

/** The first outcome the watermark published for a file, whichever it is. */
export function outcomeOf(tap: BusTap, d: { fileId: string }): Promise<Envelope> {
  return Promise.race([
    tap.waitFor('file.processed', (e) => e.data.fileId === d.fileId),
    tap.waitFor('file.integrity_failed', (e) => e.data.fileId === d.fileId),
    tap.waitFor('file.processing_failed', (e) => e.data.fileId === d.fileId),
  ]) as Promise<Envelope>;
}
