// Removes every way out of a realm that runs mini-program code: network, storage of the
// embedding origin, nested realms and script loading. Called before any mini-program code
// runs; the SDK keeps private references to what it needs (e.g. importScripts).
export const BLOCKED_GLOBALS = [
  'fetch',
  'XMLHttpRequest',
  'WebSocket',
  'WebSocketStream',
  'EventSource',
  'WebTransport',
  'indexedDB',
  'caches',
  'cookieStore',
  'importScripts',
  'Worker',
  'SharedWorker',
  'BroadcastChannel',
  'RTCPeerConnection',
  'localStorage',
  'sessionStorage',
  'open',
  'FileSystemHandle',
  'webkitRequestFileSystem',
];

/**
 * Takes away the one way to turn bytes into a script URL the realm's CSP admits (blob:, which
 * the SDK's own loader needs): without URL.createObjectURL, code fetched at run time cannot be
 * imported, importScripts()-ed or put in a script element. The SDK captures it first.
 */
export function lockScriptUrls(global: object): void {
  const url = (global as { URL?: object }).URL;
  if (!url) return;
  for (const name of ['createObjectURL', 'revokeObjectURL']) {
    if (!Object.hasOwn(url, name)) continue;
    Reflect.deleteProperty(url, name);
    if (Object.hasOwn(url, name))
      Object.defineProperty(url, name, { value: undefined, writable: false, configurable: false });
  }
}

export function lockdown(global: object, names: readonly string[] = BLOCKED_GLOBALS): void {
  lockScriptUrls(global);
  for (const name of names) {
    let o: object | null = global;
    while (o) {
      if (Object.hasOwn(o, name)) {
        try {
          Reflect.deleteProperty(o, name);
        } catch {
          // fall through to the redefinition below
        }
        if (Object.hasOwn(o, name)) {
          try {
            Object.defineProperty(o, name, { value: undefined, writable: false, configurable: false });
          } catch {
            // non-configurable host property: nothing more we can do here; CSP still applies
          }
        }
      }
      o = Object.getPrototypeOf(o);
    }
  }
  const nav = (global as { navigator?: object }).navigator;
  if (nav) {
    for (const k of ['storage', 'serviceWorker', 'sendBeacon', 'locks']) {
      let o: object | null = nav;
      while (o) {
        if (Object.hasOwn(o, k)) {
          try {
            Reflect.deleteProperty(o, k);
          } catch {
            // ignore
          }
        }
        o = Object.getPrototypeOf(o);
      }
    }
  }
}
