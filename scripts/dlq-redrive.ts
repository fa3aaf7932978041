// Moves dead-lettered messages of one service back to its queue, so they are handled again
// once the cause (a bug, an outage) is fixed, with SQS's own StartMessageMoveTask (the same call
// an operator makes on AWS; LocalStack implements it). Consumers are idempotent on event id, so
// a message that was in fact handled before is acknowledged without effect.
//   npm run dlq:redrive -- <service> [--rate N] [--dry-run]
// --rate: at most N messages per second (SQS's MaxNumberOfMessagesPerSecond, 1..500).
// Credentials: the environment's AWS credentials (an operator role in production); locally,
// when none are set, the provisioner's from .local/state/credentials (the services' own users
// may not send to their queues).
import { existsSync, readFileSync } from 'node:fs';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig, queueUrl } from '../packages/common/src/aws/index.js';
import { redriveDeadLetters } from '../packages/common/src/bus/redrive.js';
import { loadEnvFile, parseEnvFile } from '../packages/common/src/config/index.js';

const SERVICES = ['gateway', 'files', 'scanner', 'watermark', 'appointments', 'notify', 'audit', 'chat'];

function usage(msg: string): never {
  console.error(`${msg}\nusage: npm run dlq:redrive -- <${SERVICES.join('|')}> [--rate N] [--dry-run]`);
  process.exit(2);
}

function parseArgs(argv: string[]) {
  const [service, ...rest] = argv;
  if (!service || !SERVICES.includes(service)) usage(`unknown service ${service ?? '(none)'}`);
  let rate: number | undefined;
  let dryRun = false;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--dry-run') dryRun = true;
    else if (rest[i] === '--rate') rate = Number(rest[++i]);
    else usage(`unknown option ${rest[i]}`);
  }
  if (rate !== undefined && !(Number.isInteger(rate) && rate >= 1 && rate <= 500))
    usage('--rate must be a whole number from 1 to 500');
  return { service, rate, dryRun };
}

function credentials(root: URL) {
  if (process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY) {
    return {
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
    };
  }
  const file = new URL('.local/state/credentials/provisioner.env', root);
  if (!existsSync(file)) return {}; // default AWS credential chain
  const v = parseEnvFile(readFileSync(file, 'utf8'));
  return { AWS_ACCESS_KEY_ID: v.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: v.AWS_SECRET_ACCESS_KEY };
}

async function main() {
  const { service, rate, dryRun } = parseArgs(process.argv.slice(2));
  const root = new URL('../', import.meta.url);
  loadEnvFile(new URL('infra/env/local.env', root));
  const base = process.env.QUEUE_URL_BASE;
  if (!base) usage('QUEUE_URL_BASE is not set');
  const sqs = new SQSClient(
    awsClientConfig({
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
      ...credentials(root),
    }),
  );
  const target = queueUrl(base, `medvault-${service}`);
  const dlq = queueUrl(base, `medvault-${service}-dlq`);
  try {
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    const waiting = attrs.Attributes?.ApproximateNumberOfMessages ?? '?';
    if (dryRun) {
      console.log(`${dlq}: ${waiting} message(s) waiting (dry run, nothing moved)`);
      return;
    }
    const r = await redriveDeadLetters(sqs, dlq, target, rate ? { maxPerSecond: rate } : {});
    if (r.status !== 'COMPLETED')
      throw new Error(`message move task ${r.status}: ${r.failureReason ?? 'no reason given'}`);
    console.log(`moved ${r.moved} message(s) from ${dlq} to ${target}`);
  } finally {
    sqs.destroy();
  }
}

main().catch((e) => {
  console.error(`dlq:redrive failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
