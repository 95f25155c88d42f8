// Permission checks the host enforces for a running mini-program: domain whitelists from the
// signed launch response, and custom host APIs / menu items the HostApp allows per appId.

export class PermissionError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'PermissionError';
    this.code = code;
  }
}

/**
 * True when `url` is https (or wss) and its host equals an entry of `domains` (entries are origins
 * like "https://api.example.com" or host names; "*.example.com" matches sub-domains only).
 */
export function domainAllowed(url: string, domains: readonly string[]): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'wss:') {
    // Plain http and ws (loopback, development) only where the list names them with their scheme.
    const plain = u.protocol === 'http:' || u.protocol === 'ws:';
    if (!(plain && domains.some((d) => d.startsWith(`${u.protocol}//`)))) return false;
  }
  if (u.username || u.password) return false;
  const host = u.host.toLowerCase();
  for (const raw of domains) {
    const d = raw.trim().toLowerCase();
    if (!d) continue;
    let entry = d;
    let scheme: string | undefined;
    const m = /^([a-z]+):\/\/(.*)$/.exec(d);
    if (m) {
      scheme = `${m[1]}:`;
      entry = m[2]!.replace(/\/.*$/, '');
    }
    if (scheme && scheme !== u.protocol) continue;
    if (entry.startsWith('*.')) {
      const suffix = entry.slice(1);
      if (host.endsWith(suffix) && host.length > suffix.length) return true;
    } else if (
      entry === host ||
      (!entry.includes(':') && entry === u.hostname.toLowerCase() && u.port === '')
    ) {
      return true;
    }
  }
  return false;
}

/** The domain list (MiniProgram.spec.domains) each API's URLs must be in. */
const DOMAIN_LISTS: Record<string, string> = {
  request: 'request',
  downloadFile: 'download',
  uploadFile: 'upload',
  connectSocket: 'socket',
};

export function assertDomain(api: string, url: string, domains: readonly string[]): void {
  if (!domainAllowed(url, domains)) {
    let shown = url;
    try {
      shown = new URL(url).origin;
    } catch {
      shown = url.slice(0, 100);
    }
    throw new PermissionError(
      'DOMAIN_NOT_ALLOWED',
      `${api}: ${shown} is not in the ${DOMAIN_LISTS[api] ?? api} domain list of this mini-program; add it to MiniProgram.spec domains`,
    );
  }
}

export interface HostApiDefinition {
  /** appIds allowed to call this API ('*' for all); the HostApp spec decides. */
  allow: readonly string[];
  handler(params: unknown, ctx: { appId: string; userId?: string | undefined }): unknown | Promise<unknown>;
}

export interface MenuItemDefinition {
  id: string;
  text: string;
  allow: readonly string[];
}

/** `permissions` from the launch response may also grant `hostApi:<name>` / `menu:<id>`. */
export function hostApiAllowed(
  name: string,
  def: HostApiDefinition | undefined,
  appId: string,
  granted: readonly string[],
): def is HostApiDefinition {
  if (!def) return false;
  return def.allow.includes('*') || def.allow.includes(appId) || granted.includes(`hostApi:${name}`);
}

export function menuItemsFor(
  items: readonly MenuItemDefinition[],
  appId: string,
  granted: readonly string[],
) {
  return items.filter(
    (i) => i.allow.includes('*') || i.allow.includes(appId) || granted.includes(`menu:${i.id}`),
  );
}
