import { describe, expect, it } from 'vitest';
import { inRange, isIp, isIpOrCidr, parseCidr, requestAddress, toRange } from './ip.ts';

// The grammar of Go's net/netip with the API server's restrictions (CEL isIP / isCIDR); the
// e2e admission test runs the same values through the API server.
describe('IP addresses and CIDR ranges', () => {
  it.each([
    '1.2.3.4',
    '0.0.0.0',
    '255.255.255.255',
    '::',
    '::1',
    '2001:db8::1',
    '2001:DB8::1',
    '1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:1.2.3.4',
    '::1.2.3.4',
    '1:2:3:4:5:6:7::',
  ])('%s is an address', (text) => {
    expect(isIp(text)).toBe(true);
  });

  it.each([
    '',
    '01.2.3.4',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '1.2.3.-4',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7:8::',
    '1::2::3',
    ':1::2',
    '12345::',
    'fe80::1%eth0',
    '::ffff:1.2.3.4',
    '1.2.3.4::',
    'bad::cidr',
  ])('%s is not an address', (text) => {
    expect(isIp(text)).toBe(false);
  });

  it.each(['10.0.0.0/8', '10.1.2.3/8', '0.0.0.0/0', '1.2.3.4/32', '2001:db8::/32', '::/0', '::1/128'])(
    '%s is a range',
    (text) => {
      expect(parseCidr(text)).not.toBeNull();
      expect(isIpOrCidr(text)).toBe(true);
    },
  );

  it.each([
    '1.2.3.4/33',
    '1.2.3.4/024',
    '1.2.3.4/',
    '/8',
    '2001:db8::/129',
    '::ffff:1.2.3.4/120',
    '10.0.0.0/+8',
    '127.invalid',
  ])('%s is neither an address nor a range', (text) => {
    expect(isIpOrCidr(text)).toBe(false);
  });

  it('matches addresses against ranges of the same family; a bare address is a range of one', () => {
    const within = (range: string, addr: string) =>
      inRange(toRange(range) as NonNullable<ReturnType<typeof toRange>>, requestAddress(addr) as Uint8Array);
    expect(within('10.0.0.0/8', '10.255.0.1')).toBe(true);
    expect(within('10.0.0.0/8', '11.0.0.1')).toBe(false);
    expect(within('192.168.1.128/25', '192.168.1.200')).toBe(true);
    expect(within('192.168.1.128/25', '192.168.1.100')).toBe(false);
    expect(within('127.0.0.1', '127.0.0.1')).toBe(true);
    expect(within('127.0.0.1', '127.0.0.2')).toBe(false);
    expect(within('2001:db8::/32', '2001:db8:0:1::42')).toBe(true);
    expect(within('2001:db8::/32', '2001:db9::1')).toBe(false);
    expect(within('0.0.0.0/0', '2001:db8::1')).toBe(false);
    // a dual-stack socket reports IPv4 clients as IPv4-mapped IPv6 addresses
    expect(within('10.0.0.0/8', '::ffff:10.1.2.3')).toBe(true);
  });
});
