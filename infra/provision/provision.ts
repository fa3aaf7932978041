// Applies infra/topology.json to the AWS emulator (LocalStack locally and in docker-compose; moto in
// the least-privilege tests, which need IAM policies evaluated).
// Idempotent: existing resources are kept, only differences are applied, access keys are only
// issued when a service has no working one. The emulators keep state in memory, so after a restart this
// recreates everything (and new credentials, since the old keys died with the old process).
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { account, changes, clients, detectMoto, endpoint, errorName, region, topology } from './aws.js';
import { tryReadServiceCredentials } from './credentials.js';
import { ensureProvisioner, ensureUser, issueKey, keyIsLive, renderPolicy } from './iam.js';
import { ensureBucket, ensureKey, ensureQueue, ensureSubscription } from './resources.js';

async function main(): Promise<void> {
  if (!endpoint)
    throw new Error(
      'AWS_ENDPOINT_URL is not set: this script provisions local emulators only (production uses IaC + IAM roles)',
    );
  const started = Date.now();
  const moto = await detectMoto();
  const c = clients(await ensureProvisioner(moto));

  const dataKeyArn = await ensureKey(c, topology.kms.data);
  const signingKeyArn = await ensureKey(c, topology.kms.signing);
  for (const b of topology.buckets) await ensureBucket(c, b, dataKeyArn);

  const { TopicArn: topicArn } = await c.sns.send(new CreateTopicCommand({ Name: topology.topic }));
  if (!topicArn) throw new Error('CreateTopic returned no ARN');
  const q = topology.queueDefaults;
  const queueArns: Record<string, string> = {};
  for (const [name, types] of Object.entries(topology.queues)) {
    const dlqArn = await ensureQueue(c, `${name}-dlq`, {
      MessageRetentionPeriod: String(q.dlqRetentionSeconds),
    });
    const queueUrlArn = `arn:aws:sqs:${region}:${account}:${name}`;
    const queueArn = await ensureQueue(c, name, {
      VisibilityTimeout: String(q.visibilityTimeout),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: q.maxReceiveCount }),
      // Real SNS needs the queue's permission to deliver (the emulators do not check it).
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AllowEventsTopic',
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: queueUrlArn,
            Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
          },
        ],
      }),
    });
    queueArns[name] = queueArn;
    await ensureSubscription(c, topicArn, queueArn, types);
  }

  const bucketVars = Object.fromEntries(topology.buckets.map((b) => [`${b.ref}Bucket`, b.name]));
  const vars = { account, region, topicArn, dataKeyArn, signingKeyArn, ...bucketVars };
  for (const [user, spec] of Object.entries(topology.users)) {
    if (user === 'provisioner') continue;
    const queueArn = spec.queue ? queueArns[spec.queue] : undefined;
    await ensureUser(c.iam, user, renderPolicy(spec.policy, { ...vars, ...(queueArn ? { queueArn } : {}) }, moto));
    const stored = tryReadServiceCredentials(user);
    if (!stored || !(await keyIsLive(c.iam, user, stored.accessKeyId))) await issueKey(c.iam, user);
  }

  const counts = `${topology.buckets.length} buckets, 2 KMS keys, 1 topic, ${Object.keys(topology.queues).length} queues (+DLQs), ${Object.keys(topology.users).length} IAM users`;
  const target = moto ? 'moto' : 'LocalStack';
  const byKind = new Map<string, number>();
  for (const ch of changes) byKind.set(ch.kind, (byKind.get(ch.kind) ?? 0) + 1);
  const summary = changes.length === 0 ? 'no changes' : [...byKind].map(([kind, n]) => `${n} ${kind}`).join(', ');
  console.log(`provision: ${target} at ${endpoint} (${counts}): ${summary} [${Date.now() - started} ms]`);
  if (process.env.PROVISION_VERBOSE === '1') for (const ch of changes) console.log(`  + ${ch.kind} ${ch.what}`);
}

main().catch((err) => {
  console.error(`provision failed: ${errorName(err) || 'Error'}: ${(err as Error).message}`);
  process.exit(1);
});
