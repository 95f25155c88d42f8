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

export function lockdown(global: object, names: readonly string[] = BLOCKED_GLOBALS): void {
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
