import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '@medvault/common/aws';
import type { EventHandler, EventHandlers } from '@medvault/common/bus';
import type { Envelope } from '@medvault/common/events';
import { type BusTap, credentialsFor, openBusTap, repoRoot, serviceEnv, unique } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps, type Deps } from '../src/deps.js';
import { buildHandlers } from '../src/messaging/handlers.js';
import { EICAR } from './fixtures.js';
import { type Clients, clientsAs, publishUpload, seedFile, startConsumer, uploadedEvent } from './support.js';

const run = promisify(execFile);
const db = unique('scanner_queue_test').replace(/-/g, '_');
const opened: Deps[] = [];
let files: Clients;
let tap: BusTap;
let admin: SQSClient;
const dlqUrl = () => `${process.env.QUEUE_URL_BASE}/medvault-scanner-dlq`;

function newDeps() {
  const deps = buildDeps(loadServiceConfig(serviceEnv('scanner', { LOG_LEVEL: 'silent', MONGO_DB: db })));
  opened.push(deps);
  return deps;
}

beforeAll(async () => {
  files = clientsAs('files');
  tap = await openBusTap(['file.scanned']);
  admin = new SQSClient(
    awsClientConfig({
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
      ...credentialsFor('provisioner'),
    }),
  );
});

afterAll(async () => {
  await tap?.close();
  files?.close();
  admin?.destroy();
  await opened[0]?.db.dropDatabase().catch(() => undefined);
  await Promise.all(opened.map((d) => d.close()));
});

const scannedIds = async (ids: Set<string>) =>
  (await tap.events()).filter(
    (e) => e.type === 'file.scanned' && ids.has((e.data as { fileId: string }).fileId),
  ) as Envelope<'file.scanned'>[];

/** Receives from the DLQ until a message with `marker` in its body shows up; deletes only that one. */
async function takeFromDlq(marker: string, timeoutMs = 45_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = await admin.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl(),
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 2,
      }),
    );
    for (const m of r.Messages ?? []) {
      if (m.Body?.includes(marker)) {
        await admin.send(new DeleteMessageCommand({ QueueUrl: dlqUrl(), ReceiptHandle: m.ReceiptHandle }));
        return m.Body;
      }
    }
  }
  throw new Error(`poison message ${marker} never reached the DLQ`);
}

describe('the scanner queue', () => {
  it('sends a poison message to the DLQ without blocking the files behind it', { timeout: 180_000 }, async () => {
    const deps = newDeps();
    const marker = unique('poison');
    await admin.send(
      new SendMessageCommand({ QueueUrl: deps.queueUrl, MessageBody: JSON.stringify({ poison: marker }) }),
    );
    const f = await seedFile(files, Buffer.from('behind the poison'));
    await publishUpload(files, f);
    const consumer = startConsumer(deps);
    try {
      const v = await tap.waitFor('file.scanned', (e) => e.data.fileId === f.fileId, 90_000);
      expect(v.data.verdict).toBe('clean');
      expect(await takeFromDlq(marker)).toContain(marker);
    } finally {
      await consumer.stop();
    }
  });

  it('redrives dead letters back to the queue with npm run dlq:redrive', { timeout: 180_000 }, async () => {
    const deps = newDeps();
    const f = await seedFile(files, EICAR);
    await admin.send(new SendMessageCommand({ QueueUrl: dlqUrl(), MessageBody: JSON.stringify(uploadedEvent(f)) }));
    const { stdout } = await run('npm', ['run', '-s', 'dlq:redrive', '--', 'scanner'], {
      cwd: repoRoot,
      timeout: 60_000,
    });
    expect(stdout).toMatch(/moved [1-9]\d* message/);
    const consumer = startConsumer(deps);
    try {
      const v = await tap.waitFor('file.scanned', (e) => e.data.fileId === f.fileId, 90_000);
      expect(v.data.verdict).toBe('infected');
    } finally {
      await consumer.stop();
    }
  });

  it('has two scanner instances share 50 uploads and scan every file exactly once', async () => {
    const seeded = await Promise.all(
      Array.from({ length: 50 }, (_, i) => seedFile(files, i % 2 === 0 ? EICAR : Buffer.from(`clean file ${i}`))),
    );
    const ids = new Set(seeded.map((f) => f.fileId));
    const perInstance = [0, 0];
    const instances = [newDeps(), newDeps()].map((deps, n) => {
      const h = buildHandlers(deps);
      const counted: EventHandlers = {
        ...h,
        'file.uploaded': async (e, ctx) => {
          perInstance[n] = (perInstance[n] ?? 0) + 1;
          await (h['file.uploaded'] as EventHandler<'file.uploaded'>)(e, ctx);
        },
      };
      return { deps, consumer: startConsumer(deps, counted) };
    });
    try {
      for (const f of seeded) await publishUpload(files, f);
      await expect
        .poll(async () => new Set((await scannedIds(ids)).map((e) => e.data.fileId)).size, {
          timeout: 150_000,
          interval: 500,
        })
        .toBe(50);
      await new Promise((r) => setTimeout(r, 2000)); // room for a stray duplicate to show up
      const events = await scannedIds(ids);
      expect(events).toHaveLength(50);
      expect(events.filter((e) => e.data.verdict === 'infected')).toHaveLength(25);
      expect(events.filter((e) => e.data.verdict === 'clean')).toHaveLength(25);
      const records = await instances[0]!.deps.db.collection('verdicts').countDocuments({ fileId: { $in: [...ids] } });
      expect(records).toBe(50);
      // Shared: each instance took some of the uploads, and together they handled every one
      // (at least once: a redelivered message is counted again, but scanned once, as asserted above).
      expect(perInstance[0], 'uploads handled by instance A').toBeGreaterThan(0);
      expect(perInstance[1], 'uploads handled by instance B').toBeGreaterThan(0);
      expect(perInstance[0]! + perInstance[1]!).toBeGreaterThanOrEqual(50);
    } finally {
      await Promise.all(instances.map((i) => i.consumer.stop()));
    }
  }, 240_000);
});
