import { createEvent, type Envelope } from '@medvault/common/events';
import { type BusTap, openBusTap } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectProblem, type Harness, harness } from './helpers.js';

let h: Harness;
let tap: BusTap;

beforeAll(async () => {
  tap = await openBusTap(['user.created', 'user.updated', 'access.denied']);
  h = await harness();
});
afterAll(async () => {
  await h?.close();
  await tap?.close();
});

const create = (token: string, payload: unknown) =>
  h.app.inject({
    method: 'POST',
    url: '/v1/users',
    headers: bearer(token),
    payload: payload as Record<string, unknown>,
  });
const valid = (email: string) => ({ email, password: 'A-Good-Password-1', role: 'patient', name: 'Pat Ient' });

describe('bootstrap admin', () => {
  it('is created once; running bootstrap again changes nothing', async () => {
    expect(await h.deps.bootstrapAdmin()).toBe('exists');
    const list = await h.app.inject({ url: '/v1/users?role=admin', headers: bearer(h.adminToken) });
    expect(list.json().items.filter((u: { email: string }) => u.email === h.adminEmail)).toHaveLength(1);
  });
});

describe('user administration', () => {
  it('creates a user with a lower-cased email, never returns the password hash, and announces it with the email', async () => {
    const email = `New.Patient.${Date.now()}@MedVault.Test`;
    const res = await create(h.adminToken, valid(email));
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ email: email.toLowerCase(), role: 'patient', active: true, name: 'Pat Ient' });
    expect(body.id).toMatch(/^usr_/);
    expect(res.body).not.toMatch(/password|scrypt/i);
    const ev = await tap.waitFor('user.created', (e) => e.data.userId === body.id);
    expect(ev.data).toMatchObject({ role: 'patient', email: email.toLowerCase(), active: true });
  });

  it('refuses a duplicate email in any case with 409', async () => {
    const email = `dup.${Date.now()}@medvault.test`;
    expect((await create(h.adminToken, valid(email))).statusCode).toBe(201);
    expect(expectProblem(await create(h.adminToken, valid(email.toUpperCase())), 409).code).toBe('CONFLICT');
  });

  it('lists users with cursor pagination and filters', async () => {
    for (let i = 0; i < 3; i++)
      await create(h.adminToken, { ...valid(`page${i}.${Date.now()}@medvault.test`), role: 'compliance' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${cursor}` : '';
      const page = await h.app.inject({ url: `/v1/users?role=compliance&limit=2${q}`, headers: bearer(h.adminToken) });
      expect(page.statusCode).toBe(200);
      const body = page.json();
      expect(body.items.length).toBeLessThanOrEqual(2);
      for (const u of body.items) {
        expect(u.role).toBe('compliance');
        expect(u).not.toHaveProperty('passwordHash');
      }
      seen.push(...body.items.map((u: { id: string }) => u.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen.length).toBe(3);
    expect(new Set(seen).size).toBe(3);
    expect([...seen].sort()).toEqual(seen);
  });

  it('changes a role, revokes the old tokens, and announces what changed', async () => {
    const u = await h.user('patient');
    const res = await h.app.inject({
      method: 'PATCH',
      url: `/v1/users/${u.id}`,
      headers: bearer(h.adminToken),
      payload: { role: 'clinician' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().role).toBe('clinician');
    expectProblem(await h.app.inject({ url: '/v1/me', headers: bearer(u.accessToken) }), 401);
    const again = await h.login(u.email, u.password);
    expect(again.status).toBe(200);
    const me = await h.app.inject({ url: '/v1/me', headers: bearer(again.body.accessToken as string) });
    expect(me.json().role).toBe('clinician');
    const ev = await tap.waitFor('user.updated', (e) => e.data.userId === u.id);
    expect(ev.data).toMatchObject({ role: 'clinician', changes: ['role'] });
  });

  it('reads one user, and answers 404 for an unknown id', async () => {
    const u = await h.user('patient');
    expect((await h.app.inject({ url: `/v1/users/${u.id}`, headers: bearer(h.adminToken) })).json().email).toBe(
      u.email,
    );
    expectProblem(
      await h.app.inject({ url: '/v1/users/usr_01JD0000000000000000000000', headers: bearer(h.adminToken) }),
      404,
    );
  });

  it('does not let an admin lock themselves out', async () => {
    const me = (await h.app.inject({ url: '/v1/me', headers: bearer(h.adminToken) })).json();
    const r = await h.app.inject({
      method: 'PATCH',
      url: `/v1/users/${me.id}`,
      headers: bearer(h.adminToken),
      payload: { active: false },
    });
    expectProblem(r, 409);
  });
});

describe('role checks', () => {
  it('refuses a patient on admin routes with 403 and puts access.denied on the bus', async () => {
    const p = await h.user('patient');
    const res = await create(p.accessToken, valid(`x.${Date.now()}@medvault.test`));
    expect(expectProblem(res, 403).code).toBe('FORBIDDEN');
    expectProblem(await h.app.inject({ url: '/v1/users', headers: bearer(p.accessToken) }), 403);
    // Both refusals are published in the background, in no guaranteed order: pick the POST.
    const ev = await tap.waitFor('access.denied', (e) => e.actor?.userId === p.id && e.data.method === 'POST');
    expect(ev.data).toMatchObject({ method: 'POST', route: '/v1/users' });
    expect(ev.actor).toMatchObject({ role: 'patient' });
  });

  it('does not let a patient change their own role', async () => {
    const p = await h.user('patient');
    const res = await h.app.inject({
      method: 'PATCH',
      url: `/v1/users/${p.id}`,
      headers: bearer(p.accessToken),
      payload: { role: 'admin' },
    });
    expectProblem(res, 403);
    const me = await h.app.inject({ url: '/v1/me', headers: bearer(p.accessToken) });
    expect(me.json().role).toBe('patient');
  });

  it('lets a user read their own record but not another one', async () => {
    const a = await h.user('clinician');
    const b = await h.user('patient');
    expect((await h.app.inject({ url: `/v1/users/${a.id}`, headers: bearer(a.accessToken) })).statusCode).toBe(200);
    expectProblem(await h.app.inject({ url: `/v1/users/${b.id}`, headers: bearer(a.accessToken) }), 403);
  });

  it('refuses compliance on user administration', async () => {
    const c = await h.user('compliance');
    expectProblem(await h.app.inject({ url: '/v1/users', headers: bearer(c.accessToken) }), 403);
  });
});

describe('bad input', () => {
  const field = (res: Awaited<ReturnType<typeof create>>) => expectProblem(res, 400).errors?.map((e) => e.field) ?? [];

  it('names a missing field', async () => {
    const { password: _omit, ...rest } = valid(`m.${Date.now()}@medvault.test`);
    expect(field(await create(h.adminToken, rest))).toContain('password');
  });

  it('names a field of the wrong type', async () => {
    expect(
      field(await create(h.adminToken, { ...valid(`t.${Date.now()}@medvault.test`), name: { first: 'x' } })),
    ).toContain('name');
    const u = await h.user('patient');
    const r = await h.app.inject({
      method: 'PATCH',
      url: `/v1/users/${u.id}`,
      headers: bearer(h.adminToken),
      payload: { active: 'maybe' },
    });
    expect(field(r)).toContain('active');
  });

  it('names an extra property', async () => {
    expect(field(await create(h.adminToken, { ...valid(`e.${Date.now()}@medvault.test`), isAdmin: true }))).toContain(
      'isAdmin',
    );
  });

  it('refuses Mongo operators in JSON', async () => {
    const login = await h.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: { $gt: '' }, password: 'x' },
    });
    expect(field(login)).toContain('email');
    const list = await h.app.inject({ url: '/v1/users?role[$ne]=admin', headers: bearer(h.adminToken) });
    expectProblem(list, 400);
  });

  it('refuses over-long strings and invalid emails, naming the field', async () => {
    expect(
      field(await create(h.adminToken, { ...valid(`l.${Date.now()}@medvault.test`), name: 'x'.repeat(201) })),
    ).toContain('name');
    expect(field(await create(h.adminToken, valid(`${'a'.repeat(250)}@medvault.test`)))).toContain('email');
    expect(field(await create(h.adminToken, valid('not-an-email')))).toContain('email');
    expect(
      field(await create(h.adminToken, { ...valid(`r.${Date.now()}@medvault.test`), role: 'superuser' })),
    ).toContain('role');
    expect(
      field(await create(h.adminToken, { ...valid(`p.${Date.now()}@medvault.test`), password: 'short' })),
    ).toContain('password');
  });

  it('refuses a malformed user id in the path', async () => {
    expect(field(await h.app.inject({ url: '/v1/users/not-an-id', headers: bearer(h.adminToken) }))).toContain('id');
  });

  it('answers 413 for an oversized JSON body', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(300 * 1024) }),
    });
    expect(expectProblem(res, 413).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 404 problem+json for an unknown route', async () => {
    expect(expectProblem(await h.app.inject({ url: '/v1/nope' }), 404).code).toBe('NOT_FOUND');
  });
});

describe('password policy (finding 15)', () => {
  // Pentest finding 15 (issue 14): length >= 12 was the only rule.
  it.each([
    ['aaaaaaaaaaaa', /repeat/i],
    ['password1234', /common/i],
    ['Password1234!', /common/i],
    ['qwertyuiop12', /common/i],
    ['abcdefghijkl', /sequence/i],
    ['MedVault-Patient-77', /medvault/i],
  ])('refuses %s and says why without echoing it', async (password, why) => {
    const res = await create(h.adminToken, { ...valid(`pw.${Date.now()}@medvault.test`), password });
    const p = expectProblem(res, 400);
    expect(p.code).toBe('VALIDATION_FAILED');
    const err = p.errors?.find((e) => e.field === 'password');
    expect(err?.message).toMatch(why);
    expect(res.body).not.toContain(password);
  });

  it('refuses a password that contains the email local part', async () => {
    const local = `winston.smith.${Date.now().toString(36)}`;
    const res = await create(h.adminToken, { ...valid(`${local}@medvault.test`), password: `${local}!` });
    expect(expectProblem(res, 400).errors?.find((e) => e.field === 'password')?.message).toMatch(/email/i);
  });

  it('accepts a long passphrase', async () => {
    const res = await create(h.adminToken, {
      ...valid(`pp.${Date.now()}@medvault.test`),
      password: 'correct horse battery staple',
    });
    expect(res.statusCode, res.body).toBe(201);
  });
});

describe('user events outbox', () => {
  it('stores user.updated with the change and publishes it later when the process died before publishing', async () => {
    const email = `outbox.${Date.now()}@medvault.test`;
    const res = await create(h.adminToken, valid(email));
    expect(res.statusCode).toBe(201);
    const id = res.json().id as string;
    await h.deps.userEvents.flush(); // the pass woken by the creation is over (no timer in tests)
    // A write whose process dies before any relay pass: the event is in the user document.
    const crashed = createEvent(
      'user.updated',
      { userId: id, role: 'patient', active: false, changes: ['active'] },
      { correlationId: 'req_crash', source: 'gateway' },
    );
    await h.deps.userRepo.update(id, { active: false, updatedAt: new Date() }, [crashed]);
    const pending = await h.deps.db.collection('users').findOne({ _id: id as never });
    expect(pending?.outbox?.map((e: Envelope) => e.id)).toEqual([crashed.id]);
    // The next process's relay finds it and publishes it, exactly this envelope.
    await h.deps.userEvents.flush();
    const ev = await tap.waitFor('user.updated', (e) => e.id === crashed.id);
    expect(ev.data).toMatchObject({ userId: id, active: false });
    const after = await h.deps.db.collection('users').findOne({ _id: id as never });
    expect(after?.outbox).toEqual([]);
  });
});
