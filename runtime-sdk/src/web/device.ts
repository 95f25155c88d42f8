// Browser defaults for the wx APIs that need the device; a host app's own (TesseraConfig.device)
// take precedence. The privacy scope check runs before any of these (core/consent.ts).
import type { NetworkType } from '../core/network.ts';
import type { DeviceApis } from '../core/session.ts';
import { loadUi } from './ui-chunk.ts';

interface ConnectionInfo extends EventTarget {
  type?: string;
  effectiveType?: string;
}

/** What the Network Information API (where there is one) and navigator.onLine say. */
function networkTypeOf(nav: Navigator | undefined): NetworkType {
  if (nav?.onLine === false) return 'none';
  const c = (nav as { connection?: ConnectionInfo } | undefined)?.connection;
  if (c?.type === 'wifi' || c?.type === 'ethernet') return c.type;
  if (c?.type === 'none') return 'none';
  const effective = c?.effectiveType;
  if (effective === '4g' || effective === '3g' || effective === '2g') return effective;
  if (effective === 'slow-2g') return '2g';
  return 'unknown';
}

export function browserDevice(nav: Navigator | undefined = globalThis.navigator): DeviceApis {
  const out: DeviceApis = {};
  const geo = nav?.geolocation;
  if (geo) {
    out.getLocation = ({ type, altitude }) => {
      if (type === 'gcj02')
        return Promise.reject(
          new Error('gcj02 coordinates need the host app (TesseraConfig.device.getLocation)'),
        );
      return new Promise((resolve, reject) =>
        geo.getCurrentPosition(
          (p) =>
            resolve({
              latitude: p.coords.latitude,
              longitude: p.coords.longitude,
              accuracy: p.coords.accuracy,
              ...(altitude && p.coords.altitude !== null ? { altitude: p.coords.altitude } : {}),
              ...(p.coords.speed !== null ? { speed: p.coords.speed } : {}),
            }),
          (e) => reject(new Error(e.message || 'location unavailable')),
          { enableHighAccuracy: altitude, timeout: 30_000 },
        ),
      );
    };
  }
  if (typeof nav?.vibrate === 'function') out.vibrate = (ms) => void nav.vibrate(ms);
  const doc = globalThis.document;
  if (doc) out.chooseFiles = async (o) => (await loadUi()).pickFiles(doc, o);
  const clipboard = nav?.clipboard;
  if (clipboard) {
    out.getClipboardData = () => clipboard.readText();
    out.setClipboardData = (data) => clipboard.writeText(data);
  }
  out.networkType = () => networkTypeOf(nav);
  out.onNetworkChange = (fn) => {
    let last = networkTypeOf(nav);
    const changed = () => {
      const now = networkTypeOf(nav);
      if (now === last) return;
      last = now;
      fn(now);
    };
    const c = (nav as { connection?: ConnectionInfo } | undefined)?.connection;
    globalThis.addEventListener?.('online', changed);
    globalThis.addEventListener?.('offline', changed);
    c?.addEventListener?.('change', changed);
    return () => {
      globalThis.removeEventListener?.('online', changed);
      globalThis.removeEventListener?.('offline', changed);
      c?.removeEventListener?.('change', changed);
    };
  };
  return out;
}
