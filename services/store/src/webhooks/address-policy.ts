// Where webhook deliveries may go. Tenants choose the URLs, the store makes the requests from
// inside the cluster: without a check a tenant could aim a webhook at the cloud metadata
// service, the API server or any internal service (SSRF). The policy:
//  - http and https only;
//  - the host is resolved once; every address it resolves to must be public (not loopback,
//    private, link-local, CGNAT, unspecified, multicast, reserved, nor an IPv6 form embedding
//    one of those), unless the operator's allow list (WEBHOOK_ALLOW_CIDRS) covers it;
//  - the delivery connects to the address that was checked (DNS pinning), so a name that
//    rebinds to 127.0.0.1 between check and connect cannot switch targets; Host and TLS SNI
//    stay the hostname; redirects are never followed (see deliver.ts).
// The URL parser normalises the tricky spellings first: 0x7f.1, 2130706433 and 017700000001 all
// become 127.0.0.1, and [::ffff:127.0.0.1] becomes [::ffff:7f00:1].

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export type Resolver = (hostname: string) => Promise<string[]>;

/** System resolver (getaddrinfo, as a connect would use), every address. */
export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

interface Range {
  /** 4 or 16 bytes */
  bytes: Uint8Array;
  prefix: number;
  text: string;
}

export interface Cidr extends Range {}

/** Parses "a.b.c.d/n" or "v6::/n" (a bare address means a single host). */
export function parseCidr(text: string): Cidr {
  const t = text.trim();
  const [addr = '', len] = t.split('/');
  const bytes = ipBytes(addr);
  if (!bytes) throw new Error(`"${t}" is not an IP address or CIDR range (e.g. 10.1.0.0/16, fd00::/8)`);
  const max = bytes.length * 8;
  const prefix = len === undefined ? max : Number(len);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (len !== undefined && !/^\d+$/.test(len)))
    throw new Error(`"${t}": prefix length must be an integer from 0 to ${max}`);
  return { bytes, prefix, text: t };
}

