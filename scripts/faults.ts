import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminToken, call, createUser, upload } from '../e2e/support/client.js';
import { EICAR, makePdf } from '../e2e/support/fixtures.js';

const SERVICES = ['gateway', 'files', 'scanner', 'watermark', 'appointments', 'notify', 'audit', 'chat'];

/**
 * Services that have not answered ready within `ms`. Every outage above is over by now, so each
 * must have reconnected on its own (a database client whose monitor stalled after a FerretDB
 * restart once kept notify unready until it was restarted by hand).
 */
async function notReadyAfter(ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  const pending = new Set(SERVICES.filter((s) => process.env[`${s.toUpperCase()}_PORT`]));
  while (pending.size && Date.now() < deadline) {
    for (const s of [...pending]) {
      const port = process.env[`${s.toUpperCase()}_PORT`];
      const ok = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) pending.delete(s);
    }
    if (pending.size) await sleep(2000);
  }
  return [...pending];
}

/**
 * `npm run faults`: bounded, self-stopping fault injection on the local stack (loopback only).
 * A steady stream of uploads runs through the gateway while, in turn, every worker is killed
 * with SIGKILL and restarted, and the AWS emulator, FerretDB, Redis and clamd are taken away and
 * brought back. Afterwards: every accepted upload must reach a final status, nothing may be
 * served that was not scanned clean, the audit log must hold each upload exactly once and
 * verify. Then the files service and the gateway get SIGTERM under traffic: accepted requests
 * must not be reset. Last, every service must be ready again on its own.
 * Prints the counts; exits 1 when an invariant is broken.
 */
