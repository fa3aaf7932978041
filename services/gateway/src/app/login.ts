import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '@medvault/common/errors';
import { newId } from '@medvault/common/ids';
import { sourceOf } from '../domain/login-backoff.js';
import { dummyHash, verifyPassword } from '../domain/passwords.js';
import type { UserRecord } from '../domain/ports.js';
import { emailHash } from '../domain/tokens.js';
import { normaliseEmail, type RequestContext } from '../domain/users.js';
import { emitAuthEvent, invalidCredentials, issueTokens, type SessionPorts, type TokenPair } from './session-ports.js';

/** Email + password → a new session, throttled per (account, source) and per source. */
export async function login(
  d: SessionPorts,
  input: { email: string; password: string },
  ctx: RequestContext & { ip: string },
): Promise<TokenPair & { user: UserRecord }> {
  const hash = emailHash(input.email);
  const keys = { account: hash, source: sourceOf(ctx.ip) };
  const gate = await d.throttle.check(keys);
  if (gate.blocked) {
    emitAuthEvent(d, 'auth.login_failed', { reason: 'throttled', emailHash: hash }, ctx);
    throw new AppError('RATE_LIMITED', 'Too many failed logins, try again later', {
      headers: { 'retry-after': String(gate.retryAfterSeconds) },
      details: { retryAfterSeconds: gate.retryAfterSeconds },
    });
  }
  // An account failing from many sources is slowed for everyone, never locked: the owner
  // still gets in from a fresh source, a distributed guesser gets fewer tries per second.
  if (gate.slowMs > 0) await sleep(gate.slowMs);
  const user = await d.users.findByEmail(normaliseEmail(input.email));
  // Unknown users still pay for a full scrypt verification: equal timing, no enumeration.
  const passwordOk = await verifyPassword(input.password, user?.passwordHash ?? (await dummyHash()));
  if (!user || !passwordOk || !user.active) {
    await d.throttle.recordFailure(keys);
    const reason = user && passwordOk ? 'inactive' : 'invalid_credentials';
    emitAuthEvent(d, 'auth.login_failed', { reason, emailHash: hash, ...(user ? { userId: user.id } : {}) }, ctx);
    throw invalidCredentials();
  }
  await d.throttle.recordSuccess(keys);
  const pair = await issueTokens(d, user, newId('session'));
  emitAuthEvent(
    d,
    'auth.login_succeeded',
    { userId: user.id, role: user.role },
    { ...ctx, actor: { ...ctx.actor, userId: user.id, role: user.role } },
  );
  return { ...pair, user };
}
