// Which decrypted files each realm needs: the logic realm gets every logic module of the main
// package; a page frame gets only its own template, the templates of the components it uses
// (transitively), shared templates/wxs, and the matching CSS. Plaintext stays in memory.

import type { AppManifest } from '../package/manifest.ts';
import type { OpenedPackage } from '../package/open.ts';

const decoder = new TextDecoder();

const isLogicModule = (p: string) => p.endsWith('.js') && !p.endsWith('.wxml.js') && !p.endsWith('.wxs.js');

export async function logicSources(pkg: OpenedPackage): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const p of pkg.paths) if (isLogicModule(p)) out[p] = decoder.decode(await pkg.read(p));
  return out;
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
  const scripts: Record<string, string> = {};
  const wanted = pkg.paths.filter((p) => {
    if (p.endsWith('.wxs.js')) return true;
    if (!p.endsWith('.wxml.js')) return false;
    const owner = p.slice(0, -'.wxml.js'.length);
    // Shared templates (import/include targets) are not owners; owners only when used here.
    return !ownerSet.has(owner) || owners.includes(owner);
  });
  // The page's own template first: it is what the first paint needs.
  wanted.sort((a, b) => Number(b === `${route}.wxml.js`) - Number(a === `${route}.wxml.js`));
  for (const p of wanted) scripts[p] = decoder.decode(await pkg.read(p));
  const css: string[] = [];
  for (const p of ['app.css', ...owners.map((o) => `${o}.css`)])
    if (pkg.has(p)) css.push(decoder.decode(await pkg.read(p)));
  return { scripts, css };
}

/** alias → component path lookup for an owner. */
export function componentResolver(manifest: AppManifest): (owner: string, tag: string) => string | undefined {
  const byPath = new Map(manifest.entries.map((e) => [e.path, e.usingComponents]));
  return (owner, tag) => {
    const using = byPath.get(owner);
    return using && Object.hasOwn(using, tag) ? using[tag] : undefined;
  };
}
