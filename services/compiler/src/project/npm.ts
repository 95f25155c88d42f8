// Module and component resolution the way WeChat's "build npm" lays packages out: a bare
// specifier ("lib", "lib/sub/file", "@scope/lib/button/index") is looked up in `miniprogram_npm/`
// folders from the requiring file's folder up to the package root. Inside a package, the
// `miniprogram` (or `miniprogramRoot`) field of its package.json names the folder that holds the
// mini-program files, and `main` (else `index`) is the entry for the package name alone.
// A specifier WeChat resolves next to the requiring file ("util.js", "utils/util") wins over a
// package of the same name, as in WeChat.
import { dirname, resolvePackagePath } from '../wxml/paths.ts';
import { type SourceTree, textOf } from './source-tree.ts';

export const NPM_DIR = 'miniprogram_npm';

/** True for "lib", "lib/x", "@scope/lib" (not "./x", "../x", "/x"). */
export function isBareSpecifier(spec: string): boolean {
  return !spec.startsWith('.') && !spec.startsWith('/') && !/^[a-z][a-z0-9+.-]*:/i.test(spec);
}

/** "@scope/lib/a/b" → { name: "@scope/lib", sub: "a/b" }; null when it cannot name a package. */
export function splitPackageSpecifier(spec: string): { name: string; sub: string } | null {
  const parts = spec.split('/');
  const n = spec.startsWith('@') ? 2 : 1;
  if (parts.length < n || parts.slice(0, n).some((p) => p === '' || p === '.' || p === '..')) return null;
  return { name: parts.slice(0, n).join('/'), sub: parts.slice(n).join('/') };
}

export interface NpmLookup {
  /** Package folder found, or null. */
  dir: string | null;
  /** The miniprogram_npm folders that were searched (for error messages). */
  searched: string[];
}

const JS_EXTENSIONS = ['.js', '.ts'];

export class PackageResolver {
  private readonly dirs = new Set<string>();
  private readonly roots = new Map<string, string>();
  private readonly tree: SourceTree;

  constructor(tree: SourceTree) {
    this.tree = tree;
    for (const path of tree.keys()) {
      let d = dirname(path);
      while (d && !this.dirs.has(d)) {
        this.dirs.add(d);
        d = dirname(d);
      }
    }
  }

  isDir(path: string): boolean {
    return this.dirs.has(path);
  }

  /** Finds package `name` in miniprogram_npm/ folders from `fromFile`'s folder upwards. */
  findPackage(fromFile: string, name: string): NpmLookup {
    const searched: string[] = [];
    let dir = dirname(fromFile);
    for (;;) {
      const npm = dir ? `${dir}/${NPM_DIR}` : NPM_DIR;
      searched.push(npm);
      const candidate = `${npm}/${name}`;
      if (this.dirs.has(candidate)) return { dir: candidate, searched };
      if (!dir) return { dir: null, searched };
      dir = dirname(dir);
    }
  }

  private packageJson(pkgDir: string): { main?: unknown; miniprogram?: unknown; miniprogramRoot?: unknown } {
    try {
      const text = textOf(this.tree, `${pkgDir}/package.json`);
      const value: unknown = text === undefined ? {} : JSON.parse(text);
      return typeof value === 'object' && value !== null ? value : {};
    } catch {
      return {};
    }
  }

  /** The folder of a package that holds its mini-program files (`miniprogram` field, else itself). */
  contentRoot(pkgDir: string): string {
    let root = this.roots.get(pkgDir);
    if (root === undefined) {
      const pkg = this.packageJson(pkgDir);
      const field = [pkg.miniprogram, pkg.miniprogramRoot].find((f): f is string => typeof f === 'string');
      const sub = field ? resolvePackagePath(`${pkgDir}/package.json`, field) : null;
      root = sub?.startsWith(`${pkgDir}/`) && this.dirs.has(sub) ? sub : pkgDir;
      this.roots.set(pkgDir, root);
    }
    return root;
  }

