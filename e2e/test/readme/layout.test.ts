/**
 * The workspace layout keeps the dependency directions CONTRIBUTING.md describes: the controller
 * runtime is a library of its own that knows no Tessera package, no product workspace reaches
 * into the operator for infrastructure, and every import of another workspace is declared in the
 * importing workspace's package.json (so an image or a published package installs it).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/harness/paths.ts';

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(join(REPO_ROOT, path), 'utf8'));
const workspaces = readJson<{ workspaces: string[] }>('package.json').workspaces.map((dir) => ({
  dir,
  manifest: readJson<Manifest>(`${dir}/package.json`),
}));
const names = new Set(workspaces.map((w) => w.manifest.name));

/** The source files of a workspace, without those of workspaces nested inside it. */
function sources(dir: string): string[] {
  const nested = workspaces.map((w) => w.dir).filter((d) => d !== dir && d.startsWith(`${dir}/`));
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(REPO_ROOT, rel))) {
      const path = `${rel}/${entry}`;
      if (entry === 'node_modules' || entry === 'dist' || nested.includes(path)) continue;
      if (statSync(join(REPO_ROOT, path)).isDirectory()) walk(path);
      else if (/\.(ts|js|mjs)$/.test(entry)) out.push(path);
    }
  };
  walk(dir);
  return out;
}

/** The workspace packages a file imports (static and dynamic imports, re-exports). */
function importedWorkspaces(file: string): string[] {
  const text = readFileSync(join(REPO_ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import\()\s*'(@tessera\/[a-z-]+)[^']*'/g)].map(
    (m) => m[1] as string,
  );
  return [...new Set(specifiers.filter((s) => names.has(s)))];
}

describe('workspace layout', () => {
  it('the controller runtime imports no Tessera workspace', () => {
    const runtime = workspaces.find((w) => w.manifest.name === '@tessera/controller-runtime');
    expect(runtime?.dir).toBe('operator/runtime');
    for (const file of sources('operator/runtime')) expect(importedWorkspaces(file), file).toEqual([]);
    expect(Object.keys(runtime?.manifest.dependencies ?? {}).filter((d) => names.has(d))).toEqual([]);
  });

  it('services/ holds programs (an entrypoint each); libraries live beside what they serve', () => {
    for (const { dir, manifest } of workspaces.filter((w) => w.dir.startsWith('services/'))) {
      const bin = (manifest as { bin?: Record<string, string> }).bin;
      const hasEntry = bin !== undefined || existsSync(join(REPO_ROOT, dir, 'src/main.ts'));
      expect(hasEntry, `${dir} is a library: move it next to the workspace it serves`).toBe(true);
    }
  });

  it('only the operator entrypoint and the tests import the operator', () => {
    for (const { dir, manifest } of workspaces) {
      if (manifest.name === '@tessera/operator' || manifest.name === '@tessera/e2e') continue;
      expect(Object.keys(manifest.dependencies ?? {}), `${dir}/package.json`).not.toContain(
        '@tessera/operator',
      );
      for (const file of sources(dir))
        expect(importedWorkspaces(file), file).not.toContain('@tessera/operator');
    }
  });

  it('every workspace a file imports is declared by its workspace', () => {
    for (const { dir, manifest } of workspaces) {
      const declared = new Set([
        manifest.name,
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.devDependencies ?? {}),
      ]);
      for (const file of sources(dir)) {
        for (const used of importedWorkspaces(file))
          expect(declared.has(used), `${file} imports ${used}`).toBe(true);
      }
    }
  });
});
