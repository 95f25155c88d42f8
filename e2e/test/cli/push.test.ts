// kubectl-tessera push and approve against a real store process (real PostgreSQL, TokenReview
// and SubjectAccessReview against the harness API server) with service-account credentials like
// a CI pipeline's. The operator is played by writing the version's /status.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_UNPACK_LIMITS, unpackArchive } from '@tessera/compiler';
import { reviewRoleRules } from '@tessera/operator';
import { ReleaseState, type Store, startStore } from '@tessera/store';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace, kubectl, loadKubeConfig } from '../../src/harness/testing.ts';
import { type PostgresServer, startPostgres } from '../../src/infra/postgres.ts';
import { makeTenant } from '../store/fixtures.ts';
import {
  ARTIFACT,
  createMiniProgram,
  getObject,
  json,
  ROLES,
  serviceAccountKubeconfig,
  setVersionStatus,
  tessera,
} from './helpers.ts';

const run = promisify(execFile);
const TENANT = 'clipush';

let pgServer: PostgresServer;
let store: Store;
let ns: { name: string; remove: () => Promise<void> };
let ci: { path: string; token: string; dir: string };
let reviewer: { path: string; token: string; dir: string };
const temp: string[] = [];

async function sourceTree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'tessera-cli-src-'));
  temp.push(root);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

const APP = {
  'app.json': '{"pages":["pages/index/index"]}',
  'app.js': 'App({})',
  'pages/index/index.wxml': '<view>{{msg}}</view>',
  'pages/index/index.js': 'Page({ data: { msg: "hello" } })',
  'node_modules/left-pad/index.js': 'module.exports = 1',
};

