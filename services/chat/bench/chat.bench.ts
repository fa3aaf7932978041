// Chat benchmark (not a test): moderation quality on the labelled corpus, then live fan-out.
//   npm run bench -- chat          (stack and services up; env from infra/env/local.env)
//   BENCH_CHAT_MESSAGES=200 BENCH_CHAT_LISTENERS=20 node --conditions=source --import tsx services/chat/bench/chat.bench.ts
// (1) Precision and recall of the moderation (a line counts as caught when it is rejected or
//     flagged) on moderation-corpus.tsv, and the same for `obscenity` alone without our
//     normalisation and allow-list (the baseline), plus classifications per second. The same
//     on moderation-heldout.tsv, written later by someone who had not read the moderation and
//     never used to tune it: the honest figure (the first corpus is the one it was built on).
// (2) Fan-out: two chat instances on one database and live channel; listeners hold SSE streams on
//     instance B, messages are sent one by one on instance A (moderation, KMS-sealed, Mongo, SNS,
//     Redis): send→receive latency p50/p95; then sent CONCURRENCY at a time: messages/s accepted.

import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { loadEnvFile } from '@medvault/common/config';
import { benchResult, percentile, repoRoot, unique } from '@medvault/common/testing';
import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from 'obscenity';
import { obscenityMatcher } from '../src/adapters/obscenity-matcher.js';
import { moderate } from '../src/domain/moderation/policy.js';

process.chdir(repoRoot);
loadEnvFile(join(repoRoot, 'infra/env/local.env'));
const MESSAGES = Number(process.env.BENCH_CHAT_MESSAGES ?? 200);
const LISTENERS = Number(process.env.BENCH_CHAT_LISTENERS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CHAT_CONCURRENCY ?? 8);

function corpus(file = 'moderation-corpus.tsv') {
  return readFileSync(join(import.meta.dirname, file), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [label, ...rest] = l.split('\t');
      return { abuse: label === 'abuse', text: rest.join('\t') };
    });
}

function quality(lines: { abuse: boolean; text: string }[], caught: (t: string) => boolean) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const misses: string[] = [];
  for (const l of lines) {
    const c = caught(l.text);
    if (c && l.abuse) tp++;
    else if (c && !l.abuse) {
      fp++;
      misses.push(`false positive: ${l.text}`);
    } else if (!c && l.abuse) {
      fn++;
      misses.push(`missed: ${JSON.stringify(l.text)}`);
    }
  }
  return { precision: tp / (tp + fp || 1), recall: tp / (tp + fn || 1), misses, counts: `tp ${tp} fp ${fp} fn ${fn}` };
}

