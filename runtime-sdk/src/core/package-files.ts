// Which decrypted files each realm needs: the logic realm gets every logic module of the main
// package; a page frame gets only its own template, the templates of the components it uses
// (transitively), shared templates/wxs, and the matching CSS. Plaintext stays in memory.

import type { AppManifest } from '../package/manifest.ts';
import type { OpenedPackage } from '../package/open.ts';

const decoder = new TextDecoder();

const isLogicModule = (p: string) => p.endsWith('.js') && !p.endsWith('.wxml.js') && !p.endsWith('.wxs.js');

/**
 * path → text of `paths`, decrypted concurrently: each read is two WebCrypto round trips
 * (AES-GCM, SHA-256) that run off the main thread, so a serial loop would mostly wait.
 */
async function readTexts(pkg: OpenedPackage, paths: readonly string[]): Promise<Record<string, string>> {
  const bytes = await Promise.all(paths.map((p) => pkg.read(p)));
  return Object.fromEntries(paths.map((p, i) => [p, decoder.decode(bytes[i])]));
}

export function logicSources(pkg: OpenedPackage): Promise<Record<string, string>> {
  return readTexts(pkg, pkg.paths.filter(isLogicModule));
}

export interface PageFiles {
  /** package path → script text (compiled WXML/wxs modules in define wrappers) */
  scripts: Record<string, string>;
  css: string[];
}

/** Owner paths (page + components it uses, transitively) for one route. */
export function ownersOf(manifest: AppManifest, route: string): string[] {
  const byPath = new Map(manifest.entries.map((e) => [e.path, e]));
  const seen = new Set<string>();
  const walk = (p: string) => {
    if (seen.has(p)) return;
    seen.add(p);
    for (const c of Object.values(byPath.get(p)?.usingComponents ?? {})) walk(c);
  };
  walk(route);
  return [...seen];
}

export async function pageFiles(
  pkg: OpenedPackage,
  manifest: AppManifest,
  route: string,
): Promise<PageFiles> {
  const owners = ownersOf(manifest, route);
  const ownerSet = new Set(manifest.entries.map((e) => e.path));
  const wanted = pkg.paths.filter((p) => {
    if (p.endsWith('.wxs.js')) return true;
    if (!p.endsWith('.wxml.js')) return false;
    const owner = p.slice(0, -'.wxml.js'.length);
    // Shared templates (import/include targets) are not owners; owners only when used here.
    return !ownerSet.has(owner) || owners.includes(owner);
  });
  // The page's own template first: it is what the first paint needs.
  wanted.sort((a, b) => Number(b === `${route}.wxml.js`) - Number(a === `${route}.wxml.js`));
  const cssPaths = ['app.css', ...owners.map((o) => `${o}.css`)].filter((p) => pkg.has(p));
  const [scripts, css] = await Promise.all([readTexts(pkg, wanted), readTexts(pkg, cssPaths)]);
  return { scripts, css: cssPaths.map((p) => css[p] ?? '') };
}

/** alias → component path lookup for an owner. */
export function componentResolver(manifest: AppManifest): (owner: string, tag: string) => string | undefined {
  const byPath = new Map(manifest.entries.map((e) => [e.path, e.usingComponents]));
  return (owner, tag) => {
    const using = byPath.get(owner);
    return using && Object.hasOwn(using, tag) ? using[tag] : undefined;
  };
}

/** Page/component path → its style scope class(es), for externalClasses in the view. */
export function scopeTable(manifest: AppManifest): Record<string, string> {
  return Object.fromEntries(manifest.entries.flatMap((e) => (e.scope ? [[e.path, e.scope]] : [])));
}

/** What a page frame needs of the page's window settings (its own over the app's). */
export interface PageWindow {
  /** how close to the bottom (px) the scroll fires onReachBottom */
  reachBottomDistance: number;
  /** enablePullDownRefresh */
  pullDownRefresh: boolean;
  /** the pull-down indicator's dots: dark (on a light background) or light */
  backgroundTextStyle: 'dark' | 'light';
  /** what the pull reveals behind the page */
  backgroundColor?: string;
}

export function pageWindow(manifest: AppManifest, route: string): PageWindow {
  const own = manifest.entries.find((e) => e.path === route)?.window ?? {};
  const app = manifest.window;
  const backgroundColor = own.backgroundColor ?? app.backgroundColor;
  return {
    reachBottomDistance: own.onReachBottomDistance ?? app.onReachBottomDistance ?? 50,
    pullDownRefresh: own.enablePullDownRefresh ?? app.enablePullDownRefresh ?? false,
    backgroundTextStyle: own.backgroundTextStyle ?? app.backgroundTextStyle ?? 'dark',
    ...(backgroundColor ? { backgroundColor } : {}),
  };
}

/** The title bar text of a page: its own navigationBarTitleText, else the app's. */
export function pageTitle(manifest: AppManifest, route: string): string {
  const own = manifest.entries.find((e) => e.path === route)?.window?.navigationBarTitleText;
  return own ?? manifest.window.navigationBarTitleText ?? '';
}

/** The navigation bar of a page: its own window settings over the app's. */
export function pageBar(
  manifest: AppManifest,
  route: string,
): { background?: string; text?: 'black' | 'white'; custom: boolean } {
  const own = manifest.entries.find((e) => e.path === route)?.window ?? {};
  const app = manifest.window;
  const background = own.navigationBarBackgroundColor ?? app.navigationBarBackgroundColor;
  const text = own.navigationBarTextStyle ?? app.navigationBarTextStyle;
  return {
    ...(background ? { background } : {}),
    ...(text ? { text } : {}),
    custom: (own.navigationStyle ?? app.navigationStyle) === 'custom',
  };
}