/** WEBHOOK_ALLOW_CIDRS: comma- or space-separated ranges. Throws on the first bad entry. */
export function parseAllowCidrs(value: string | undefined): Cidr[] {
  if (!value?.trim()) return [];
  return value
    .split(/[\s,]+/)
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return parseCidr(s);
      } catch (e) {
        throw new Error(`WEBHOOK_ALLOW_CIDRS: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
}

function ipBytes(address: string): Uint8Array | undefined {
  const kind = isIP(address);
  if (kind === 4) return Uint8Array.from(address.split('.').map(Number));
  if (kind !== 6) return undefined;
  let text = address;
  // a trailing dotted quad (::ffff:1.2.3.4) becomes two hex groups
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad?.[1]) {
    const b = quad[1].split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -quad[1].length)}${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = Number.parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

function inRange(bytes: Uint8Array, r: Range): boolean {
  if (bytes.length !== r.bytes.length) return false;
  let bits = r.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i] as number) & mask) !== ((r.bytes[i] as number) & mask)) return false;
  }
  return true;
}

const r = (cidr: string, what: string) => ({ ...parseCidr(cidr), what });

const V4_BLOCKED = [
  r('0.0.0.0/8', 'an unspecified ("this network") address'),
  r('10.0.0.0/8', 'a private address'),
  r('100.64.0.0/10', 'a carrier-grade NAT (shared) address'),
  r('127.0.0.0/8', 'a loopback address'),
  r('169.254.0.0/16', 'a link-local address (cloud metadata lives here)'),
  r('172.16.0.0/12', 'a private address'),
  r('192.0.0.0/24', 'an IETF protocol assignment address'),
  r('192.0.2.0/24', 'a documentation address'),
  r('192.168.0.0/16', 'a private address'),
  r('198.18.0.0/15', 'a benchmarking address'),
  r('198.51.100.0/24', 'a documentation address'),
  r('203.0.113.0/24', 'a documentation address'),
  r('224.0.0.0/4', 'a multicast address'),
  r('240.0.0.0/4', 'a reserved address'),
];

const V6_BLOCKED = [
  r('::/128', 'an unspecified address'),
  r('::1/128', 'a loopback address'),
  r('100::/64', 'a discard-only address'),
  r('2001:db8::/32', 'a documentation address'),
  r('fc00::/7', 'a private (unique local) address'),
  r('fe80::/10', 'a link-local address'),
  r('fec0::/10', 'a site-local address'),
  r('ff00::/8', 'a multicast address'),
];

/** IPv6 forms that carry an IPv4 address the packet may end up at. */
const V6_EMBEDDING = [
  { ...parseCidr('::ffff:0:0/96'), at: 12, form: 'IPv4-mapped' },
  { ...parseCidr('::/96'), at: 12, form: 'IPv4-compatible' },
  { ...parseCidr('64:ff9b::/96'), at: 12, form: 'NAT64' },
  { ...parseCidr('64:ff9b:1::/48'), at: 12, form: 'NAT64' },
  { ...parseCidr('2002::/16'), at: 2, form: '6to4' },
];

/** Why an address is not public, or undefined when it is. */
export function nonPublicReason(address: string): string | undefined {
  const bytes = ipBytes(address);
  if (!bytes) return 'not an IP address';
  if (bytes.length === 4) return V4_BLOCKED.find((b) => inRange(bytes, b))?.what;
  for (const e of V6_EMBEDDING) {
    if (!inRange(bytes, e)) continue;
    const v4 = bytes.slice(e.at, e.at + 4);
    // ::/96 also holds :: and ::1 themselves
    if (e.form === 'IPv4-compatible' && v4[0] === 0) break;
    const why = V4_BLOCKED.find((b) => inRange(v4, b))?.what;
    if (why) return `${why} in ${e.form} IPv6 form`;
  }
  return V6_BLOCKED.find((b) => inRange(bytes, b))?.what;
}

export class WebhookUrlError extends Error {}

export interface WebhookTarget {
  url: URL;
  /** hostname without IPv6 brackets (Host header and TLS SNI) */
  hostname: string;
  /** the checked address the request connects to */
  address: string;
  family: 4 | 6;
}

export class WebhookAddressPolicy {
  readonly allow: readonly Cidr[];
  readonly #resolve: Resolver;

  constructor(options: { allowCidrs?: readonly Cidr[]; resolver?: Resolver } = {}) {
    this.allow = options.allowCidrs ?? [];
    this.#resolve = options.resolver ?? systemResolver;
  }

  #allowed(address: string): boolean {
    const bytes = ipBytes(address);
    return bytes !== undefined && this.allow.some((c) => inRange(bytes, c));
  }

  /**
   * Resolves and checks a webhook URL; throws WebhookUrlError saying what is wrong. Every
   * address the name resolves to must pass (a name with one private address is refused, so
   * that no resolver ordering can pick the private one later); the first is used.
   */
  async check(raw: string): Promise<WebhookTarget> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new WebhookUrlError(`webhook URL ${raw} is not a valid absolute URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new WebhookUrlError(`webhook URL ${raw} uses ${url.protocol}; only http: and https: are allowed`);
    if (url.username || url.password)
      throw new WebhookUrlError(
        `webhook URL ${raw} carries credentials; authenticate deliveries by their signature instead`,
      );
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    let addresses: string[];
    if (isIP(hostname)) addresses = [hostname];
    else {
      try {
        addresses = await this.#resolve(hostname);
      } catch (e) {
        throw new WebhookUrlError(
          `webhook URL ${url.origin}: host ${hostname} does not resolve (${e instanceof Error ? e.message : String(e)})`,
        );
      }
      if (addresses.length === 0)
        throw new WebhookUrlError(`webhook URL ${url.origin}: host ${hostname} has no addresses`);
    }
    for (const a of addresses) {
      const why = nonPublicReason(a);
      if (why && !this.#allowed(a))
        throw new WebhookUrlError(
          `webhook URL ${url.origin} resolves to ${a}, ${why}; deliveries may only go to public addresses unless WEBHOOK_ALLOW_CIDRS allows it`,
        );
    }
    const address = addresses[0] as string;
    return { url, hostname, address, family: isIP(address) === 6 ? 6 : 4 };
  }
}
