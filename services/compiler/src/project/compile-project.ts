// Compiles a whole mini-program source tree into package files (one artifact for the main
// package and one per subpackage), the app manifest and a machine-readable compile report.
// Output is deterministic: files are visited in sorted order and nothing depends on time,
// file-system order or randomness.
import {
  type AppManifest,
  AppManifestSchema,
  type ComponentEntry,
  MANIFEST_FILE,
  TabBarSchema,
  type WindowConfig,
  WindowConfigSchema,
} from '@tessera/runtime-sdk/package';
import {
  type CompatEntry,
  CompatReporter,
  CompileError,
  type CompileErrorJson,
  cmp,
  type SourcePosition,
} from '../errors.ts';
import {
  compileScript,
  DEFAULT_SCRIPT_OPTIONS,
  linkRequires,
  locateSpecifier,
  minifyModule,
} from '../js/script.ts';
import { compileWxsAsync } from '../js/wxs.ts';
import { COMPILER_VERSION } from '../version.ts';
import { compileWxml, moduleId } from '../wxml/codegen.ts';
import { resolvePackagePath } from '../wxml/paths.ts';
import { PRELUDE_MODULE, PRELUDE_PATH } from '../wxml/prelude.ts';
import { compileWxss } from '../wxss/compile.ts';
import {
  APP_FATAL_KEYS,
  AppJsonSchema,
  KNOWN_APP_KEYS,
  OWNER_FATAL_KEYS,
  OWNER_JSON_KEYS,
  type OwnerJson,
  OwnerJsonSchema,
  PROJECT_CONFIG_KEYS,
} from './app-json.ts';
import { type CompileCache, hashBytes } from './cache.ts';
import { applyTheme, lightTheme, parseLenient, reportUnknownKeys } from './config-fields.ts';
import {
  isBareSpecifier,
  npmHint,
  PackageResolver,
  packageNameInPath,
  splitPackageSpecifier,
} from './npm.ts';
import {
  isIgnoredSource,
  locate,
  miniprogramRootOf,
  packExclusions,
  parseJsonFile,
  type SourceTree,
  textOf,
} from './source-tree.ts';

export const APP_SCOPE = 't-app';

export interface CompileOptions {
  minify?: boolean;
  /** Reuse per-file results across compiles (warm builds). */
  cache?: CompileCache;
}

export interface Artifact {
  /** "main" or "sub-<root with / replaced by _>". */
  name: string;
  /** Subpackage root, or null for the main package. */
  root: string | null;
  /** Package path → bytes, sorted by path. */
  files: Map<string, Uint8Array>;
}

export interface CompileReport {
  compilerVersion: string;
  pages: string[];
  components: string[];
  subpackages: Array<{ root: string; artifact: string; pages: string[]; files: number; bytes: number }>;
  main: { files: number; bytes: number };
  source: { files: number; bytes: number; ignored: string[] };
  warnings: CompatEntry[];
}

export interface CompileResult {
  artifacts: Artifact[];
  manifest: AppManifest;
  report: CompileReport;
  /** Output path of each logic module → its source map (developer use; never packaged). */
  sourceMaps: Map<string, string>;
  /** What each source file and page/component depends on (see DependencyGraph). */
  graph: DependencyGraph;
}

/**
 * Source path → the source paths it uses. Pages and components are nodes of their own, named
 * `#<path>` (e.g. `#pages/index/index`), depending on their files and on the components they
 * use; `#app` is app.json, app.js/ts, app.wxss and the global components.
 */
export type DependencyGraph = Map<string, Set<string>>;

export const APP_NODE = '#app';
export const ownerNode = (path: string): string => `#${path}`;

/** All errors found in one compile (the build stops after collecting them). */
export class CompileFailure extends Error {
  readonly errors: CompileError[];
  readonly warnings: CompatEntry[];
  /** What was known of the dependencies when the compile stopped (empty for config errors). */
  readonly graph: DependencyGraph;
  constructor(errors: CompileError[], warnings: CompatEntry[], graph: DependencyGraph = new Map()) {
    super(
      `${errors.length} compile error${errors.length === 1 ? '' : 's'}:\n${errors
        .slice(0, 20)
        .map((e) => `  ${e.message}`)
        .join('\n')}`,
    );
    this.name = 'CompileFailure';
    this.errors = errors;
    this.warnings = warnings;
    this.graph = graph;
  }
  toJSON(): { errors: CompileErrorJson[] } {
    return { errors: this.errors.map((e) => e.toJSON()) };
  }
}