const ROOT = join(import.meta.dirname, '..');
const FINAL = new Set(['available', 'infected', 'scan_failed']);
const sh = (script: string, ...args: string[]) =>
  execFileSync('bash', [join(ROOT, script), ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

function killHard(service: string) {
  const pid = Number(readFileSync(join(ROOT, '.local/run', `${service}.pid`), 'utf8'));
  process.kill(pid, 'SIGKILL');
}

const faults: [string, () => Promise<void>][] = [
  ...['scanner', 'watermark', 'files', 'audit', 'notify'].map(
    (svc) =>
      [
        `kill -9 ${svc}`,
        async () => {
          killHard(svc);
          await sleep(3000);
          sh('scripts/services.sh', 'start', svc);
        },
      ] as [string, () => Promise<void>],
  ),
  // The AWS emulator keeps its state in memory: an outage is simulated by freezing it (SIGSTOP/SIGCONT).
  [
    'AWS emulator outage',
    async () => {
      sh('infra/stack.sh', 'pause', 'aws');
      await sleep(8000);
      sh('infra/stack.sh', 'resume', 'aws');
    },
  ],
  [
    'FerretDB stop/start',
    async () => {
      sh('infra/stack.sh', 'stop', 'mongo');
      await sleep(5000);
      sh('infra/stack.sh', 'start', 'mongo');
    },
  ],
  [
    'Redis stop/start',
    async () => {
      sh('infra/stack.sh', 'stop', 'redis');
      await sleep(5000);
      sh('infra/stack.sh', 'start', 'redis');
    },
  ],
  [
    'clamd stop/start',
    async () => {
      sh('infra/stack.sh', 'stop', 'clamd');
      await sleep(8000);
      sh('infra/stack.sh', 'start', 'clamd');
    },
  ],
];

async function main() {
  sh('scripts/services.sh', 'start');
  const admin = await adminToken();
  const patient = await createUser(admin, 'patient', 'Faults Patient');
  const accepted: { id: string; infected: boolean }[] = [];
  const refused: Record<string, number> = {};
  let running = true;

  const uploader = (async () => {
    for (let i = 0; running && i < 2000; i++) {
      const infected = i % 10 === 9;
      const content = infected ? Buffer.concat([EICAR, Buffer.from(`\n${i}`)]) : makePdf(`faults ${Date.now()} ${i}`);
      try {
        const r = await upload(patient.token, { name: `f${i}.${infected ? 'txt' : 'pdf'}`, content });
        if (r.status === 202) accepted.push({ id: r.body.id, infected });
        else refused[r.status] = (refused[r.status] ?? 0) + 1;
      } catch {
        refused.network = (refused.network ?? 0) + 1;
      }
      await sleep(250);
    }
  })();

  for (const [name, inject] of faults) {
    log(`fault: ${name}`);
    await inject();
    await sleep(4000);
  }
  running = false;
  await uploader;
  log(`uploads: ${accepted.length} accepted, refused ${JSON.stringify(refused)}; waiting for final statuses`);

  const statuses = new Map<string, string>();
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    for (const f of accepted) {
      if (FINAL.has(statuses.get(f.id) ?? '')) continue;
      const r = await call('GET', `/v1/files/${f.id}`, { token: patient.token });
      statuses.set(f.id, r.body?.status ?? `http ${r.status}`);
    }
    if (accepted.every((f) => FINAL.has(statuses.get(f.id) ?? ''))) break;
    await sleep(2000);
  }

  const problems: string[] = [];
  const notFinal = accepted.filter((f) => !FINAL.has(statuses.get(f.id) ?? ''));
  if (notFinal.length) problems.push(`${notFinal.length} uploads never reached a final status`);
  const wrong = accepted.filter((f) => f.infected && statuses.get(f.id) === 'available');
  if (wrong.length) problems.push(`${wrong.length} infected uploads became available`);
  for (const f of accepted.filter((x) => statuses.get(x.id) !== 'available').slice(0, 20)) {
    const link = await call('POST', `/v1/files/${f.id}/links`, { token: patient.token, json: {} });
    if (link.status === 201 && (await call('GET', link.body.url, { token: patient.token })).status === 200) {
      problems.push(`${f.id} (${statuses.get(f.id)}) was served`);
    }
  }

  const compliance = await createUser(admin, 'compliance', 'Faults Compliance');
  await sleep(5000); // let the audit queue drain
  const exported = await call('GET', '/v1/audit/export?format=jsonl', { token: compliance.token });
  const uploadsSeen = new Map<string, number>();
  for (const line of exported.raw.toString('utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { action?: string; type?: string; resource?: { id?: string } };
    if ((r.action ?? r.type) === 'file.uploaded' && r.resource?.id)
      uploadsSeen.set(r.resource.id, (uploadsSeen.get(r.resource.id) ?? 0) + 1);
  }
  const lost = accepted.filter((f) => !uploadsSeen.has(f.id)).length;
  const doubled = accepted.filter((f) => (uploadsSeen.get(f.id) ?? 0) > 1).length;
  if (lost) problems.push(`${lost} uploads missing from the audit log`);
  if (doubled) problems.push(`${doubled} uploads recorded twice in the audit log`);
  const verify = await call('GET', '/v1/audit/verify', { token: compliance.token });
  if (!verify.body?.ok) problems.push(`audit verify not ok: ${JSON.stringify(verify.body)}`);

  const resets = await gracefulShutdownUnderLoad(admin);
  if (resets) problems.push(`${resets} accepted requests were reset during SIGTERM`);
  const stuck = await notReadyAfter(90_000);
  if (stuck.length) problems.push(`still not ready after the faults: ${stuck.join(', ')}`);

  const counts: Record<string, number> = {};
  for (const s of statuses.values()) counts[s] = (counts[s] ?? 0) + 1;
  console.log(
    JSON.stringify(
      {
        accepted: accepted.length,
        refused,
        finalStatuses: counts,
        audit: { lost, doubled, verified: verify.body?.ok, checked: verify.body?.checked },
        resets,
        notReady: stuck,
        problems,
      },
      null,
      2,
    ),
  );
  process.exit(problems.length ? 1 : 0);
}

/**
 * SIGTERM files, then the gateway, while a client keeps calling through the gateway. A reset only
 * breaks the rule when the service had accepted the request: every request carries its own
 * x-request-id (the gateway logs it as clientRequestId), and a reset counts when the gateway's log
 * shows that id arrived. A connection still in the kernel's accept queue when the listening socket closes is reset by the kernel
 * without the process ever seeing it; that is a refusal, not a dropped request.
 */
async function gracefulShutdownUnderLoad(token: string): Promise<number> {
  const resetIds: string[] = [];
  let ok = 0;
  let refusedConn = 0;
  let running = true;
  let n = 0;
  const client = (async () => {
    while (running) {
      const id = `faults-${process.pid}-${n++}`;
      try {
        const r = await call('GET', '/v1/files?limit=5', { token, headers: { 'x-request-id': id } });
        if (r.status < 500) ok++;
      } catch (e) {
        const code = (e as { cause?: { code?: string } }).cause?.code;
        if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') resetIds.push(id);
        else refusedConn++;
      }
    }
  })();
  for (const svc of ['files', 'gateway']) {
    log(`SIGTERM ${svc} under load`);
    sh('scripts/services.sh', 'restart', svc);
    await sleep(2000);
  }
  running = false;
  await client;
  const gatewayLog = readFileSync(join(ROOT, '.local/logs/gateway.log'), 'utf8');
  const accepted = resetIds.filter((id) => gatewayLog.includes(`"clientRequestId":"${id}"`));
  log(
    `graceful shutdown: ${ok} ok, ${refusedConn} refused, ${resetIds.length - accepted.length} reset before accept, ${accepted.length} reset after accept`,
  );
  return accepted.length;
}

await main();
