import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { KubeconfigError, loadKubeconfig } from './kubeconfig.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
const write = (name: string, doc: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof doc === 'string' ? doc : stringify(doc));
  return path;
};
const config = (o: { current?: string; clusters?: unknown[]; users?: unknown[]; contexts?: unknown[] }) => ({
  apiVersion: 'v1',
  kind: 'Config',
  ...(o.current ? { 'current-context': o.current } : {}),
  clusters: o.clusters ?? [],
  users: o.users ?? [],
  contexts: o.contexts ?? [],
});

describe('loadKubeconfig', () => {
  const a = write(
    'a.yaml',
    config({
      current: 'dev',
      clusters: [{ name: 'dev', cluster: { server: 'https://dev.example:6443/' } }],
      users: [{ name: 'dev', user: { token: 'token-a' } }],
      contexts: [{ name: 'dev', context: { cluster: 'dev', user: 'dev', namespace: 'team-a' } }],
    }),
  );
  const b = write(
    'b.yaml',
    config({
      current: 'prod',
      clusters: [
        { name: 'dev', cluster: { server: 'https://shadowed.example' } },
        { name: 'prod', cluster: { server: 'https://prod.example' } },
      ],
      users: [{ name: 'prod', user: { username: 'u', password: 'p' } }],
      contexts: [{ name: 'prod', context: { cluster: 'prod', user: 'prod' } }],
    }),
  );

  it('merges $KUBECONFIG as kubectl does: the first file that names an entry wins', async () => {
    const c = loadKubeconfig({ env: { KUBECONFIG: `${a}:${b}` } });
    expect(c.contextName).toBe('dev');
    expect(c.server).toBe('https://dev.example:6443');
    expect(c.namespace).toBe('team-a');
    expect((await c.authenticate()).headers.authorization).toBe('Bearer token-a');
    const prod = loadKubeconfig({ env: { KUBECONFIG: `${a}:${b}` }, context: 'prod', namespace: 'x' });
    expect(prod.server).toBe('https://prod.example');
    expect(prod.namespace).toBe('x');
    expect((await prod.authenticate()).headers.authorization).toBe(
      `Basic ${Buffer.from('u:p').toString('base64')}`,
    );
  });

  it('reads --kubeconfig alone and resolves relative paths against the file', async () => {
    writeFileSync(join(dir, 'token.txt'), 'from-file\n');
    const p = write(
      'rel.yaml',
      config({
        current: 'c',
        clusters: [{ name: 'c', cluster: { server: 'https://x' } }],
        users: [
          { name: 'u', user: { tokenFile: 'token.txt', as: 'alice', 'as-groups': ['reviewers', 'a'] } },
        ],
        contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
      }),
    );
    const c = loadKubeconfig({ kubeconfig: p, env: { KUBECONFIG: a } });
    const { headers } = await c.authenticate();
    expect(headers).toEqual({
      authorization: 'Bearer from-file',
      'impersonate-user': 'alice',
      'impersonate-group': 'reviewers,a',
    });
    expect(c.namespace).toBe('default');
  });

  it('runs exec credential plugins with KUBERNETES_EXEC_INFO and caches the credential until it expires', async () => {
    const counter = join(dir, 'calls');
    writeFileSync(counter, '');
    const plugin = write(
      'plugin.mjs',
      `#!${process.execPath}
import { appendFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(counter)}, 'x');
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
console.log(JSON.stringify({ apiVersion: info.apiVersion, kind: 'ExecCredential',
  status: { token: 'exec-' + process.env.EXTRA + '-' + info.spec.cluster.server,
            expirationTimestamp: new Date(Date.now() + 3600_000).toISOString() } }));`,
    );
    chmodSync(plugin, 0o755);
    const p = write(
      'exec.yaml',
      config({
        current: 'c',
        clusters: [{ name: 'c', cluster: { server: 'https://exec.example' } }],
        users: [
          {
            name: 'u',
            user: {
              exec: {
                apiVersion: 'client.authentication.k8s.io/v1',
                command: './plugin.mjs',
                env: [{ name: 'EXTRA', value: 'e' }],
                provideClusterInfo: true,
              },
            },
          },
        ],
        contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
      }),
    );
    const c = loadKubeconfig({ kubeconfig: p });
    const [one, two] = await Promise.all([c.authenticate(), c.authenticate()]);
    expect(one.headers.authorization).toBe('Bearer exec-e-https://exec.example');
    expect(two.headers.authorization).toBe(one.headers.authorization);
    await c.authenticate();
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(counter, 'utf8')).toBe('x');
  });

  it('says what is wrong, where, and what to do', async () => {
    expect(() => loadKubeconfig({ kubeconfig: join(dir, 'missing.yaml') })).toThrow(/does not exist/);
    expect(() => loadKubeconfig({ env: { KUBECONFIG: join(dir, 'nope') } })).toThrow(
      /no kubeconfig found .* set KUBECONFIG or pass --kubeconfig/,
    );
    expect(() => loadKubeconfig({ env: { KUBECONFIG: a }, context: 'staging' })).toThrow(
      'context "staging" is not in the kubeconfig; contexts: dev',
    );
    const noCurrent = write('none.yaml', config({ contexts: [{ name: 'x', context: {} }] }));
    expect(() => loadKubeconfig({ kubeconfig: noCurrent })).toThrow(/no current-context; pass --context/);
    const broken = write('broken.yaml', 'clusters: [\n');
    expect(() => loadKubeconfig({ kubeconfig: broken })).toThrow(KubeconfigError);
    const oidc = write(
      'oidc.yaml',
      config({
        current: 'c',
        clusters: [{ name: 'c', cluster: { server: 'https://x' } }],
        users: [{ name: 'u', user: { 'auth-provider': { name: 'oidc' } } }],
        contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
      }),
    );
    expect(() => loadKubeconfig({ kubeconfig: oidc })).toThrow(
      /auth-provider "oidc".*exec credential plugin/,
    );
    const badCa = write(
      'ca.yaml',
      config({
        current: 'c',
        clusters: [
          { name: 'c', cluster: { server: 'https://x', 'certificate-authority': 'no-such-ca.crt' } },
        ],
        contexts: [{ name: 'c', context: { cluster: 'c' } }],
      }),
    );
    expect(() => loadKubeconfig({ kubeconfig: badCa })).toThrow(
      /cannot read the certificate-authority file .*no-such-ca\.crt/,
    );
  });
});