async function fanOut() {
  const { care, instance, open, seedUser, sseClient, bearer } = await import('../test/helpers.js');
  const db = unique('chat_bench').replace(/-/g, '_');
  const channel = unique('chat-bench');
  const a = await instance(db, channel, { CHAT_RATE_LIMIT_MESSAGES: String(MESSAGES * 10), LOG_LEVEL: 'warn' });
  const b = await instance(db, channel, { LOG_LEVEL: 'warn' });
  try {
    await b.app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}/v1/conversations/stream`;
    const patient = { id: await seedUser(a, 'patient'), role: 'patient' as const };
    const doctors = [];
    for (let i = 0; i < LISTENERS; i++) {
      const id = await seedUser(a, 'clinician');
      await care(a, id, patient.id);
      doctors.push(id);
    }
    const c = (await open(a, patient, doctors)).json();
    const streams = await Promise.all(doctors.map((d) => sseClient(url, bearer(d, 'clinician'))));
    await new Promise((r) => setTimeout(r, 500));
    const latencies: number[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const t0 = Date.now();
      const r = await a.app.inject({
        method: 'POST',
        url: `/v1/conversations/${c.id}/messages`,
        headers: bearer(patient.id, 'patient'),
        payload: { text: `Reading ${i}: blood pressure 120/80` },
      });
      if (r.statusCode !== 201) throw new Error(`send ${i}: ${r.statusCode} ${r.body}`);
      const id = r.json().id as string;
      const got = await streams[i % streams.length]!.next((e) => e.data?.includes(id) === true, 5000);
      latencies.push(got.at - t0);
    }
    // Throughput: the same sends, CONCURRENCY at a time, without waiting for delivery.
    const send = (i: number) =>
      a.app.inject({
        method: 'POST',
        url: `/v1/conversations/${c.id}/messages`,
        headers: bearer(patient.id, 'patient'),
        payload: { text: `Burst ${i}: pulse 72` },
      });
    let next = 0;
    const t1 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < MESSAGES) {
          const r = await send(next++);
          if (r.statusCode !== 201) throw new Error(`burst: ${r.statusCode} ${r.body}`);
        }
      }),
    );
    const seconds = (performance.now() - t1) / 1000;
    for (const s of streams) s.close();
    return { latencies: latencies.sort((x, y) => x - y), perSecond: MESSAGES / seconds };
  } finally {
    await a.deps.mongo
      .db(a.deps.config.MONGO_DB)
      .dropDatabase()
      .catch(() => undefined);
    await a.close();
    await b.close();
  }
}

async function main() {
  const lines = corpus();
  const ours = obscenityMatcher();
  const ourQuality = quality(lines, (t) => moderate(t, ours, { profanity: 'reject' }).action !== 'deliver');
  const raw = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
  const rawQuality = quality(lines, (t) => raw.hasMatch(t));
  const t = performance.now();
  for (let i = 0; i < 5; i++) for (const l of lines) moderate(l.text, ours, { profanity: 'reject' });
  const perSecond = (5 * lines.length) / ((performance.now() - t) / 1000);
  console.log(`moderation corpus: ${lines.length} lines (${lines.filter((l) => l.abuse).length} abuse)`);
  console.log(`  ours: ${ourQuality.counts}; obscenity alone: ${rawQuality.counts}`);
  for (const m of ourQuality.misses) console.log(`  ${m}`);
  const heldOut = corpus('moderation-heldout.tsv');
  const ourHeldOut = quality(heldOut, (t) => moderate(t, ours, { profanity: 'reject' }).action !== 'deliver');
  const rawHeldOut = quality(heldOut, (t) => raw.hasMatch(t));
  console.log(`held-out corpus: ${heldOut.length} lines (${heldOut.filter((l) => l.abuse).length} abuse)`);
  console.log(`  ours: ${ourHeldOut.counts}; obscenity alone: ${rawHeldOut.counts}`);
  for (const m of ourHeldOut.misses) console.log(`  ${m}`);
  const fan = await fanOut();
  benchResult('chat', [
    {
      metric: 'moderation precision',
      value: ourQuality.precision,
      unit: 'ratio',
      baseline: { label: 'obscenity alone', value: rawQuality.precision, unit: 'ratio' },
    },
    {
      metric: 'moderation recall',
      value: ourQuality.recall,
      unit: 'ratio',
      baseline: { label: 'obscenity alone', value: rawQuality.recall, unit: 'ratio' },
    },
    {
      metric: 'moderation precision, held-out corpus',
      value: ourHeldOut.precision,
      unit: 'ratio',
      baseline: { label: 'obscenity alone', value: rawHeldOut.precision, unit: 'ratio' },
    },
    {
      metric: 'moderation recall, held-out corpus',
      value: ourHeldOut.recall,
      unit: 'ratio',
      baseline: { label: 'obscenity alone', value: rawHeldOut.recall, unit: 'ratio' },
    },
    { metric: 'moderation throughput', value: perSecond, unit: 'messages/s' },
    {
      metric: `fan-out latency p50 (${LISTENERS} listeners, 2 instances)`,
      value: percentile(fan.latencies, 50),
      unit: 'ms',
    },
    {
      metric: `fan-out latency p95 (${LISTENERS} listeners, 2 instances)`,
      value: percentile(fan.latencies, 95),
      unit: 'ms',
    },
    {
      metric: `messages accepted by one instance (${CONCURRENCY} concurrent senders; moderated, sealed, stored, published)`,
      value: fan.perSecond,
      unit: 'messages/s',
    },
  ]);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
