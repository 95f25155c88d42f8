// Where page frames get image bytes: package assets (never code, styles or manifests) and
// remote images from the download domain list only, fetched without credentials.
import { domainAllowed } from '../core/permissions.ts';
import { TEMP_PREFIX, type TempFile } from '../core/temp-files.ts';
import type { OpenedPackage } from '../package/open.ts';
import type { AssetSource } from './page-frame.ts';

export const MAX_REMOTE_IMAGE_BYTES = 10 * 1024 * 1024;

export interface AssetContext {
  pkg?: OpenedPackage;
  download?: string[];
  /** the running mini-program's downloaded files */
  temp?: (path: string) => TempFile | undefined;
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
    if (path.startsWith(TEMP_PREFIX)) {
      const f = ctx.temp?.(path);
      return f?.type.startsWith('image/') ? f.bytes : null;
    }
    const p = ctx.pkg;
    if (!p?.has(path) || /\.(js|css|json)$/.test(path)) return null;
    return p.read(path);
  };
}

const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
};

const typeOf = (path: string): string | undefined =>
  IMAGE_TYPES[path.slice(path.lastIndexOf('.') + 1).toLowerCase()];

/** An object URL of the host document for `path`'s bytes (`type` '' lets the browser sniff). */
async function objectUrl(assets: AssetSource, path: string, type: string): Promise<string | undefined> {
  const bytes = await assets(path).catch(() => null);
  return bytes ? URL.createObjectURL(new Blob([bytes as BlobPart], type ? { type } : {})) : undefined;
}

/** An object URL of the host document for a package image (the tab bar's icons); the caller revokes it. */
export async function imageUrl(assets: AssetSource, path: string): Promise<string | undefined> {
  const type = typeOf(path);
  return type ? objectUrl(assets, path, type) : undefined;
}

/**
 * An object URL of the host document for an image the mini-program names (a package path, a
 * wxfile:// file or an https URL of its download list), for wx.previewImage; undefined when it
 * cannot be shown. The caller revokes it.
 */
export function previewUrl(assets: AssetSource, path: string): Promise<string | undefined> {
  const clean = /^(https:|wxfile:)/i.test(path) ? path : path.replace(/^\/+/, '');
  return objectUrl(assets, clean, typeOf(clean) ?? '');
}
