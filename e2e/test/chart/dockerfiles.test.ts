// The Dockerfile cannot be built here (no Docker engine); these checks keep its targets in step
// with the workspace layout, the workspaces each image imports, the entrypoints and the
// compile-job contract.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPILER_COMMAND, COMPILER_IMAGE } from '@tessera/operator';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../src/harness/paths.ts';

const IMAGES = [
  { target: 'operator', dir: 'operator', image: 'tessera/operator' },
  { target: 'store', dir: 'services/store', image: 'tessera/store' },
  { target: 'compiler', dir: 'services/compiler', image: 'tessera/compiler' },
];

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
}
const readJson = <T>(path: string): T => JSON.parse(readFileSync(join(REPO_ROOT, path), 'utf8'));
const workspaces = readJson<{ workspaces: string[] }>('package.json').workspaces;
const dirOf = new Map(workspaces.map((ws) => [readJson<Manifest>(`${ws}/package.json`).name, ws]));

/** The workspace directories an image needs: its own and every @tessera package it depends on. */
function workspaceClosure(dir: string): Set<string> {
  const seen = new Set<string>();
  const visit = (ws: string) => {
    if (seen.has(ws)) return;
    seen.add(ws);
    const deps = readJson<Manifest>(`${ws}/package.json`).dependencies ?? {};
    for (const name of Object.keys(deps)) {
      const depDir = dirOf.get(name);
      if (depDir) visit(depDir);
    }
  };
  visit(dir);
  return seen;
}

const text = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
/** stage name -> its lines, with the stage it starts FROM */
const stages = new Map<string, { from: string; body: string }>();
for (const block of text.split(/^(?=FROM )/m).slice(1)) {
  const m = /^FROM (\S+) AS (\S+)$/m.exec(block);
  if (m?.[1] && m[2]) stages.set(m[2], { from: m[1], body: block });
}
/** the body of a stage and of the stages it is built on */
function lineage(name: string): string {
  const stage = stages.get(name);
  return stage ? lineage(stage.from) + stage.body : '';
}

describe('Dockerfile', () => {
  it('copies every workspace manifest for npm ci', () => {
    for (const ws of workspaces) expect(text).toContain(`COPY ${ws}/package.json ${ws}/`);
  });

  it('is multi-stage on a pinned Node 24 image, installs with the lockfile, runs as non-root', () => {
    expect(text).toMatch(/^ARG NODE_IMAGE=node:24\.\d+\.\d+-[a-z]+-slim$/m);
    expect(text).toContain('npm ci --omit=dev');
    expect(lineage('base')).toMatch(/^USER 65532:65532$/m);
  });
});

describe.each(IMAGES)('image target $target', ({ target, dir }) => {
  const image = lineage(target);
  const deps = lineage(`${target}-deps`);

  it('is built on the shared non-root base with its own dependency stage', () => {
    expect(stages.get(target)?.from).toBe('base');
    expect(image).toContain(`COPY --from=${target}-deps /app ./`);
  });

  it('installs and copies every workspace it imports', () => {
    for (const ws of workspaceClosure(dir)) {
      expect(deps, `npm ci of ${target} installs ${ws}`).toContain(
        `--workspace=${readJson<Manifest>(`${ws}/package.json`).name}`,
      );
      expect(image, `${target} copies ${ws}/src`).toContain(`COPY ${ws}/src ${ws}/src`);
    }
  });

  it('starts an entrypoint that exists in the workspace', () => {
    const entry = /^ENTRYPOINT \["node", "\/app\/(.+)"\]$/m.exec(stages.get(target)?.body ?? '')?.[1];
    expect(entry).toBeDefined();
    expect(entry?.startsWith(`${dir}/`)).toBe(true);
    expect(existsSync(join(REPO_ROOT, entry ?? ''))).toBe(true);
  });
});

describe('image names', () => {
  it('the compiler image runs the command the operator puts in compile Jobs', () => {
    const compiler = stages.get('compiler')?.body ?? '';
    expect(compiler).toContain(`ENTRYPOINT ${JSON.stringify(COMPILER_COMMAND).replace(/","/g, '", "')}`);
  });

  it('the chart uses the image names the operator expects', () => {
    const values = parse(readFileSync(join(REPO_ROOT, 'charts/tessera/values.yaml'), 'utf8')) as {
      operator: { image: { repository: string } };
      store: { image: { repository: string } };
      compiler: { image: { repository: string } };
    };
    expect(values.compiler.image.repository).toBe(COMPILER_IMAGE);
    expect(values.operator.image.repository).toBe(IMAGES[0]?.image);
    expect(values.store.image.repository).toBe(IMAGES[1]?.image);
  });

  it('.dockerignore keeps node_modules and local state out of the build context', () => {
    const ignore = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['**/node_modules', '.tessera', 'bin', '.git', '!e2e/package.json'])
      expect(ignore).toContain(entry);
  });
});
