import { describe, expect, it } from 'vitest';
import {
  nonPublicReason,
  parseAllowCidrs,
  type Resolver,
  WebhookAddressPolicy,
  WebhookUrlError,
} from './address-policy.ts';

const publicDns: Resolver = async (host) => {
  if (host === 'hooks.example.com') return ['93.184.215.14'];
  if (host === 'localhost') return ['127.0.0.1', '::1'];
  if (host === 'rebind.example.com') return ['93.184.215.14', '10.0.0.5'];
  if (host === 'internal.example.com') return ['10.0.0.5'];
  throw new Error('ENOTFOUND');
};
const policy = new WebhookAddressPolicy({ resolver: publicDns });

async function refusal(url: string, p = policy): Promise<string> {
  const e = await p.check(url).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, `${url} must be refused`).toBeInstanceOf(WebhookUrlError);
  return (e as Error).message;
}

describe('webhook address policy', () => {
  it.each([
    ['http://127.0.0.1/', '127.0.0.1, a loopback address'],
    ['http://[::1]:8080/', '::1, a loopback address'],
    ['http://0x7f.1/', '127.0.0.1, a loopback address'],
    ['http://2130706433/', '127.0.0.1, a loopback address'],
    ['http://017700000001/', '127.0.0.1, a loopback address'],
    ['http://[::ffff:127.0.0.1]/', 'a loopback address in IPv4-mapped IPv6 form'],
    [
      'http://[::ffff:a9fe:a9fe]/',
      'a link-local address (cloud metadata lives here) in IPv4-mapped IPv6 form',
    ],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254, a link-local address'],
    ['http://10.0.0.5/', '10.0.0.5, a private address'],
    ['http://172.31.255.1/', 'a private address'],
    ['http://192.168.1.1/', 'a private address'],
    ['http://100.64.0.1/', 'a carrier-grade NAT'],
    ['http://0.0.0.0/', 'an unspecified'],
    ['http://[::]/', 'resolves to ::, an unspecified address'],
    ['http://224.0.0.1/', 'a multicast address'],
    ['http://[ff02::1]/', 'a multicast address'],
    ['http://[fd12:3456::1]/', 'a private (unique local) address'],
    ['http://[fe80::1]/', 'a link-local address'],
    ['http://[64:ff9b::7f00:1]/', 'a loopback address in NAT64 IPv6 form'],
    ['http://[2002:7f00:1::]/', 'a loopback address in 6to4 IPv6 form'],
    ['http://localhost:9000/', '127.0.0.1, a loopback address'],
    ['https://internal.example.com/hook', '10.0.0.5, a private address'],
    ['https://rebind.example.com/hook', '10.0.0.5, a private address'],
  ])('refuses %s', async (url, why) => {
    const message = await refusal(url);
    expect(message).toContain(why);
    expect(message).toContain(
      'deliveries may only go to public addresses unless WEBHOOK_ALLOW_CIDRS allows it',
    );
  });

  it('explains the refusal with the URL, the address and the kind of address', async () => {
    expect(await refusal('https://internal.example.com/x')).toBe(
      'webhook URL https://internal.example.com resolves to 10.0.0.5, a private address; deliveries may only go to public addresses unless WEBHOOK_ALLOW_CIDRS allows it',
    );
  });

  it.each([
    ['file:///etc/passwd', 'uses file:'],
    ['gopher://hooks.example.com/', 'uses gopher:'],
    ['ftp://hooks.example.com/', 'uses ftp:'],
    ['https://user:pw@hooks.example.com/', 'carries credentials'],
    ['not a url', 'is not a valid absolute URL'],
    ['https://nowhere.invalid/', 'does not resolve'],
  ])('refuses %s', async (url, why) => {
    expect(await refusal(url)).toContain(why);
  });

  it('accepts public addresses and pins the first resolved one', async () => {
    const t = await policy.check('https://hooks.example.com/tessera?x=1');
    expect(t).toMatchObject({ hostname: 'hooks.example.com', address: '93.184.215.14', family: 4 });
    expect((await policy.check('http://8.8.8.8/')).address).toBe('8.8.8.8');
    expect((await policy.check('http://[2606:4700:4700::1111]/')).family).toBe(6);
  });

  it('re-allows ranges from WEBHOOK_ALLOW_CIDRS and nothing else', async () => {
    const allowed = new WebhookAddressPolicy({
      allowCidrs: parseAllowCidrs('127.0.0.0/8, ::1 10.1.0.0/16 fd00::/8'),
      resolver: publicDns,
    });
    // every address of a name must be allowed: localhost is also ::1
    const v4Only = new WebhookAddressPolicy({
      allowCidrs: parseAllowCidrs('127.0.0.0/8'),
      resolver: publicDns,
    });
    expect(await refusal('http://localhost:9000/', v4Only)).toContain('::1, a loopback address');
    expect((await v4Only.check('http://127.0.0.1:9000/')).address).toBe('127.0.0.1');
    expect((await allowed.check('http://localhost:9000/')).address).toBe('127.0.0.1');
    expect((await allowed.check('http://10.1.2.3/')).address).toBe('10.1.2.3');
    expect((await allowed.check('http://[fd00::5]/')).address).toBe('fd00::5');
    expect(await refusal('http://10.2.0.1/', allowed)).toContain('10.2.0.1, a private address');
    expect(await refusal('http://169.254.169.254/', allowed)).toContain('link-local');
  });

  it('rejects a malformed allow list naming the bad entry', () => {
    expect(() => parseAllowCidrs('10.0.0.0/8,10.0.0.0/33')).toThrow(
      'WEBHOOK_ALLOW_CIDRS: "10.0.0.0/33": prefix length must be an integer from 0 to 32',
    );
    expect(() => parseAllowCidrs('intranet')).toThrow('"intranet" is not an IP address or CIDR range');
    expect(parseAllowCidrs(' ')).toEqual([]);
  });

  it('classifies addresses', () => {
    expect(nonPublicReason('1.1.1.1')).toBeUndefined();
    expect(nonPublicReason('2001:4860:4860::8888')).toBeUndefined();
    expect(nonPublicReason('::ffff:8.8.8.8')).toBeUndefined();
    expect(nonPublicReason('::ffff:10.0.0.1')).toContain('private');
    expect(nonPublicReason('::7f00:1')).toContain('loopback');
    expect(nonPublicReason('255.255.255.255')).toContain('reserved');
  });
});
