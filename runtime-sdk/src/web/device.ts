// Browser defaults for the wx APIs that need the device; a host app's own (TesseraConfig.device)
// take precedence. The privacy scope check runs before any of these (core/consent.ts).
import type { DeviceApis } from '../core/session.ts';

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
  const clipboard = nav?.clipboard;
  if (clipboard) {
    out.getClipboardData = () => clipboard.readText();
    out.setClipboardData = (data) => clipboard.writeText(data);
  }
  return out;
}
