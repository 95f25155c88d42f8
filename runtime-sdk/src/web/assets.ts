// Where page frames get image bytes: package assets (never code, styles or manifests) and
// remote images from the download domain list only, fetched without credentials.
import { domainAllowed } from '../core/permissions.ts';
import type { OpenedPackage } from '../package/open.ts';
import type { AssetSource } from './page-frame.ts';

export const MAX_REMOTE_IMAGE_BYTES = 10 * 1024 * 1024;

export interface AssetContext {
  pkg?: OpenedPackage;
  download?: string[];
}

export function createAssetSource(
  ctx: AssetContext,
  fetchFn: typeof fetch,
  onRefused: (message: string) => void,
): AssetSource {
  return async (path) => {
    if (/^https:\/\//i.test(path)) {
      if (!domainAllowed(path, ctx.download ?? [])) {
        onRefused(`image ${new URL(path).origin} is not in the download domain list`);
        return null;
      }
      const res = await fetchFn(path, { credentials: 'omit', redirect: 'error' });
      const type = res.headers.get('content-type') ?? '';
      if (!res.ok || !type.startsWith('image/')) return null;
      const bytes = new Uint8Array(await res.arrayBuffer());
      return bytes.length <= MAX_REMOTE_IMAGE_BYTES ? bytes : null;
    }
    const p = ctx.pkg;
    if (!p?.has(path) || /\.(js|css|json)$/.test(path)) return null;
    return p.read(path);
  };
}
