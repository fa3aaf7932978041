import { isIPv6 } from 'node:net';
import { backoffDelay } from '@medvault/common/retry';

/**
 * Pure rules of login throttling. Failures are counted per (account, source): only the source
 * that keeps failing is refused, with a delay that doubles with each further failure, so a
 * stranger can never lock the owner out from elsewhere. An account failing from many sources is
 * slowed down (every attempt waits), never locked.
 */
export interface BackoffPolicy {
  /** Failures of one (account, source) tolerated before backing off. */
  threshold: number;
  /** First back-off; doubles with each further failure. */
  baseSeconds: number;
  maxSeconds: number;
}

/** How long the source must wait after its `failures`-th failure on the account (0: no wait). */
export function backoffSeconds(failures: number, p: BackoffPolicy): number {
  if (failures < p.threshold) return 0;
  // backoffDelay is unit-free (seconds here); attempt 1 = the threshold-th failure waits the base.
  return backoffDelay(failures - p.threshold + 1, { baseMs: p.baseSeconds, maxMs: p.maxSeconds });
}

/**
 * The source an attempt is charged to: the IPv4 address, or the /64 of an IPv6 address (one
 * subscriber usually holds a whole /64, so per-address keys would be free to rotate).
 */
export function sourceOf(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
