import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { s3ClientConfig } from '@medvault/common/aws';
import { credentialsFor } from '@medvault/common/testing';
import { MongoClient } from 'mongodb';

/**
 * Operator-level helpers for the end-to-end suite: what a test needs that no API offers, done
 * with admin credentials directly on the infrastructure (never through a service's back door).
 */
const DAY = 86_400_000;

/**
 * Time travel for retention: rewrites when a soft-deleted file was deleted, as if `days` had
 * passed. The files service's purge job (PURGE_INTERVAL_SECONDS) then sees it due or not.
 */
export async function ageDeletedFile(fileId: string, days: number): Promise<void> {
  const client = new MongoClient(process.env.MONGO_URL!, { retryWrites: false });
  try {
    const files = client
      .db('medvault_files')
      .collection<{ _id: string; status: string; purgeAfter?: Date | null }>('files');
    const deletedAt = new Date(Date.now() - days * DAY);
    const retention = Number(process.env.TRASH_RETENTION_DAYS ?? 30);
    const purgeAfter = new Date(deletedAt.getTime() + retention * DAY);
    // This write bypasses the files service's per-document lock, and FerretDB v1 rewrites whole
    // documents: the outbox relay releasing the deletion's event at the same moment can put the
    // old dates back (seen in CI). So: write, read back, and write again until the dates stick.
    for (let attempt = 0; attempt < 20; attempt++) {
      const r = await files.updateOne({ _id: fileId, status: 'deleted' }, { $set: { deletedAt, purgeAfter } });
      if (r.matchedCount !== 1) throw new Error(`file ${fileId} is not a deleted file`);
      await new Promise((done) => setTimeout(done, 250));
      const now = await files.findOne({ _id: fileId }, { projection: { status: 1, purgeAfter: 1 } });
      // Purged already (the job saw the aged dates): done too.
      if (now && now.status !== 'deleted') return;
      if (now?.purgeAfter && new Date(now.purgeAfter).getTime() === purgeAfter.getTime()) return;
    }
    throw new Error(`could not age file ${fileId}: its dates kept being rewritten`);
  } finally {
    await client.close();
  }
}

/**
 * Keys in the quarantine bucket. An attack must not add one: compare key sets, not counts,
 * because earlier uploads leave quarantine concurrently as they are scanned clean.
 */
export async function quarantineKeys(): Promise<Set<string>> {
  const s3 = new S3Client(
    s3ClientConfig({
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
      ...credentialsFor('provisioner'),
    }),
  );
  const keys = new Set<string>();
  let token: string | undefined;
  do {
    const r = await s3.send(
      new ListObjectsV2Command({ Bucket: process.env.BUCKET_QUARANTINE, ContinuationToken: token }),
    );
    for (const o of r.Contents ?? []) if (o.Key) keys.add(o.Key);
    token = r.NextContinuationToken;
  } while (token);
  s3.destroy();
  return keys;
}

/** Keys present now that were not in `before`. */
export async function newQuarantineKeys(before: Set<string>): Promise<string[]> {
  return [...(await quarantineKeys())].filter((k) => !before.has(k));
}
