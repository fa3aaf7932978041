import ipaddr from 'ipaddr.js';

/**
 * Which network addresses a webhook may reach (SSRF defence). Positive rule: only public unicast
 * is allowed — every special range ipaddr.js knows (loopback, unspecified, link-local, RFC 1918,
 * CGNAT, unique-local, multicast, broadcast, reserved, NAT64, 6to4, Teredo…) is refused, so a
 * range we did not think of is refused too. IPv4-mapped IPv6 is judged as the IPv4 it carries.
 * Parsing and classification are ipaddr.js's (maintained), never regexes of ours.
 */

export type Addr = ipaddr.IPv4 | ipaddr.IPv6;

/** Development-only exceptions (WEBHOOK_ALLOW_PRIVATE_HOSTS): CIDRs or single addresses. */
export type AllowList = readonly [Addr, number][];

export function parseAllowList(csv: string): AllowList {
  return csv
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      if (ipaddr.isValidCIDR(s)) return ipaddr.parseCIDR(s);
      const a = parseIp(s);
      if (!a) throw new Error(`WEBHOOK_ALLOW_PRIVATE_HOSTS: "${s}" is not an IP address or CIDR`);
      return [a, a.kind() === 'ipv4' ? 32 : 128] as [Addr, number];
    });
}

/** An IP address in canonical text (what URL and DNS give us), or undefined for anything else. */
export function parseIp(text: string): Addr | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  // isValid also accepts legacy IPv4 forms (0x7f000001, 0177.0.0.1, 127.1): fine, they are judged too.
  if (!ipaddr.isValid(bare)) return undefined;
  return ipaddr.parse(bare);
}

function normalise(a: Addr): Addr {
  return a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a;
}

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/** Inside the development allow-list (an IPv4-mapped address counts as its IPv4). */
export function allowListed(address: Addr, allow: AllowList): boolean {
  return [address, normalise(address)].some((a) =>
    allow.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits)),
  );
}

/** Why an address must not be called, or undefined when it is public unicast (or allow-listed). */
export function blockedReason(address: string | Addr, allow: AllowList = []): string | undefined {
  const parsed = typeof address === 'string' ? parseIp(address) : address;
  if (!parsed) return 'not an IP address';
  if (allowListed(parsed, allow)) return undefined;
  const a = normalise(parsed);
  const range = a.range();
  if (range !== 'unicast') return range;
  // IPv6 "unicast" in ipaddr.js is merely "none of the special ranges": also require 2000::/3, which
  // excludes leftovers such as the deprecated IPv4-compatible ::a.b.c.d.
  if (a.kind() === 'ipv6' && !a.match(GLOBAL_UNICAST_V6)) return 'not global unicast';
  return undefined;
}

/** Names that always mean this machine (RFC 6761), refused without asking DNS. */
export function isLocalName(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

/** The first blocked address of a DNS answer, if any: one bad address refuses the whole name. */
export function firstBlocked(addresses: readonly string[], allow: AllowList = []): string | undefined {
  return addresses.find((a) => blockedReason(a, allow) !== undefined);
}
