import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { blockedReason, parseAllowList } from '../domain/address-policy.js';
import { checkWebhookUrl, vettedLookup } from './webhook-target.js';

const answers =
  (map: Record<string, string[]>) =>
  async (host: string): Promise<LookupAddress[]> => {
    const list = map[host];
    if (!list) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
    return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

describe('webhook address policy', () => {
  it.each([
    '127.0.0.1',
    '0.0.0.0',
    '10.1.2.3',
    '172.31.255.255',
    '192.168.0.1',
    '100.64.0.1',
    '169.254.169.254',
    '224.0.0.1',
    '255.255.255.255',
    '192.0.2.1',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
    '::127.0.0.1',
    'ff02::1',
  ])('blocks %s', (ip) => {
    expect(blockedReason(ip)).toBeDefined();
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8'])('allows public %s', (ip) => {
    expect(blockedReason(ip)).toBeUndefined();
  });

  it('exempts only what the development allow-list names', () => {
    const allow = parseAllowList('127.0.0.1, 10.9.0.0/16');
    expect(blockedReason('127.0.0.1', allow)).toBeUndefined();
    expect(blockedReason('::ffff:127.0.0.1', allow)).toBeUndefined();
    expect(blockedReason('10.9.3.4', allow)).toBeUndefined();
    expect(blockedReason('127.0.0.2', allow)).toBeDefined();
    expect(blockedReason('169.254.169.254', allow)).toBeDefined();
    expect(() => parseAllowList('localhost')).toThrow(/WEBHOOK_ALLOW_PRIVATE_HOSTS/);
  });

  it('refuses a name at registration when any of its addresses is internal', async () => {
    const resolve = answers({ 'mixed.example': ['93.184.215.14', '10.0.0.7'], 'ok.example': ['93.184.215.14'] });
    expect(await checkWebhookUrl('https://mixed.example/hook', [], resolve)).toMatch(/internal/);
    expect(await checkWebhookUrl('https://ok.example/hook', [], resolve)).toBeUndefined();
    expect(await checkWebhookUrl('https://nowhere.example/hook', [], resolve)).toMatch(/does not resolve/);
    expect(await checkWebhookUrl('https://user:pw@ok.example/hook', [], resolve)).toMatch(/credentials/);
    expect(await checkWebhookUrl('http://ok.example/hook', [], resolve)).toMatch(/https/);
  });

  it('refuses at connect time a name that now resolves to an internal address (DNS rebinding)', async () => {
    const lookup = vettedLookup([], answers({ 'rebind.example': ['93.184.215.14', '127.0.0.1'] }));
    const err = await new Promise<Error | null>((r) => lookup('rebind.example', { all: true }, (e) => r(e)));
    expect(err?.name).toBe('BlockedTargetError');
  });

  it('hands the connect exactly the addresses it vetted', async () => {
    const lookup = vettedLookup([], answers({ 'ok.example': ['93.184.215.14', '2606:4700::1111'] }));
    const got = await new Promise<unknown>((r) => lookup('ok.example', { all: true }, (_e, a) => r(a)));
    expect(got).toEqual([
      { address: '93.184.215.14', family: 4 },
      { address: '2606:4700::1111', family: 6 },
    ]);
    const one = await new Promise<unknown>((r) => lookup('ok.example', { family: 4 }, (_e, a, f) => r([a, f])));
    expect(one).toEqual(['93.184.215.14', 4]);
  });
});
