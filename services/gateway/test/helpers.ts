import type { Role } from '@medvault/common/auth';
import { serviceEnv, unique } from '@medvault/common/testing';
import { buildApp } from '../src/app.js';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps, type Deps } from '../src/deps.js';

export type GatewayApp = Awaited<ReturnType<typeof buildApp>>;

export interface Harness {
  app: GatewayApp;
  deps: Deps;
  adminToken: string;
  adminEmail: string;
  adminPassword: string;
  /** Creates a user through the API and logs them in. */
  user(role: Role, overrides?: { email?: string; password?: string }): Promise<TestUser>;
  login(email: string, password: string, ip?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

/**
 * A gateway on a scratch database with its own bootstrap admin, so every test file starts from
 * a known user directory and can run repeatedly on one stack.
 */
export async function harness(overrides: Record<string, string> = {}): Promise<Harness> {
  const adminEmail = `${unique('admin')}@medvault.test`;
  const adminPassword = 'Admin-Password-123!';
  const deps = await buildDeps(
    loadServiceConfig(
      serviceEnv('gateway', {
        LOG_LEVEL: 'silent',
        MONGO_DB: unique('gw_test').replace(/-/g, '_'),
        BOOTSTRAP_ADMIN_EMAIL: adminEmail,
        BOOTSTRAP_ADMIN_PASSWORD: adminPassword,
        ...overrides,
      }),
    ),
  );
  await deps.bootstrapAdmin();
  const app = await buildApp(deps);
  // Tests share one IP (127.0.0.1) and Redis keeps throttling state across runs: every login
  // comes from its own random address unless a test picks one.
  const randomIp = () => `10.${[0, 0, 0].map(() => Math.floor(Math.random() * 250) + 1).join('.')}`;
  const login = async (email: string, password: string, ip = randomIp()) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email, password },
      remoteAddress: ip,
    });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };
  const adminLogin = await login(adminEmail, adminPassword);
  if (adminLogin.status !== 200) throw new Error(`bootstrap admin cannot log in: ${JSON.stringify(adminLogin.body)}`);
  const adminToken = adminLogin.body.accessToken as string;
  return {
    app,
    deps,
    adminToken,
    adminEmail,
    adminPassword,
    login,
    async user(role, o = {}) {
      const email = o.email ?? `${unique(role)}@medvault.test`;
      const password = o.password ?? 'User-Password-123!';
      const created = await app.inject({
        method: 'POST',
        url: '/v1/users',
        headers: { authorization: `Bearer ${adminToken}` },
        payload: { email, password, role, name: `Test ${role}` },
      });
      if (created.statusCode !== 201) throw new Error(`create user failed: ${created.body}`);
      const l = await login(email, password);
      if (l.status !== 200) throw new Error(`login failed: ${JSON.stringify(l.body)}`);
      return {
        id: created.json().id,
        email,
        password,
        accessToken: l.body.accessToken as string,
        refreshToken: l.body.refreshToken as string,
      };
    },
    async close() {
      await app.close();
      await deps.db.dropDatabase().catch(() => undefined);
      await deps.close();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
) {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  if (!String(res.headers['content-type']).startsWith('application/problem+json')) {
    throw new Error(`expected problem+json, got ${String(res.headers['content-type'])}: ${res.body}`);
  }
  return JSON.parse(res.body) as {
    code: string;
    detail?: string;
    errors?: { field: string; message: string }[];
    requestId: string;
  };
}