  /** Entry candidates (without extension handling) for the package name alone. */
  private entries(pkgDir: string): string[] {
    const root = this.contentRoot(pkgDir);
    const { main } = this.packageJson(pkgDir);
    const out: string[] = [];
    if (typeof main === 'string' && main) {
      for (const base of [pkgDir, root]) {
        const p = resolvePackagePath(`${base}/package.json`, main);
        if (p?.startsWith(`${pkgDir}/`)) out.push(p);
      }
    }
    out.push(`${root}/index`);
    return [...new Set(out)];
  }

  /** The source file a JS base path names: itself, + .js/.ts, or its index.js/ts; a .json file. */
  scriptFile(base: string): string | null {
    if (base.endsWith('.json')) return this.tree.has(base) ? base : null;
    const candidates = /\.(js|ts)$/.test(base)
      ? [base, ...JS_EXTENSIONS.map((e) => `${base}${e}`)]
      : [...JS_EXTENSIONS.map((e) => `${base}${e}`), ...JS_EXTENSIONS.map((e) => `${base}/index${e}`)];
    return candidates.find((c) => this.tree.has(c) && !c.endsWith('.d.ts')) ?? null;
  }

  /**
   * The source file a JS `require(spec)` in `fromFile` loads, or null. Relative and "/"
   * specifiers resolve against the file; a bare one first next to the file, then as a package.
   */
  resolveScript(fromFile: string, spec: string): { file: string; viaNpm: boolean } | null {
    const local = resolvePackagePath(fromFile, spec);
    const direct = local ? this.scriptFile(local) : null;
    if (direct || !isBareSpecifier(spec)) return direct ? { file: direct, viaNpm: false } : null;
    const parts = splitPackageSpecifier(spec);
    if (!parts) return null;
    const { dir } = this.findPackage(fromFile, parts.name);
    if (!dir) return null;
    const bases = parts.sub
      ? [`${this.contentRoot(dir)}/${parts.sub}`, `${dir}/${parts.sub}`]
      : this.entries(dir);
    for (const b of bases) {
      const file = this.scriptFile(b);
      if (file) return { file, viaNpm: true };
    }
    return null;
  }

  private isComponent(base: string): boolean {
    return this.tree.has(`${base}.json`) || this.tree.has(`${base}.wxml`);
  }

  /**
   * The page/component path (without extension) a usingComponents entry names, or null.
   * Relative (also without "./") first, then miniprogram_npm for a bare specifier.
   */
  resolveComponent(fromJson: string, spec: string): string | null {
    const local = resolvePackagePath(fromJson, spec);
    if (local) {
      if (this.isComponent(local)) return local;
      if (this.isComponent(`${local}/index`)) return `${local}/index`;
    }
    if (!isBareSpecifier(spec)) return null;
    const parts = splitPackageSpecifier(spec);
    if (!parts) return null;
    const { dir } = this.findPackage(fromJson, parts.name);
    if (!dir) return null;
    const root = this.contentRoot(dir);
    const bases = parts.sub
      ? [`${root}/${parts.sub}`, `${dir}/${parts.sub}`]
      : this.entries(dir).map((e) => e.replace(/\.(js|ts|json|wxml)$/, ''));
    for (const b of bases) {
      if (this.isComponent(b)) return b;
      if (this.isComponent(`${b}/index`)) return `${b}/index`;
    }
    return null;
  }
}

/** What to tell a developer whose bare specifier matched nothing. */
export function npmHint(name: string): string {
  return `run "Build npm" in WeChat DevTools (Tools → Build npm) so that ${NPM_DIR}/${name} exists, or copy the package's mini-program files there, or fix the path`;
}

/** The package a path inside miniprogram_npm/ belongs to ("a/miniprogram_npm/@s/x/y" → "@s/x"). */
export function packageNameInPath(path: string): string | null {
  const segs = path.split('/');
  const i = segs.lastIndexOf(NPM_DIR);
  if (i < 0 || i + 1 >= segs.length) return null;
  return splitPackageSpecifier(segs.slice(i + 1).join('/'))?.name ?? null;
}
