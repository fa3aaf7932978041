import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type Checkpoint, isCheckpoint, padSeq } from '../domain/checkpoint.js';
import type { ArchivedCheckpoint, CheckpointArchive } from '../domain/ports.js';

const NAME = /^(\d{12})\.json$/;

/**
 * Checkpoints as write-once objects `<prefix><seq 12 digits>.json` in the audit bucket (object
 * lock + versioning in the topology; the service's IAM policy denies deletes). Never overwritten:
 * PutObject carries If-None-Match: *, so an existing object answers 412 and stays as it is.
 */
export class S3CheckpointArchive implements CheckpointArchive {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {}

  keyOf(seq: number): string {
    return `${this.prefix}${padSeq(seq)}.json`;
  }

  async put(cp: Checkpoint): Promise<'created' | 'exists'> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.keyOf(cp.seq),
          Body: `${JSON.stringify(cp, null, 2)}\n`,
          ContentType: 'application/json',
          IfNoneMatch: '*',
        }),
      );
      return 'created';
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 412 || (err as { name?: string }).name === 'PreconditionFailed') return 'exists';
      throw err;
    }
  }

  async list(): Promise<ArchivedCheckpoint[]> {
    // moto rejects the signature of list requests whose Prefix contains '/', so list by the part
    // before the first '/' and filter here (harmless on AWS, where the full prefix also works).
    const listPrefix = this.prefix.split('/')[0] ?? '';
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const r = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          ...(listPrefix ? { Prefix: listPrefix } : {}),
          ContinuationToken: token,
        }),
      );
      for (const o of r.Contents ?? []) {
        if (o.Key?.startsWith(this.prefix) && NAME.test(o.Key.slice(this.prefix.length))) keys.push(o.Key);
      }
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    keys.sort();
    const out: ArchivedCheckpoint[] = [];
    for (const key of keys) {
      const seq = Number(NAME.exec(key.slice(this.prefix.length))![1]);
      try {
        const obj = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        const parsed: unknown = JSON.parse((await obj.Body?.transformToString()) ?? '');
        out.push(isCheckpoint(parsed) ? { key, seq, checkpoint: parsed } : { key, seq, error: 'not a checkpoint' });
      } catch (err) {
        out.push({ key, seq, error: err instanceof Error ? err.message : 'unreadable' });
      }
    }
    return out;
  }
}
