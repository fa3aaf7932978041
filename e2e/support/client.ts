import { createHash } from 'node:crypto';

/** A minimal client of the public API, used exactly as an API consumer would (gateway only). */
export const GATEWAY = process.env.E2E_GATEWAY_URL ?? `http://127.0.0.1:${process.env.GATEWAY_PORT ?? 8080}`;

export interface Res<T = any> {
  status: number;
  headers: Headers;
  body: T;
  raw: Buffer;
}

export async function call<T = any>(
  method: string,
  path: string,
  opts: { token?: string; json?: unknown; body?: RequestInit['body']; headers?: Record<string, string> } = {},
): Promise<Res<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body = opts.body;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  const r = await fetch(path.startsWith('http') ? path : `${GATEWAY}${path}`, { method, headers, body });
  const raw = Buffer.from(await r.arrayBuffer());
  const ct = r.headers.get('content-type') ?? '';
  // application/json and application/problem+json; not JSON Lines exports (x-ndjson, jsonl).
  const isJson = /^application\/(problem\+)?json\b/.test(ct);
  const parsed = isJson && raw.length ? JSON.parse(raw.toString('utf8')) : raw;
  return { status: r.status, headers: r.headers, body: parsed as T, raw };
}

export async function login(email: string, password: string): Promise<string> {
  const r = await call('POST', '/v1/auth/login', { json: { email, password } });
  if (r.status !== 200) throw new Error(`login of ${email} failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.accessToken as string;
}

export async function adminToken(): Promise<string> {
  return login(process.env.BOOTSTRAP_ADMIN_EMAIL!, process.env.BOOTSTRAP_ADMIN_PASSWORD!);
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  role: string;
  token: string;
}

let counter = 0;
/** Creates a user through the admin API and logs in as them. */
export async function createUser(admin: string, role: string, name = `E2E ${role}`): Promise<TestUser> {
  const email = `${role}-${Date.now().toString(36)}-${counter++}@e2e.medvault.test`;
  const password = `Pw-${Math.random().toString(36).slice(2)}-Aa1!`;
  const r = await call('POST', '/v1/users', { token: admin, json: { email, password, role, name } });
  if (r.status !== 201) throw new Error(`creating ${role} failed: ${r.status} ${JSON.stringify(r.body)}`);
  return { id: r.body.id, email, password, role, token: await login(email, password) };
}

/** Multipart upload: the form fields first, then the file part (as the API documents). */
export async function upload(
  token: string,
  file: { name: string; content: Buffer; type?: string },
  fields: Record<string, string> = {},
) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([file.content], { type: file.type ?? 'application/octet-stream' }), file.name);
  return call('POST', '/v1/files', { token, body: form });
}

export async function waitForStatus(token: string, fileId: string, want: string[], timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const r = await call('GET', `/v1/files/${fileId}`, { token });
    last = r.body?.status ?? `http ${r.status}`;
    if (want.includes(last)) return r.body;
    if (Date.now() > deadline) throw new Error(`file ${fileId} stayed '${last}', wanted ${want.join('|')}`);
    await new Promise((res) => setTimeout(res, 300));
  }
}

export const sha256b64 = (b: Buffer) => createHash('sha256').update(b).digest('base64');
export const sha256hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export function isProblem(r: Res): boolean {
  return (
    (r.headers.get('content-type') ?? '').startsWith('application/problem+json') && typeof r.body?.code === 'string'
  );
}

/**
 * Retries a call while it answers one of `retryOn` (e.g. 404/403 while another service's
 * projection of a just-created user or care relationship catches up: the platform is
 * event-driven, so a client sees such changes after a short, bounded delay).
 */
export async function untilSettled<T = any>(
  fn: () => Promise<Res<T>>,
  retryOn: number[],
  timeoutMs = 30_000,
): Promise<Res<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await fn();
    if (!retryOn.includes(r.status) || Date.now() > deadline) return r;
    await new Promise((res) => setTimeout(res, 250));
  }
}

/** Polls the caller's inbox until a notification matches. */
export async function waitForNotification(token: string, match: (n: any) => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await call('GET', '/v1/notifications?limit=100', { token });
    const hit = (r.body?.items ?? []).find(match);
    if (hit) return hit;
    if (Date.now() > deadline)
      throw new Error(`no matching notification (inbox: ${JSON.stringify(r.body).slice(0, 400)})`);
    await new Promise((res) => setTimeout(res, 300));
  }
}

/**
 * A date (YYYY-MM-DD, UTC) at least `ahead` days from now that is a weekday: clinicians' default
 * hours are Monday to Friday, so a plain "now + N days" has no slots when it lands on a weekend.
 */
export function weekdayAhead(ahead: number): string {
  const d = new Date(Date.now() + ahead * 86_400_000);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
