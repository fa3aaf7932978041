import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import {
  type AllowList,
  allowListed,
  blockedReason,
  firstBlocked,
  isLocalName,
  parseIp,
} from '../domain/address-policy.js';

/**
 * The network side of the webhook SSRF defence. A URL is checked when it is registered (fail
 * early, clear 400) and again on every delivery, after DNS resolution and against the very
 * addresses the socket then connects to: the resolution is ours (custom `lookup`), so a name
 * that answered a public address at registration and loopback now (DNS rebinding) is refused,
 * and there is no second resolution between the check and the connect.
 */

export class BlockedTargetError extends Error {
  override readonly name = 'BlockedTargetError';
}

export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );

const INTERNAL = 'must not point at a loopback, private, link-local or otherwise internal address';

/** Registration check: undefined when acceptable, else the message for the `url` field. */
export async function checkWebhookUrl(
  raw: string,
  allow: AllowList,
  resolve: Resolver = systemResolver,
): Promise<string | undefined> {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'must be a valid URL';
  }
  if (u.username || u.password) return 'must not carry credentials';
  // WHATWG URL has already normalised legacy IPv4 forms (127.1, 2130706433, 0x7f000001, 0177.0.0.1).
  const literal = parseIp(u.hostname);
  const devTarget = literal !== undefined && allowListed(literal, allow);
  // Plain http only to a development receiver explicitly allow-listed by configuration.
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && devTarget)) return 'must be an https URL';
  if (literal) return blockedReason(literal, allow) ? INTERNAL : undefined;
  if (isLocalName(u.hostname)) return INTERNAL;
  let addresses: LookupAddress[];
  try {
    addresses = await resolve(u.hostname);
  } catch {
    return 'host name does not resolve';
  }
  return firstBlocked(
    addresses.map((a) => a.address),
    allow,
  )
    ? INTERNAL
    : undefined;
}

/** A `lookup` for the HTTP agent: resolves once, refuses the name if ANY address is internal. */
export function vettedLookup(allow: AllowList, resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    if (isLocalName(hostname)) {
      callback(new BlockedTargetError('internal host name'), '', 0);
      return;
    }
    resolve(hostname).then(
      (all) => {
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const wanted = family ? all.filter((a) => a.family === family) : all;
        const bad = firstBlocked(
          all.map((a) => a.address),
          allow,
        );
        if (bad || wanted.length === 0) {
          callback(new BlockedTargetError(bad ? 'internal address' : 'no address'), '', 0);
          return;
        }
        // Node's connect asks for all addresses (happy eyeballs) or for one.
        if (options.all) (callback as (e: null, a: LookupAddress[]) => void)(null, wanted);
        else callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

export interface PostOptions {
  headers: Record<string, string>;
  timeoutMs: number;
  allow: AllowList;
  resolve?: Resolver;
}

/** POSTs `body` to a vetted address; resolves with the status (redirects are never followed). */
export function postToWebhook(rawUrl: string, body: string, o: PostOptions): Promise<number> {
  const url = new URL(rawUrl);
  const isHttps = url.protocol === 'https:';
  const literal = parseIp(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && literal && allowListed(literal, o.allow)))
    return Promise.reject(new BlockedTargetError('scheme'));
  // An IP literal is never passed to `lookup` by Node: judge it here, before any socket exists.
  if (literal && blockedReason(literal, o.allow)) return Promise.reject(new BlockedTargetError('internal address'));
  return new Promise((resolve, reject) => {
    const req = (isHttps ? https : http).request(url, {
      method: 'POST',
      headers: { ...o.headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: vettedLookup(o.allow, o.resolve),
      agent: false,
      signal: AbortSignal.timeout(o.timeoutMs),
    });
    req.on('response', (res) => {
      res.resume(); // the receiver's body is not ours to read
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}