/** Plays the operator: waits for the CLI to create the version, then reports the outcome. */
async function operator(name: string, outcome: (name: string) => Promise<void>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const found = await getObject(ns.name, 'miniprogramversions', name).catch(() => undefined);
    if (found) {
      await setVersionStatus(ns.name, name, { phase: 'Compiling', message: 'compile Job is running' });
      await outcome(name);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the CLI never created MiniProgramVersion ${name}`);
}

const asCi = (args: string[], env: Record<string, string> = {}) =>
  tessera(args, { kubeconfig: ci.path, env: { TESSERA_STORE_URL: store.url, ...env } });

beforeAll(async () => {
  pgServer = await startPostgres();
  ns = await createTestNamespace('cli-push');
  const kc = loadKubeConfig();
  const state = new ReleaseState();
  store = await startStore({
    databaseUrl: pgServer.url,
    kubeConfig: kc,
    state,
    logger: pino({ level: 'silent' }),
  });
  await makeTenant(state, TENANT, ns.name);
  ci = await serviceAccountKubeconfig(ns.name, 'ci', ROLES.developer);
  reviewer = await serviceAccountKubeconfig(ns.name, 'reviewer', [
    ...ROLES.reviewer,
    ...(reviewRoleRules('compliance') as typeof ROLES.reviewer),
  ]);
  temp.push(ci.dir, reviewer.dir);
  // What the operator leaves in a tenant namespace: its ConfigMaps carry the tenant label, which
  // is how a developer (who may not read Namespace or Tenant objects) finds the tenant.
  const cm = await kubectl(
    ['create', '-n', ns.name, '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'tessera-index-web',
        labels: { 'app.kubernetes.io/managed-by': 'tessera-operator', 'tessera.dev/tenant': TENANT },
      },
      data: {},
    }),
  );
  expect(cm.code, cm.stderr).toBe(0);
  await createMiniProgram(ns.name, 'hello');
});

afterAll(async () => {
  await store?.close();
  await Promise.all([
    pgServer?.destroy(),
    ns?.remove(),
    ...temp.map((d) => rm(d, { recursive: true, force: true })),
  ]);
});

describe('push', () => {
  it('packs, uploads to the store, creates the version and waits for the compile', async () => {
    const dir = await sourceTree(APP);
    const pushing = asCi([
      'push',
      dir,
      '--mini-program',
      'hello',
      '--version',
      '1.0.0',
      '--changelog',
      'first',
      '-o',
      'json',
    ]);
    await operator('hello-1.0.0', (name) => setVersionStatus(ns.name, name, { phase: 'Compiled' }));
    const r = await pushing;
    expect(r.code, r.stderr).toBe(0);
    const out = json<{ sourceDigest: string; phase: string; artifact: { digest: string } }>(r);
    expect(out).toMatchObject({
      name: 'hello-1.0.0',
      version: '1.0.0',
      phase: 'Compiled',
      artifact: { digest: ARTIFACT.digest },
    });
    expect(r.stderr).toMatch(/packed 4 files \(\d+ bytes\)/);
    expect(r.stderr).toContain(`(tenant ${TENANT})`);

    const mpv = await getObject(ns.name, 'miniprogramversions', 'hello-1.0.0');
    expect(mpv.spec).toMatchObject({
      miniProgram: 'hello',
      version: '1.0.0',
      changelog: 'first',
      source: { upload: { digest: out.sourceDigest } },
    });
    expect(mpv.metadata.managedFields?.map((f) => f.manager)).toContain('kubectl-tessera');

    // the store holds exactly the archive the digest names, and it is a plain tar of the tree
    const hex = out.sourceDigest.replace('sha256:', '');
    const got = await fetch(`${store.url}/v1/tenants/${TENANT}/sources/${hex}`, {
      headers: { authorization: `Bearer ${ci.token}` },
    });
    expect(got.status).toBe(200);
    const bytes = Buffer.from(await got.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(hex);
    const file = join(temp[0] ?? tmpdir(), '..', `${hex}.tar`);
    await writeFile(file, bytes);
    temp.push(file);
    const { stdout } = await run('tar', ['-tf', file]);
    expect(stdout.trim().split('\n')).toEqual([
      'app.js',
      'app.json',
      'pages/index/index.js',
      'pages/index/index.wxml',
    ]);
    // and the compile job's unpacker reads it back to the same tree
    const tree = unpackArchive(new Uint8Array(bytes), DEFAULT_UNPACK_LIMITS);
    expect(Object.fromEntries([...tree].map(([p, b]) => [p, Buffer.from(b).toString()]))).toEqual({
      'app.js': APP['app.js'],
      'app.json': APP['app.json'],
      'pages/index/index.js': APP['pages/index/index.js'],
      'pages/index/index.wxml': APP['pages/index/index.wxml'],
    });

    // the same push again is a no-op that finds the version compiled
    const again = await asCi(['push', dir, '--mini-program', 'hello', '--version', '1.0.0']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('already exists with this source');
    expect(again.stdout).toContain('miniprogramversion/hello-1.0.0 compiled');

    // a different tree under the same version is refused: versions are immutable
    const changed = await asCi([
      'push',
      await sourceTree({ ...APP, 'app.js': 'App({ v: 2 })' }),
      '--mini-program',
      'hello',
      '--version',
      '1.0.0',
    ]);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain('versions are immutable; push with a new --version');
  });

  it("prints the compiler's file:line:column errors and exits 2 when the compile fails", async () => {
    const dir = await sourceTree({ ...APP, 'pages/index/index.wxml': '<view>\n\n  <text>{{msg}}' });
    const pushing = asCi(['push', dir, '--mini-program', 'hello', '--version', '1.1.0']);
    await operator('hello-1.1.0', (name) =>
      setVersionStatus(ns.name, name, {
        phase: 'Failed',
        message: 'compile failed: 1 error',
        errors: [
          {
            file: 'pages/index/index.wxml',
            line: 3,
            column: 3,
            code: 'E_WXML_UNCLOSED',
            message: '<text> is never closed',
          },
        ],
      }),
    );
    const r = await pushing;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('compile of hello 1.1.0 failed (miniprogramversion/hello-1.1.0):');
    expect(r.stderr).toContain('  pages/index/index.wxml:3:3: E_WXML_UNCLOSED: <text> is never closed');
    expect(r.stderr).toContain('  Compiled=False (NotCompiled): compile failed: 1 error');
    expect(r.stderr).toContain('kubectl tessera logs hello-1.1.0');
  });

  it('returns at once with --no-wait and exits 4 when a wait times out', async () => {
    const dir = await sourceTree({ ...APP, 'app.js': 'App({ v: 3 })' });
    const quick = await asCi([
      'push',
      dir,
      '--mini-program',
      'hello',
      '--version',
      '1.2.0',
      '--no-wait',
      '-o',
      'json',
    ]);
    expect(quick.code, quick.stderr).toBe(0);
    expect(json(quick)).toMatchObject({ name: 'hello-1.2.0', phase: 'Pending', artifact: null });

    const slow = await asCi([
      'push',
      dir,
      '--mini-program',
      'hello',
      '--version',
      '1.2.0',
      '--timeout',
      '2s',
    ]);
    expect(slow.code).toBe(4);
    expect(slow.stderr).toContain('hello-1.2.0: Pending');
    expect(slow.stderr).toContain('timed out after 2s waiting for hello-1.2.0 to compile (phase Pending)');
  });

  it('refuses symlinks, unknown mini-programs and credentials the store cannot check', async () => {
    const dir = await sourceTree(APP);
    await symlink('/etc/passwd', join(dir, 'passwd.txt'));
    const link = await asCi(['push', dir, '--mini-program', 'hello', '--version', '2.0.0']);
    expect(link.code).toBe(2);
    expect(link.stderr).toContain('passwd.txt is a symbolic link');

    const clean = await sourceTree({ ...APP, 'app.js': 'App({ v: 4 })' });
    const unknown = await asCi(['push', clean, '--mini-program', 'nope', '--version', '2.0.0']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`MiniProgram nope not found in namespace ${ns.name}`);

    // the harness admin authenticates with a client certificate, which the store cannot verify
    const cert = await tessera(
      ['push', clean, '--mini-program', 'hello', '--version', '2.0.0', '-n', ns.name, '--tenant', TENANT],
      {
        env: { TESSERA_STORE_URL: store.url },
      },
    );
    expect(cert.code).toBe(3);
    expect(cert.stderr).toContain('pass --token or set TESSERA_TOKEN');

    const badToken = await asCi([
      'push',
      clean,
      '--mini-program',
      'hello',
      '--version',
      '2.0.0',
      '--token',
      'not-a-token',
    ]);
    expect(badToken.code).toBe(3);
    expect(badToken.stderr).toContain('401');
  });
});

describe('discovery', () => {
  it('finds the tenant and the store from the namespace when the user may read it', async () => {
    const labelled = await kubectl(['annotate', 'namespace', ns.name, `tessera.dev/store-url=${store.url}`]);
    expect(labelled.code, labelled.stderr).toBe(0);
    expect((await kubectl(['label', 'namespace', ns.name, `tessera.dev/tenant=${TENANT}`])).code).toBe(0);
    const dir = await sourceTree({ ...APP, 'app.js': 'App({ v: 6 })' });
    // the harness admin reads the namespace; its client certificate cannot talk to the store, so
    // it passes the CI service account's token explicitly
    const r = await tessera([
      'push',
      dir,
      '--mini-program',
      'hello',
      '--version',
      '4.0.0',
      '--no-wait',
      '-n',
      ns.name,
      '--token',
      ci.token,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`uploaded to ${store.url} (tenant ${TENANT})`);
  });
});

describe('approve', () => {
  it("records an approval through the store's RBAC check and refuses callers without verb approve", async () => {
    const dir = await sourceTree({ ...APP, 'app.js': 'App({ v: 5 })' });
    const pushed = await asCi(['push', dir, '--mini-program', 'hello', '--version', '3.0.0', '--no-wait']);
    expect(pushed.code, pushed.stderr).toBe(0);

    const denied = await asCi(['approve', 'hello-3.0.0', '--role', 'compliance']);
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain('403');
    expect(denied.stderr).toContain(`may not approve miniprogramversions hello-3.0.0`);

    const ok = await tessera(
      ['approve', 'hello-3.0.0', '--role', 'compliance', '--comment', 'LGTM', '-o', 'json'],
      {
        kubeconfig: reviewer.path,
        env: { TESSERA_STORE_URL: store.url, TESSERA_TENANT: TENANT },
      },
    );
    expect(ok.code, ok.stderr).toBe(0);
    const subject = `system:serviceaccount:${ns.name}:reviewer`;
    expect(json(ok)).toMatchObject({
      version: 'hello-3.0.0',
      tenant: TENANT,
      approval: { role: 'compliance', subject, comment: 'LGTM' },
    });
    const mpv = await getObject(ns.name, 'miniprogramversions', 'hello-3.0.0');
    expect(mpv.status?.approvals).toEqual([expect.objectContaining({ role: 'compliance', subject })]);

    const twice = await tessera(['approve', 'hello-3.0.0', '--role', 'compliance'], {
      kubeconfig: reviewer.path,
      env: { TESSERA_STORE_URL: store.url, TESSERA_TENANT: TENANT },
    });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('already approved');

    const asReviewer = (args: string[]) =>
      tessera(args, {
        kubeconfig: reviewer.path,
        env: { TESSERA_STORE_URL: store.url, TESSERA_TENANT: TENANT },
      });
    const noComment = await asReviewer(['reject', 'hello-3.0.0', '--role', 'compliance']);
    expect(noComment.code).toBe(1);
    expect(noComment.stderr).toContain('reject needs --comment');
    const notHeld = await asReviewer(['reject', 'hello-3.0.0', '--role', 'legal', '--comment', 'no']);
    expect(notHeld.code).toBe(3);
    expect(notHeld.stderr).toContain('does not hold the review role legal');
  });

  it('records a rejection with its comment and shows it in status', async () => {
    const dir = await sourceTree({ ...APP, 'app.js': 'App({ v: 6 })' });
    const pushed = await asCi(['push', dir, '--mini-program', 'hello', '--version', '3.1.0', '--no-wait']);
    expect(pushed.code, pushed.stderr).toBe(0);
    const r = await tessera(
      ['reject', 'hello-3.1.0', '--role', 'compliance', '--comment', 'missing privacy notice'],
      { kubeconfig: reviewer.path, env: { TESSERA_STORE_URL: store.url, TESSERA_TENANT: TENANT } },
    );
    expect(r.code, r.stderr).toBe(0);
    const subject = `system:serviceaccount:${ns.name}:reviewer`;
    expect(r.stdout.trim()).toBe(
      `miniprogramversion/hello-3.1.0 rejected as compliance by ${subject}: missing privacy notice`,
    );
    const mpv = await getObject(ns.name, 'miniprogramversions', 'hello-3.1.0');
    expect(mpv.status?.approvals).toEqual([
      expect.objectContaining({
        role: 'compliance',
        subject,
        decision: 'Rejected',
        comment: 'missing privacy notice',
      }),
    ]);
  });
});
