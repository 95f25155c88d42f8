// IP addresses and CIDR ranges as the API server's CEL isIP / isCIDR accept them (Go's
// net/netip grammar: dotted-decimal IPv4 without leading zeros, IPv6 with one optional "::" and
// an optional trailing dotted IPv4; no zones, no IPv4-mapped IPv6 addresses). Shared by the
// GrayRule schema (InCIDR values) and the gray engine, which matches request addresses.

/** 4 bytes for IPv4, 16 for IPv6. */
export type IpBytes = Uint8Array;

export interface Cidr {
  bytes: IpBytes;
  bits: number;
}

const DECIMAL = /^(0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4(text: string): IpBytes | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (const [i, p] of parts.entries()) {
    if (!DECIMAL.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseIpv6(text: string): IpBytes | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  const words: number[][] = [head.map(() => 0), tail.map(() => 0)];
  const out = new Uint8Array(16);
  const fill = (parts: string[], into: number[], last: boolean): number | null => {
    let bytes = 0;
    for (const [i, p] of parts.entries()) {
      if (last && i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) return null;
        into[i] = -1;
        bytes += 4;
        continue;
      }
      if (!HEX_GROUP.test(p)) return null;
      into[i] = Number.parseInt(p, 16);
      bytes += 2;
    }
    return bytes;
  };
  const hasEllipsis = halves.length === 2;
  const headBytes = fill(head, words[0] as number[], !hasEllipsis);
  const tailBytes = fill(tail, words[1] as number[], true);
  if (headBytes === null || tailBytes === null) return null;
  const total = headBytes + tailBytes;
  if (hasEllipsis ? total > 14 : total !== 16) return null;
  const write = (parts: string[], ws: number[], at: number): number => {
    let o = at;
    for (const [i, p] of parts.entries()) {
      if (ws[i] === -1) {
        out.set(parseIpv4(p) as IpBytes, o);
        o += 4;
      } else {
        out[o] = (ws[i] as number) >> 8;
        out[o + 1] = (ws[i] as number) & 0xff;
        o += 2;
      }
    }
    return o;
  };
  write(head, words[0] as number[], 0);
  write(tail, words[1] as number[], 16 - tailBytes);
  return out;
}

/** Whether a 16-byte address is an IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
function isMapped(b: IpBytes): boolean {
  if (b.length !== 16) return false;
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** Parses an address in the API server's grammar (IPv4-mapped IPv6 included); null when invalid. */
export function parseIp(text: string): IpBytes | null {
  if (text.length === 0 || text.length > 45) return null;
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

/** CEL's isIP: a valid address that is not an IPv4-mapped IPv6 address. */
export function isIp(text: string): boolean {
  const b = parseIp(text);
  return b !== null && !isMapped(b);
}

/** CEL's cidr(): `<address>/<prefix length>`, host bits allowed; null when invalid. */
export function parseCidr(text: string): Cidr | null {
  const slash = text.lastIndexOf('/');
  if (slash === -1) return null;
  const bytes = parseIp(text.slice(0, slash));
  const bitsText = text.slice(slash + 1);
  if (!bytes || isMapped(bytes) || !DECIMAL.test(bitsText)) return null;
  const bits = Number(bitsText);
  return bits <= bytes.length * 8 ? { bytes, bits } : null;
}

/** What an InCIDR value may be: an address (a range of one) or a CIDR range. */
export function isIpOrCidr(text: string): boolean {
  return isIp(text) || parseCidr(text) !== null;
}

/** A range from an InCIDR value: a bare address is a range of one. */
export function toRange(text: string): Cidr | null {
  const cidr = parseCidr(text);
  if (cidr) return cidr;
  const bytes = isIp(text) ? parseIp(text) : null;
  return bytes ? { bytes, bits: bytes.length * 8 } : null;
}

/**
 * A request address for matching: IPv4-mapped IPv6 addresses (what a dual-stack server socket
 * reports for IPv4 clients) become IPv4.
 */
export function requestAddress(text: string): IpBytes | null {
  const b = parseIp(text);
  if (!b) return null;
  return isMapped(b) ? b.subarray(12) : b;
}

export function inRange(range: Cidr, addr: IpBytes): boolean {
  if (range.bytes.length !== addr.length) return false;
  const whole = range.bits >> 3;
  for (let i = 0; i < whole; i++) if (range.bytes[i] !== addr[i]) return false;
  const rest = range.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((range.bytes[whole] as number) & mask) === ((addr[whole] as number) & mask);
}