interface Owner {
  path: string;
  kind: 'page' | 'component';
  json: OwnerJson;
  jsonPath: string;
  usingComponents: Map<string, string>;
  scope: string;
  scopeClass: string;
  script: string;
  /** A page's window fields (from its json). */
  window: WindowConfig | undefined;
  /** Component tags of its template: usingComponents aliases and componentGenerics names. */
  tags: string[];
}

const textEncoder = new TextEncoder();

function stripSlashes(p: string): string {
  return p.replace(/^\/+/, '').replace(/\/+$/, '');
}

function origin0(): { line: number; column: number } {
  return { line: 1, column: 1 };
}

export function scopeOf(path: string): string {
  return `t-${hashBytes(path).slice(0, 8)}`;
}

export async function compileProject(
  project: SourceTree,
  options: CompileOptions = {},
): Promise<CompileResult> {
  const { root: miniprogramRoot, tree: input } = project.has('app.json')
    ? { root: '', tree: project }
    : miniprogramRootOf(project);
  const { excluded, skipped } = packExclusions(project, miniprogramRoot);
  const compat = new CompatReporter();
  const errors: CompileError[] = [];
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof CompileError) {
        errors.push(e);
        return undefined;
      }
      throw e;
    }
  };
  const graph: DependencyGraph = new Map();
  const dep = (from: string, to: string): void => {
    const set = graph.get(from);
    if (set) set.add(to);
    else graph.set(from, new Set([to]));
  };
  const fail = (): never => {
    throw new CompileFailure(
      errors.sort((a, b) => cmp(a.file, b.file) || a.line - b.line || a.column - b.column),
      compat.sorted(),
      graph,
    );
  };

  if ([...input.keys()].some((p) => p.startsWith('__tessera/'))) {
    throw new CompileFailure(
      [
        new CompileError(
          'APP_CONFIG',
          '__tessera',
          origin0(),
          'the folder "__tessera/" is reserved for compiler output',
          'rename it',
        ),
      ],
      [],
    );
  }
  const ignored: string[] = [];
  const tree = new Map<string, Uint8Array>();
  for (const path of [...input.keys()].sort()) {
    if (isIgnoredSource(path) || excluded(path)) ignored.push(path);
    else tree.set(path, input.get(path) as Uint8Array);
  }
  const hashes = new Map<string, string>();
  const hashOf = (p: string): string | undefined => {
    const b = tree.get(p);
    if (!b) return undefined;
    let h = hashes.get(p);
    if (!h) {
      h = hashBytes(b);
      hashes.set(p, h);
    }
    return h;
  };
  const read = (p: string): string | undefined => textOf(tree, p);
  const origin = { line: 1, column: 1 };

  checkProjectConfig(project, compat);
  for (const pattern of skipped)
    compat.add(
      'project.config.json',
      locate(textOf(project, 'project.config.json'), JSON.stringify(pattern).slice(1, -1)),
      'config:packOptions.ignore',
      `regexp rule "${pattern}" is not applied (patterns from a source tree are not run); the files it names are compiled — use a folder, file, suffix, prefix or glob rule`,
    );

  // ---- app.json ----
  if (!tree.has('app.json')) {
    throw new CompileFailure(
      [
        new CompileError(
          'MISSING_FILE',
          'app.json',
          origin,
          'app.json is missing',
          'add app.json at the root of the source tree',
        ),
      ],
      [],
    );
  }
  const appText = read('app.json');
  const rawApp = attempt(() => parseJsonFile(tree, 'app.json'));
  if (errors.length) fail();
  const appCtx = { file: 'app.json', text: appText, compat };
  const parsedApp = parseLenient(AppJsonSchema, rawApp, { ...appCtx, at: '' }, APP_FATAL_KEYS);
  if (parsedApp.fatal || !parsedApp.data) {
    const issue = parsedApp.fatal;
    const key = String(issue?.path[0] ?? '');
    const missingPages = key === 'pages' && !Array.isArray((rawApp as { pages?: unknown } | null)?.pages);
    throw new CompileFailure(
      [
        new CompileError(
          'APP_CONFIG',
          'app.json',
          locate(appText, `"${key}"`),
          missingPages
            ? 'app.json has no "pages" list'
            : `${issue?.path.join('.') || 'app.json'}: ${issue?.message}`,
          missingPages ? 'list the pages, e.g. "pages": ["pages/index/index"]' : 'see the app.json reference',
        ),
      ],
      compat.sorted(),
    );
  }
  const app = parsedApp.data;
  for (const key of Object.keys(app).sort()) {
    if (!KNOWN_APP_KEYS.has(key)) {
      compat.add(
        'app.json',
        locate(appText, `"${key}"`),
        `app.json:${key}`,
        `"${key}" is not supported by Tessera and is ignored`,
      );
    }
  }
  // Dark mode variables ("@name") take the light theme's values from theme.json.
  const themePath = stripSlashes(typeof app.themeLocation === 'string' ? app.themeLocation : 'theme.json');
  const theme = lightTheme(read(themePath));
  if (app.darkmode === true) {
    compat.add(
      'app.json',
      locate(appText, '"darkmode"'),
      'darkmode',
      theme
        ? `"darkmode": "@" variables take their light values from ${themePath}; the dark theme is not applied yet`
        : `"darkmode": no ${themePath} with a "light" theme; "@" variables are left as they are`,
    );
  }
  const window = parseLenient(WindowConfigSchema, applyTheme(app.window ?? {}, theme), {
    ...appCtx,
    at: 'window',
  });
  let tabBar: AppManifest['tabBar'];
  if (app.tabBar) {
    const tb = parseLenient(
      TabBarSchema,
      applyTheme(app.tabBar, theme),
      { ...appCtx, at: 'tabBar' },
      new Set(['list']),
    );
    if (tb.fatal || !tb.data) {
      const issue = tb.fatal;
      errors.push(
        new CompileError(
          'APP_CONFIG',
          'app.json',
          locate(appText, '"tabBar"'),
          `tabBar.${issue?.path.join('.')}: ${issue?.message}`,
          'tabBar needs 2 to 5 items with pagePath and text',
        ),
      );
    } else {
      tabBar = tb.data;
    }
  }

  const mainPages = app.pages.map(stripSlashes);
  const subDefs = [...(app.subpackages ?? []), ...(app.subPackages ?? [])];
  const subpackages = subDefs.map((s) => {
    const root = stripSlashes(s.root);
    return {
      root,
      name: s.name,
      independent: s.independent ?? false,
      pages: s.pages.map((p) => `${root}/${stripSlashes(p)}`),
      artifact: `sub-${root.replace(/\//g, '_')}`,
    };
  });
  const allPages = [...mainPages, ...subpackages.flatMap((s) => s.pages)];
  const dup = allPages.find((p, i) => allPages.indexOf(p) !== i);
  if (dup)
    errors.push(
      new CompileError('APP_CONFIG', 'app.json', locate(appText, dup), `page "${dup}" is listed twice`),
    );
  for (const s of subpackages) {
    if (subpackages.some((o) => o !== s && (o.root === s.root || o.root.startsWith(`${s.root}/`)))) {
      errors.push(
        new CompileError(
          'APP_CONFIG',
          'app.json',
          locate(appText, s.root),
          `subpackage root "${s.root}" overlaps another subpackage`,
        ),
      );
    }
    if (mainPages.some((p) => p.startsWith(`${s.root}/`))) {
      errors.push(
        new CompileError(
          'APP_CONFIG',
          'app.json',
          locate(appText, s.root),
          `main package pages must not live under subpackage root "${s.root}"`,
        ),
      );
    }
  }
  const entryPagePath = app.entryPagePath ? stripSlashes(app.entryPagePath) : (mainPages[0] ?? '');
  if (!allPages.includes(entryPagePath)) {
    errors.push(
      new CompileError(
        'APP_CONFIG',
        'app.json',
        locate(appText, '"entryPagePath"'),
        `entryPagePath "${entryPagePath}" is not a page`,
      ),
    );
  }
  const preloadRule: AppManifest['preloadRule'] = {};
  for (const [page, rule] of Object.entries(app.preloadRule ?? {}).sort(([a], [b]) => cmp(a, b))) {
    const packages = rule.packages
      .map((p) => {
        const sp = subpackages.find((s) => s.name === p || s.root === stripSlashes(p));
        if (!sp)
          compat.add(
            'app.json',
            locate(appText, `"${p}"`),
            'config:preloadRule',
            `preloadRule for "${page}" names unknown subpackage "${p}"; it is not preloaded`,
          );
        return sp?.artifact;
      })
      .filter((p): p is string => p !== undefined);
    preloadRule[stripSlashes(page)] = rule.network ? { network: rule.network, packages } : { packages };
  }

  // ---- pages and components ----
  const scriptOf = (base: string): string | undefined =>
    tree.has(`${base}.ts`) ? `${base}.ts` : tree.has(`${base}.js`) ? `${base}.js` : undefined;
  // Less/Sass sources are compiled by WeChat's developer tool (setting.useCompilerPlugins), not
  // by Tessera: a page or component with only those has no styles here.
  const reportPreprocessedStyle = (base: string): void => {
    if (tree.has(`${base}.wxss`)) return;
    const source = ['less', 'scss', 'sass', 'styl'].map((e) => `${base}.${e}`).find((f) => tree.has(f));
    if (source)
      compat.add(
        source,
        origin,
        'wxss:preprocessor',
        `${source} is not compiled by Tessera, so ${base} has no styles — compile it to ${base}.wxss before uploading`,
      );
  };
  reportPreprocessedStyle('app');
  const owners = new Map<string, Owner>();
  const packages = new PackageResolver(tree);
  const reportedSpecs = new Set<string>();
  const queue: Array<{ path: string; kind: 'page' | 'component'; from: string; needle: string }> =
    allPages.map((p) => ({
      path: p,
      kind: 'page',
      from: 'app.json',
      needle: p,
    }));
  const globalComponents = Object.entries(app.usingComponents ?? {}).sort(([a], [b]) => cmp(a, b));
  for (const f of ['app.json', 'app.js', 'app.ts', 'app.wxss']) if (tree.has(f)) dep(APP_NODE, f);
  for (const [alias, spec] of globalComponents) {
    const path = resolveComponent('app.json', spec);
    if (path) {
      queue.push({ path, kind: 'component', from: 'app.json', needle: alias });
      dep(APP_NODE, ownerNode(path));
    }
  }
  function resolveComponent(fromJson: string, spec: string): string | null {
    if (spec.startsWith('plugin://') || spec.startsWith('plugin-private://')) {
      compat.add(
        fromJson,
        locate(read(fromJson), spec),
        'plugin',
        `plugin component "${spec}" is not supported; it is not rendered`,
      );
      return null;
    }
    const found = packages.resolveComponent(fromJson, spec);
    if (found) return found;
    const path = resolvePackagePath(fromJson, spec);
    const pkg = isBareSpecifier(spec) ? splitPackageSpecifier(spec) : null;
    if (pkg && !packages.isDir(path ?? '')) {
      const { dir, searched } = packages.findPackage(fromJson, pkg.name);
      const key = `${fromJson}\0${spec}`;
      if (!reportedSpecs.has(key)) {
        reportedSpecs.add(key);
        errors.push(
          new CompileError(
            'NPM_RESOLVE',
            fromJson,
            locate(read(fromJson), `"${spec}"`),
            dir
              ? `component "${spec}": package "${pkg.name}" (${dir}) has no component "${pkg.sub || 'index'}"`
              : `component "${spec}": no file "${path ?? spec}" and no package "${pkg.name}" in ${searched.join(', ')}`,
            npmHint(pkg.name),
          ),
        );
      }
      return null;
    }
    if (!path) {
      errors.push(
        new CompileError(
          'APP_CONFIG',
          fromJson,
          locate(read(fromJson), spec),
          `component path "${spec}" points outside the package`,
        ),
      );
      return null;
    }
    return path;
  }
  while (queue.length > 0) {
    const item = queue.shift();
    if (!item || owners.has(item.path)) continue;
    const { path, kind } = item;
    const node = ownerNode(path);
    reportPreprocessedStyle(path);
    for (const ext of ['wxml', 'wxss', 'js', 'ts', 'json'])
      if (tree.has(`${path}.${ext}`)) dep(node, `${path}.${ext}`);
    const missing = ['wxml'].filter((ext) => !tree.has(`${path}.${ext}`));
    const script = scriptOf(path);
    if (missing.length || !script) {
      const what = [...missing.map((e) => `${path}.${e}`), ...(script ? [] : [`${path}.js (or .ts)`])].join(
        ', ',
      );
      errors.push(
        new CompileError(
          'MISSING_FILE',
          item.from,
          locate(read(item.from), item.needle),
          `${kind} "${path}" is missing ${what}`,
          packageNameInPath(path)
            ? npmHint(packageNameInPath(path) ?? '')
            : `create the file or fix the path in ${item.from}`,
          path,
        ),
      );
      continue;
    }
    if (tree.has(`${path}.js`) && tree.has(`${path}.ts`)) {
      errors.push(
        new CompileError(
          'MISSING_FILE',
          `${path}.ts`,
          origin,
          `both ${path}.js and ${path}.ts exist`,
          'keep only one',
        ),
      );
    }
    const jsonPath = `${path}.json`;
    const rawJson = tree.has(jsonPath) ? attempt(() => parseJsonFile(tree, jsonPath)) : {};
    const jsonText = read(jsonPath);
    const parsed = parseLenient(
      OwnerJsonSchema,
      rawJson ?? {},
      { file: jsonPath, text: jsonText, at: '', compat },
      OWNER_FATAL_KEYS,
    );
    if (parsed.fatal || !parsed.data) {
      const issue = parsed.fatal;
      errors.push(
        new CompileError(
          'APP_CONFIG',
          jsonPath,
          locate(jsonText, `"${String(issue?.path[0] ?? '')}"`),
          `${issue?.path.join('.')}: ${issue?.message}`,
          'usingComponents maps tag names to component paths (strings)',
        ),
      );
      continue;
    }
    const json = parsed.data;
    reportUnknownKeys(json, OWNER_JSON_KEYS, {
      file: jsonPath,
      text: jsonText,
      compat,
      what: kind === 'page' ? 'page json' : 'component json',
    });
    let window: WindowConfig | undefined;
    if (kind === 'page') {
      const { usingComponents: _u, component: _c, styleIsolation: _s, ...win } = json;
      const w = parseLenient(
        WindowConfigSchema,
        applyTheme(Object.fromEntries(Object.entries(win).filter(([k]) => OWNER_JSON_KEYS.has(k))), theme),
        { file: jsonPath, text: jsonText, at: '', compat },
      );
      if (w.data && Object.keys(w.data).length) window = w.data;
    }
    if (kind === 'component' && json.component !== true) {
      errors.push(
        new CompileError(
          'APP_CONFIG',
          jsonPath,
          origin,
          `"${path}" is used as a component but its json lacks "component": true`,
          'add "component": true',
        ),
      );
    }
    const usingComponents = new Map<string, string>();
    for (const [alias, spec] of globalComponents) {
      const p = resolveComponent('app.json', spec);
      if (p) usingComponents.set(alias, p);
    }
    for (const [alias, spec] of Object.entries(json.usingComponents ?? {}).sort(([a], [b]) => cmp(a, b))) {
      const p = resolveComponent(jsonPath, spec);
      if (!p) continue;
      usingComponents.set(alias, p);
      dep(node, ownerNode(p));
      queue.push({ path: p, kind: 'component', from: jsonPath, needle: spec });
    }
    // componentGenerics: each name is a component tag in this template, filled by the user's
    // generic:name="…"; a default (if any) is the usingComponents entry used otherwise.
    const generics = new Set<string>();
    for (const [name, decl] of Object.entries(json.componentGenerics ?? {}).sort(([a], [b]) => cmp(a, b))) {
      generics.add(name);
      const fallback = typeof decl === 'object' ? decl.default : undefined;
      if (!fallback) continue;
      const p = resolveComponent(jsonPath, fallback);
      if (!p) continue;
      usingComponents.set(name, p);
      dep(node, ownerNode(p));
      queue.push({ path: p, kind: 'component', from: jsonPath, needle: fallback });
    }
    const scope = scopeOf(path);
    const shared =
      kind === 'page' || json.styleIsolation === 'apply-shared' || json.styleIsolation === 'shared';
    owners.set(path, {
      path,
      kind,
      json,
      jsonPath,
      usingComponents,
      scope,
      scopeClass: shared ? `${APP_SCOPE} ${scope}` : scope,
      script,
      window,
      tags: [...new Set([...usingComponents.keys(), ...generics])].sort(),
    });
  }

  // ---- per-file compilation ----
  const cache = options.cache;
  const minify = options.minify ?? true;
  const out = new Map<string, Uint8Array>();
  const sourceMaps = new Map<string, string>();
  const ownerTemplate = new Map<string, Owner>([...owners.values()].map((o) => [`${o.path}.wxml`, o]));
  const ownerStyle = new Map<string, Owner>([...owners.values()].map((o) => [`${o.path}.wxss`, o]));
  const ownerJson = new Set([...owners.values()].map((o) => o.jsonPath));
  const scripts: Array<Promise<void>> = [];
  const unresolved: CompileError[] = [];
  const jsonModules = new Set<string>();

  // Records what a file read as it reads it, so the graph is complete even when it fails.
  const tracked = (deps: Map<string, string | undefined>, from: string) => (p: string) => {
    deps.set(p, hashOf(p));
    if (p !== from) dep(from, p);
    return read(p);
  };

  for (const path of tree.keys()) {
    if (path === 'app.json' || ownerJson.has(path)) continue;
    if (path.endsWith('.wxml')) {
      attempt(() => {
        const owner = ownerTemplate.get(path);
        const key = `wxml\0${path}\0${hashOf(path)}\0${minify}\0${owner?.scopeClass ?? ''}\0${owner ? owner.tags.join(',') : ''}`;
        const cached = cache?.get<{ code: string; warnings: CompatEntry[]; deps: string[] }>(key, hashOf);
        if (cached) {
          out.set(`${path}.js`, textEncoder.encode(cached.code));
          for (const w of cached.warnings) compat.entries.push(w);
          for (const d of cached.deps) dep(path, d);
          return;
        }
        const deps = new Map<string, string | undefined>([[path, hashOf(path)]]);
        const local = new CompatReporter();
        // Inline <wxs> is compiled asynchronously afterwards (no synchronous esbuild service):
        // the generator gets a placeholder comment that is replaced below.
        const inline: Array<{ token: string; code: string; file: string; pos: SourcePosition }> = [];
        const res = compileWxml({
          file: path,
          source: read(path) ?? '',
          ...(owner ? { owner: { scopeClass: owner.scopeClass, components: new Set(owner.tags) } } : {}),
          readText: tracked(deps, path),
          compileWxs: (code, file, pos) => {
            const token = `/*__tessera_inline_wxs_${inline.length}__*/`;
            inline.push({ token, code, file, pos });
            return token;
          },
          compat: local,
          sharedPrelude: true,
        });
        compat.entries.push(...local.entries);
        for (const d of res.requires) dep(path, d);
        const uses = [...(graph.get(path) ?? [])].sort();
        scripts.push(
          (async () => {
            let code = res.code;
            for (const i of inline) {
              const wxs = await compileWxsAsync(i.code, i.file, i.pos);
              const missing = wxs.requires.find((dep) => !tree.has(dep));
              if (missing)
                throw new CompileError(
                  'WXS_SYNTAX',
                  i.file,
                  i.pos,
                  `require of "/${missing}": file not found`,
                  'fix the path',
                );
              code = code.replace(i.token, () => wxs.code);
            }
            if (minify) code = await minifyModule(code, path);
            out.set(`${path}.js`, textEncoder.encode(code));
            cache?.set(key, { code, warnings: local.entries, deps: uses }, [...deps]);
          })().catch((e: unknown) => {
            if (e instanceof CompileError) errors.push(e);
            else throw e;
          }),
        );
      });
    } else if (path.endsWith('.wxss')) {
      const owner = ownerStyle.get(path);
      if (!owner && path !== 'app.wxss') continue; // only reachable through @import
      attempt(() => {
        const scope = owner ? owner.scope : APP_SCOPE;
        const key = `wxss\0${path}\0${hashOf(path)}\0${scope}`;
        const outPath = `${path.slice(0, -5)}.css`;
        const cached = cache?.get<{ css: string; warnings: CompatEntry[]; deps: string[] }>(key, hashOf);
        if (cached) {
          out.set(outPath, textEncoder.encode(cached.css));
          compat.entries.push(...cached.warnings);
          for (const d of cached.deps) dep(path, d);
          return;
        }
        const deps = new Map<string, string | undefined>([[path, hashOf(path)]]);
        const local = new CompatReporter();
        const css = compileWxss({
          file: path,
          source: read(path) ?? '',
          readText: tracked(deps, path),
          scope,
          compat: local,
        });
        compat.entries.push(...local.entries);
        out.set(outPath, textEncoder.encode(css));
        const uses = [...(graph.get(path) ?? [])].sort();
        cache?.set(key, { css, warnings: local.entries, deps: uses }, [...deps]);
      });
    } else if (path.endsWith('.wxs')) {
      const key = `wxs\0${path}\0${hashOf(path)}`;
      const cached = cache?.get<string>(key, hashOf);
      const job = (
        cached !== undefined
          ? Promise.resolve(cached)
          : compileWxsAsync(read(path) ?? '', path).then((res) => {
              for (const dep of res.requires) {
                if (!tree.has(dep)) {
                  throw new CompileError(
                    'WXS_SYNTAX',
                    path,
                    origin,
                    `require of "/${dep}": file not found`,
                    'fix the path',
                  );
                }
              }
              const code = `__tesseraDefine(${JSON.stringify(moduleId(path))}, function (module, exports, require) {\n${res.code}});\n`;
              cache?.set(key, code, [[path, hashOf(path)]]);
              return code;
            })
      ).then(
        (code) => {
          out.set(`${path}.js`, textEncoder.encode(code));
        },
        (e: unknown) => {
          if (e instanceof CompileError) errors.push(e);
          else throw e;
        },
      );
      scripts.push(job);
    } else if ((path.endsWith('.js') || path.endsWith('.ts')) && !path.endsWith('.d.ts')) {
      const outPath = path.endsWith('.ts') ? `${path.slice(0, -3)}.js` : path;
      if (path.endsWith('.js') && tree.has(`${path.slice(0, -3)}.ts`)) continue; // reported above for owners
      const key = `js\0${path}\0${hashOf(path)}\0${minify}`;
      const cached = cache?.get<{ code: string; map: string; requires: string[] }>(key, hashOf);
      const job = (
        cached
          ? Promise.resolve(cached)
          : compileScript(read(path) ?? '', path, moduleId(outPath), { ...DEFAULT_SCRIPT_OPTIONS, minify })
      ).then(
        (res) => {
          if (!cached) cache?.set(key, res, [[path, hashOf(path)]]);
          const linked: Record<string, string> = {};
          for (const spec of res.requires) {
            const found = packages.resolveScript(path, spec);
            if (found) {
              dep(path, found.file);
              // require("./x.json") loads the module x.json.js, which the runtime finds first
              if (found.file.endsWith('.json')) jsonModules.add(found.file);
              // Bare specifiers become module ids here; the runtime only resolves relative ones.
              if (isBareSpecifier(spec))
                linked[spec] = moduleId(found.file.replace(/\.ts$/, '.js').replace(/\.json$/, '.json.js'));
              continue;
            }
            const at = locateSpecifier(read(path), spec);
            if (isBareSpecifier(spec)) {
              const pkg = splitPackageSpecifier(spec);
              const lookup = pkg ? packages.findPackage(path, pkg.name) : { dir: null, searched: [] };
              unresolved.push(
                new CompileError(
                  'NPM_RESOLVE',
                  path,
                  at,
                  lookup.dir
                    ? `require("${spec}"): package "${pkg?.name}" (${lookup.dir}) has no file "${pkg?.sub || 'index.js'}"`
                    : `require("${spec}"): no file "${resolvePackagePath(path, spec) ?? spec}(.js)" next to ${path} and no package "${pkg?.name ?? spec}" in ${lookup.searched.join(', ')}`,
                  npmHint(pkg?.name ?? spec),
                ),
              );
              continue;
            }
            const inPackage = packageNameInPath(resolvePackagePath(path, spec) ?? '');
            compat.add(
              path,
              at,
              'require:missing',
              `require("${spec}") does not match a file in the package; it fails at run time${inPackage ? ` — ${npmHint(inPackage)}` : ''}`,
            );
          }
          out.set(outPath, textEncoder.encode(linkRequires(res.code, linked)));
          sourceMaps.set(outPath, res.map);
        },
        (e: unknown) => {
          if (e instanceof CompileError) errors.push(e);
          else throw e;
        },
      );
      scripts.push(job);
    } else {
      out.set(path, tree.get(path) as Uint8Array);
    }
  }
  await Promise.all(scripts);
  for (const file of [...jsonModules].sort()) {
    const value = attempt(() => parseJsonFile(tree, file));
    if (value === undefined) continue;
    const id = moduleId(`${file}.js`);
    out.set(
      `${file}.js`,
      textEncoder.encode(
        `__tesseraDefine(${JSON.stringify(id)}, function (module) { module.exports = ${JSON.stringify(value)}; });\n`,
      ),
    );
  }
  // A bare require that matches nothing fails the build when the app's own code loads the file
  // (from app.js, a page or a component, directly or through other modules). Files nothing loads
  // (build scripts, cloud functions kept beside the app) and packages in miniprogram_npm/ only get
  // a report entry.
  if (unresolved.length) {
    const used = new Set<string>();
    const todo = [APP_NODE, ...[...owners.keys()].map(ownerNode)];
    for (let n = todo.pop(); n !== undefined; n = todo.pop()) {
      if (used.has(n)) continue;
      used.add(n);
      todo.push(...(graph.get(n) ?? []));
    }
    for (const e of unresolved) {
      const what = e.message.replace(/^[^:]*:\d+:\d+: /, '').replace(` — ${e.hint}`, '');
      // Inside an installed package the require is the package's own, as Build npm left it:
      // typically optional (try { require("crypto") } catch …), so it is reported, not fatal.
      const pkg = packageNameInPath(e.file);
      if (pkg)
        compat.add(
          e.file,
          e,
          'require:unresolved',
          `${what}; inside package "${pkg}" this is left to the package (usually an optional dependency it guards), and fails at run time if it is reached unguarded`,
        );
      else if (used.has(e.file)) errors.push(e);
      else
        compat.add(
          e.file,
          e,
          'require:unresolved',
          `${what}; nothing in the app loads ${e.file}, so this is not an error (loading it at run time would fail)`,
        );
    }
  }
  if (errors.length) fail();
  out.set(
    `${PRELUDE_PATH}.js`,
    textEncoder.encode(minify ? await minifyModule(PRELUDE_MODULE, PRELUDE_PATH) : PRELUDE_MODULE),
  );

  // ---- manifest, artifacts, report ----
  const entries: ComponentEntry[] = [...owners.values()]
    .sort((a, b) => cmp(a.path, b.path))
    .map((o) => {
      const entry: ComponentEntry = {
        path: o.path,
        kind: o.kind,
        usingComponents: Object.fromEntries([...o.usingComponents].sort(([a], [b]) => cmp(a, b))),
        scope: o.scopeClass,
      };
      if (o.window) entry.window = o.window;
      if (o.json.styleIsolation) {
        const iso = o.json.styleIsolation.replace(/^page-/, '') as 'isolated' | 'apply-shared' | 'shared';
        entry.styleIsolation = iso;
      }
      return entry;
    });
  const manifest: AppManifest = AppManifestSchema.parse({
    manifestVersion: 1,
    compilerVersion: COMPILER_VERSION,
    entryPagePath,
    pages: mainPages,
    subpackages: subpackages.map((s) => ({
      root: s.root,
      ...(s.name ? { name: s.name } : {}),
      pages: s.pages,
      independent: s.independent,
      artifact: s.artifact,
    })),
    window: window.data ?? {},
    ...(tabBar ? { tabBar } : {}),
    entries,
    preloadRule,
  });
  out.set(MANIFEST_FILE, textEncoder.encode(JSON.stringify(manifest)));

  const artifacts: Artifact[] = [{ name: 'main', root: null, files: new Map() }];
  for (const s of subpackages) artifacts.push({ name: s.artifact, root: s.root, files: new Map() });
  for (const path of [...out.keys()].sort()) {
    const target = artifacts.find((a) => a.root !== null && path.startsWith(`${a.root}/`)) ?? artifacts[0];
    target?.files.set(path, out.get(path) as Uint8Array);
  }
  const bytesOf = (m: Map<string, Uint8Array>) => [...m.values()].reduce((n, b) => n + b.length, 0);
  const report: CompileReport = {
    compilerVersion: COMPILER_VERSION,
    pages: allPages,
    components: [...owners.values()]
      .filter((o) => o.kind === 'component')
      .map((o) => o.path)
      .sort(),
    subpackages: subpackages.map((s) => {
      const files = artifacts.find((a) => a.name === s.artifact)?.files ?? new Map();
      return { root: s.root, artifact: s.artifact, pages: s.pages, files: files.size, bytes: bytesOf(files) };
    }),
    main: { files: artifacts[0]?.files.size ?? 0, bytes: bytesOf(artifacts[0]?.files ?? new Map()) },
    source: { files: input.size, bytes: bytesOf(new Map(input)), ignored },
    warnings: compat.sorted(),
  };
  return {
    artifacts,
    manifest,
    report,
    sourceMaps: new Map([...sourceMaps].sort(([a], [b]) => cmp(a, b))),
    graph,
  };
}

/** project.config.json is the developer tool's: report what is unreadable or unknown, never fail. */
function checkProjectConfig(project: SourceTree, compat: CompatReporter): void {
  const file = 'project.config.json';
  const text = textOf(project, file);
  if (text === undefined) return;
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (e) {
    compat.add(
      file,
      { line: 1, column: 1 },
      'config:project.config.json',
      `invalid JSON (${(e as Error).message}); ignored`,
    );
    return;
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return;
  reportUnknownKeys(config as Record<string, unknown>, PROJECT_CONFIG_KEYS, {
    file,
    text,
    compat,
    what: 'project.config.json',
  });
  const root = (config as { miniprogramRoot?: unknown }).miniprogramRoot;
  if (typeof root === 'string' && !project.has('app.json') && miniprogramRootOf(project).root === '')
    compat.add(
      file,
      locate(text, '"miniprogramRoot"'),
      'config:miniprogramRoot',
      `miniprogramRoot "${root}" has no app.json`,
    );
}
