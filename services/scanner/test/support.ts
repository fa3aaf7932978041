import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { Upload } from '@aws-sdk/lib-storage';
import { awsClientConfig, s3ClientConfig } from '@medvault/common/aws';
import { createEventConsumer, type EventConsumer, type EventHandlers, SnsEventPublisher } from '@medvault/common/bus';
import { createEncryptStream, KmsDataKeyProvider } from '@medvault/common/crypto';
import { createEvent, type Envelope } from '@medvault/common/events';
import { newId } from '@medvault/common/ids';
import { credentialsFor, type ServiceName } from '@medvault/common/testing';
import { type Deps, SERVICE } from '../src/deps.js';
import { buildHandlers } from '../src/messaging/handlers.js';

/** AWS clients acting as another service (the files service seeds uploads in real life). */
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
    sns,
    publisher: new SnsEventPublisher(sns, process.env.EVENTS_TOPIC_ARN ?? ''),
    close() {
      s3.destroy();
      kms.destroy();
      sns.destroy();
    },
  };
}
export type Clients = ReturnType<typeof clientsAs>;

/** Encrypts `data` in the MedVault envelope format exactly as the files service stores it. */
export async function encryptForFile(
  kms: KMSClient,
  data: Buffer,
  context: { fileId: string; ownerId: string },
): Promise<Buffer> {
  const { stream } = await createEncryptStream(new KmsDataKeyProvider(kms, process.env.KMS_DATA_KEY_ID ?? ''), context);
  const out: Buffer[] = [];
  stream.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((resolve, reject) => stream.on('end', resolve).on('error', reject));
  stream.end(data);
  await done;
  return Buffer.concat(out);
}

/**
 * Stores an object the way the files service does: lib-storage Upload from a stream (multipart
 * above the part size). Multipart objects carry emulator checksums the SDK would reject by default.
 */
export async function putLikeFiles(
  s3: S3Client,
  bucket: string,
  key: string,
  body: Buffer,
  partSize = 5 * 1024 * 1024,
): Promise<void> {
  await new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: Readable.from([body]), ContentType: 'application/octet-stream' },
    partSize,
    queueSize: 2,
  }).done();
}

export interface SeededFile {
  fileId: string;
  ownerId: string;
  bucket: string;
  key: string;
  sha256: string;
  size: number;
  contentType: string;
}

/** Puts an encrypted object into a bucket (as the files service would) and describes it. */
export async function seedFile(
  c: Clients,
  data: Buffer,
  opts: { bucket?: string; contentType?: string; fileId?: string; ownerId?: string; contextFileId?: string } = {},
): Promise<SeededFile> {
  const fileId = opts.fileId ?? newId('file');
  const ownerId = opts.ownerId ?? newId('user');
  const bucket = opts.bucket ?? process.env.BUCKET_QUARANTINE ?? 'medvault-quarantine';
  const key = `test/${fileId}/g1`;
  const body = await encryptForFile(c.kms, data, { fileId: opts.contextFileId ?? fileId, ownerId });
  await putLikeFiles(c.s3, bucket, key, body);
  return {
    fileId,
    ownerId,
    bucket,
    key,
    sha256: createHash('sha256').update(data).digest('hex'),
    size: data.length,
    contentType: opts.contentType ?? 'application/octet-stream',
  };
}

/**
 * Streams `source` through the envelope encryption into the bucket (as the files service does for
 * large uploads): nothing is held whole, so tests and benchmarks can seed files of any size.
 */
export async function seedStream(
  c: Clients,
  source: Readable,
  opts: { contentType?: string } = {},
): Promise<SeededFile> {
  const fileId = newId('file');
  const ownerId = newId('user');
  const bucket = process.env.BUCKET_QUARANTINE ?? 'medvault-quarantine';
  const key = `test/${fileId}/g1`;
  const hash = createHash('sha256');
  let size = 0;
  const { stream: enc } = await createEncryptStream(new KmsDataKeyProvider(c.kms, process.env.KMS_DATA_KEY_ID ?? ''), {
    fileId,
    ownerId,
  });
  const counted = source.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    size += chunk.length;
  });
  const upload = new Upload({
    client: c.s3,
    params: { Bucket: bucket, Key: key, Body: enc, ContentType: 'application/octet-stream' },
    partSize: 16 * 1024 * 1024,
    queueSize: 2,
  }).done();
  await Promise.all([upload, pipeline(counted, enc)]);
  return {
    fileId,
    ownerId,
    bucket,
    key,
    sha256: hash.digest('hex'),
    size,
    contentType: opts.contentType ?? 'application/octet-stream',
  };
}

export function uploadedEvent(f: SeededFile, generation = 1): Envelope<'file.uploaded'> {
  const { fileId, ownerId, sha256, size, contentType, bucket, key } = f;
  return createEvent(
    'file.uploaded',
    { fileId, ownerId, uploadedBy: ownerId, sha256, size, contentType, bucket, key, generation },
    { correlationId: newId('event'), source: 'files' },
  );
}

/** Runs the scanner's real queue consumer (as main.ts does) with a short poll for quick stops. */
export function startConsumer(deps: Deps, handlers: EventHandlers = buildHandlers(deps)): EventConsumer {
  const c = createEventConsumer({
    name: SERVICE,
    sqs: deps.sqs,
    queueUrl: deps.queueUrl,
    handlers,
    idempotency: deps.idempotency,
    logger: deps.logger,
    waitTimeSeconds: 1,
    stopTimeoutMs: 10_000,
  });
  c.start();
  return c;
}

/** Publishes a file.uploaded for `f` on the real topic, as the files service does. */
export function publishUpload(c: Clients, f: SeededFile, generation = 1): Promise<void> {
  return c.publisher.publish(uploadedEvent(f, generation));
}
