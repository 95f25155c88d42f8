// The Dockerfiles cannot be built here (no Docker engine); these checks keep them in step with the
// workspace layout, the entrypoints and the compile-job contract.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPILER_COMMAND, COMPILER_IMAGE } from '@tessera/operator';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../src/harness/paths.ts';

const IMAGES = [
  { dir: 'operator', image: 'tessera/operator' },
  { dir: 'services/store', image: 'tessera/store' },
  { dir: 'services/compiler', image: 'tessera/compiler' },
];
const workspaces = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }
).workspaces;

describe.each(IMAGES)('$dir/Dockerfile', ({ dir }) => {
  const text = readFileSync(join(REPO_ROOT, dir, 'Dockerfile'), 'utf8');

  it('copies every workspace manifest for npm ci', () => {
    for (const ws of workspaces) expect(text).toContain(`COPY ${ws}/package.json ${ws}/`);
  });

  it('is multi-stage on a pinned Node 24 image, installs with the lockfile, runs as non-root', () => {
    expect(text).toMatch(/^ARG NODE_IMAGE=node:24\.\d+\.\d+-[a-z]+-slim$/m);
    expect(text.match(/^FROM /gm)).toHaveLength(2);
    expect(text).toContain('npm ci --omit=dev');
    expect(text).toMatch(/^USER 65532:65532$/m);
  });

  it('starts an entrypoint that exists in the workspace', () => {
    const entry = /^ENTRYPOINT \["node", "\/app\/(.+)"\]$/m.exec(text)?.[1];
    expect(entry).toBeDefined();
    expect(existsSync(join(REPO_ROOT, entry ?? ''))).toBe(true);
  });
});

describe('image names', () => {
  it('the compiler image runs the command the operator puts in compile Jobs', () => {
    const text = readFileSync(join(REPO_ROOT, 'services/compiler/Dockerfile'), 'utf8');
    expect(text).toContain(`ENTRYPOINT ${JSON.stringify(COMPILER_COMMAND).replace(/","/g, '", "')}`);
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
