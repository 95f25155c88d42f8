// `url` sources are fetched from inside the cluster: refuse loopback, private, link-local and
// other non-public addresses (cloud metadata endpoints, cluster services) unless explicitly
// allowed. The host is resolved before the request; redirects are never followed.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export class ForbiddenSourceUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenSourceUrlError';
  }
}

function v4Private(ip: string): boolean {
  const [a = 0, b = 0] = ip.split('.').map(Number);
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  );
}

export function isNonPublicAddress(ip: string): boolean {
  if (isIP(ip) === 4) return v4Private(ip);
  const lower = ip.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped?.[1]) return v4Private(mapped[1]);
  return (
    lower === '::' || lower === '::1' || /^f[cd]/.test(lower) || /^fe[89ab]/.test(lower) || /^ff/.test(lower)
  );
}

export async function assertPublicUrl(url: string): Promise<void> {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    throw new ForbiddenSourceUrlError('source URL is not a valid URL');
  }
  const addresses = isIP(host)
    ? [host]
    : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) throw new ForbiddenSourceUrlError(`source URL host "${host}" does not resolve`);
  const bad = addresses.find(isNonPublicAddress);
  if (bad) {
    throw new ForbiddenSourceUrlError(
      `source URL host "${host}" resolves to non-public address ${bad}; host the archive publicly or upload it to the store`,
    );
  }
}
