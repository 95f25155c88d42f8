// Helpers for the CLI end-to-end tests: run the real kubectl-tessera binary as a subprocess
// against the harness API server, with the admin kubeconfig or a service-account token
// kubeconfig (so RBAC is the real thing), and simulate the operator by writing /status.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { roleRules } from '@tessera/operator';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from '../../src/harness/paths.ts';
import { kubeconfigPath, loadKubeConfig } from '../../src/harness/testing.ts';

const run = promisify(execFile);
export const CLI = join(REPO_ROOT, 'services', 'cli', 'bin', 'kubectl-tessera.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `kubectl-tessera <args>`; never throws on a non-zero exit. */
export async function tessera(
  args: string[],
  options: { kubeconfig?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KUBECONFIG: options.kubeconfig ?? kubeconfigPath(),
    ...options.env,
  };
  delete env.TESSERA_STORE_URL;
  delete env.TESSERA_TENANT;
  delete env.TESSERA_TOKEN;
  Object.assign(env, options.env);
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Parses the JSON a command printed with -o json, with the CLI output in the failure message. */
export function json<T = Record<string, unknown>>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`expected JSON on stdout (exit ${r.code}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
}

export const crd = (kc: KubeConfig = loadKubeConfig()) => kc.makeApiClient(CustomObjectsApi);

const G = { group: 'tessera.dev', version: 'v1alpha1' } as const;

export async function createMiniProgram(namespace: string, name: string, spec: Record<string, unknown> = {}) {
  await crd().createNamespacedCustomObject({
    ...G,
    namespace,
    plural: 'miniprograms',
    body: {
      apiVersion: 'tessera.dev/v1alpha1',
      kind: 'MiniProgram',
      metadata: { name },
      spec: { appId: `wx${name}`.replace(/-/g, '_'), displayName: name, ...spec },
    },
  });
}

export async function getObject(namespace: string, plural: string, name: string) {
  return (await crd().getNamespacedCustomObject({ ...G, namespace, plural, name })) as {
    metadata: { annotations?: Record<string, string>; managedFields?: Array<{ manager?: string }> };
    spec: Record<string, unknown>;
    status?: Record<string, unknown>;
  };
}

const cond = (type: string, ok: boolean, message: string) => ({
  type,
  status: ok ? 'True' : 'False',
  reason: ok ? type : `Not${type}`,
  message,
  lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
});

export const ARTIFACT = {
  digest: `sha256:${'c'.repeat(64)}`,
  plaintextDigest: `sha256:${'d'.repeat(64)}`,
  sourceDigest: `sha256:${'e'.repeat(64)}`,
  size: 4242,
  keyId: 'k1',
  signature: 'c2ln',
  compilerVersion: '0.1.0',
  pages: ['pages/index/index', 'pages/list/list'],
};

/** Plays the operator: writes a version's status through the /status subresource. */
export async function setVersionStatus(
  namespace: string,
  name: string,
  state: {
    phase: string;
    approved?: boolean;
    errors?: unknown[];
    message?: string;
    approvals?: unknown[];
    compileJob?: string;
  },
) {
  const compiled = ['Compiled', 'Released', 'Retired'].includes(state.phase);
  const status: Record<string, unknown> = {
    phase: state.phase,
    conditions: [
      cond('Compiled', compiled, state.message ?? (compiled ? 'compiled' : state.phase)),
      cond(
        'Approved',
        state.approved ?? false,
        state.approved ? 'approved' : 'waiting for approval by: compliance',
      ),
    ],
  };
  if (compiled) status.artifact = ARTIFACT;
  if (state.errors) status.errors = state.errors;
  if (state.approvals) status.approvals = state.approvals;
  if (state.compileJob) status.compileJob = state.compileJob;
  await crd().patchNamespacedCustomObjectStatus(
    { ...G, namespace, plural: 'miniprogramversions', name, body: { status } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

export async function createVersion(
  namespace: string,
  miniProgram: string,
  version: string,
  state?: Parameters<typeof setVersionStatus>[2],
): Promise<string> {
  const name = `${miniProgram}-${version}`;
  await crd().createNamespacedCustomObject({
    ...G,
    namespace,
    plural: 'miniprogramversions',
    body: {
      apiVersion: 'tessera.dev/v1alpha1',
      kind: 'MiniProgramVersion',
      metadata: { name },
      spec: { miniProgram, version, source: { upload: { digest: `sha256:${'a'.repeat(64)}` } } },
    },
  });
  if (state) await setVersionStatus(namespace, name, state);
  return name;
}

/**
 * A service account bound to a Role with `rules` in `namespace`, and a kubeconfig that
 * authenticates as it with a bearer token (TokenRequest), like a CI pipeline's.
 */
export async function serviceAccountKubeconfig(
  namespace: string,
  name: string,
  rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>,
): Promise<{ path: string; token: string; dir: string }> {
  const kc = loadKubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  if (rules.length > 0) {
    await rbac.createNamespacedRole({ namespace, body: { metadata: { name }, rules } });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace }],
      },
    });
  }
  const tr = await core.createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { expirationSeconds: 3600 } } as never,
  });
  const token = tr.status?.token ?? '';
  const admin = parse(await readFile(kubeconfigPath(), 'utf8')) as {
    clusters: Array<{ name: string; cluster: Record<string, unknown> }>;
  };
  const cluster = admin.clusters[0];
  if (!cluster) throw new Error('harness kubeconfig has no cluster');
  const dir = await mkdtemp(join(tmpdir(), 'tessera-cli-kc-'));
  const path = join(dir, `${name}.kubeconfig`);
  await writeFile(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [cluster],
      users: [{ name, user: { token } }],
      contexts: [{ name, context: { cluster: cluster.name, user: name, namespace } }],
      'current-context': name,
    }),
  );
  return { path, token, dir };
}

// The tenant roles exactly as the operator creates them.
export const ROLES = {
  developer: roleRules('developer'),
  reviewer: roleRules('reviewer'),
  viewer: roleRules('viewer'),
} as Record<
  'developer' | 'reviewer' | 'viewer',
  Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>
>;
