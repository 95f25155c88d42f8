/**
 * Provisions the example bank tenant through the real pipeline, the way a
 * platform team and a CI pipeline would: kubectl applies examples/bank, the CLI
 * pushes the sample mini-programs (upload → compile Job → encrypted, signed
 * artifact) and a reviewer approves them. Shared by `make demo` and the
 * end-to-end tests.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { REPO_ROOT, tool } from '../harness/paths.ts';
import { sleep } from '../harness/processes.ts';

const run = promisify(execFile);
const EXAMPLES = join(REPO_ROOT, 'examples');
const CLI = join(REPO_ROOT, 'services', 'cli', 'bin', 'kubectl-tessera.js');
const GROUP = 'tessera.dev';
const VERSION = 'v1alpha1';

export const BANK = {
  tenant: 'bank',
  namespace: 'tessera-bank',
  hostApp: 'mobile-banking',
  appIds: ['bank-transfer', 'bank-branches'],
} as const;

/** The sample versions, pushed in this order. */
export const SAMPLE_VERSIONS = [
  { miniProgram: 'transfer', dir: 'transfer', version: '1.0.0', changelog: 'First release.' },
  { miniProgram: 'transfer', dir: 'transfer', version: '1.1.0', changelog: 'New confirmation page.' },
  { miniProgram: 'branches', dir: 'branches', version: '2.1.0', changelog: 'Appointment booking.' },
] as const;

export interface ProvisionedBank {
  namespace: string;
  hostApp: string;
  appIds: readonly string[];
  /** SPKI base64 public keys of the tenant (what a host app configures in the SDK). */
  publicKeys: Array<{ keyId: string; publicKey: string }>;
  sdkKey: string;
  sdkSecret: string;
}

export interface ProvisionOptions {
  kubeconfig: string;
  storeUrl: string;
  log?: (message: string) => void;
}

export async function provisionBank(options: ProvisionOptions): Promise<ProvisionedBank> {
  const log = options.log ?? (() => {});
  const kc = new KubeConfig();
  kc.loadFromFile(options.kubeconfig);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const kubectl = (...args: string[]) => run(tool('kubectl'), ['--kubeconfig', options.kubeconfig, ...args]);

  await kubectl('apply', '--server-side', '-f', join(EXAMPLES, 'bank', 'tenant.yaml'));
  const tenant = await waitFor('Tenant bank to be Ready', async () => {
    const t = (await custom.getClusterCustomObject({
      group: GROUP,
      version: VERSION,
      plural: 'tenants',
      name: BANK.tenant,
    })) as TenantLike;
    return isReady(t) && (t.status?.publicKeys?.length ?? 0) > 0 ? t : undefined;
  });
  // Until the quota controller has computed the tenant's ResourceQuota, the API server refuses
  // to create objects it counts ("status unknown for quota").
  await waitFor('the tenant ResourceQuota to be computed', async () => {
    const quotas = await core.listNamespacedResourceQuota({ namespace: BANK.namespace });
    const computed = (q: (typeof quotas.items)[number]) =>
      Object.keys(q.spec?.hard ?? {}).every((r) => q.status?.used?.[r] !== undefined);
    return quotas.items.length > 0 && quotas.items.every(computed) ? true : undefined;
  });
  log(
    `tenant ready: namespace ${tenant.status?.namespace}, signing key ${tenant.status?.publicKeys?.[0]?.keyId}`,
  );

  for (const file of ['miniprograms.yaml', 'hostapp.yaml', 'grayrule.yaml']) {
    await kubectl('apply', '--server-side', '-f', join(EXAMPLES, 'bank', file));
  }
  log('applied examples/bank: 2 mini-programs, 1 host app, 1 gray rule');

  const ciToken = await serviceAccountToken(core, 'ci');
  const reviewerToken = await serviceAccountToken(core, 'reviewer-bot');
  // Tokens go through the environment, never the command line (which ends up in error messages).
  const cliEnv = { ...process.env, KUBECONFIG: options.kubeconfig, TESSERA_STORE_URL: options.storeUrl };
  for (const sample of SAMPLE_VERSIONS) {
    const dir = await sampleTree(sample.dir, sample.version);
    try {
      const started = Date.now();
      await run(
        process.execPath,
        [
          CLI,
          'push',
          dir,
          '-n',
          BANK.namespace,
          '--mini-program',
          sample.miniProgram,
          '--version',
          sample.version,
          '--changelog',
          sample.changelog,
          '--timeout',
          '5m',
        ],
        { env: { ...cliEnv, TESSERA_TOKEN: ciToken } },
      );
      log(
        `pushed ${sample.miniProgram} ${sample.version}: compiled in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await run(
      process.execPath,
      [
        CLI,
        'approve',
        `${sample.miniProgram}-${sample.version}`,
        '-n',
        BANK.namespace,
        '--role',
        'compliance',
        '--comment',
        'demo approval',
      ],
      { env: { ...cliEnv, TESSERA_TOKEN: reviewerToken } },
    );
  }
  log('approved all versions (role compliance)');

  await waitFor('HostApp mobile-banking to be Ready', async () => {
    const h = (await custom.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: BANK.namespace,
      plural: 'hostapps',
      name: BANK.hostApp,
    })) as TenantLike;
    return isReady(h) ? h : undefined;
  });
  const secret = await core.readNamespacedSecret({
    namespace: BANK.namespace,
    name: `tessera-credentials-${BANK.hostApp}`,
  });
  const decode = (k: string) => Buffer.from(secret.data?.[k] ?? '', 'base64').toString('utf8');
  return {
    namespace: BANK.namespace,
    hostApp: BANK.hostApp,
    appIds: BANK.appIds,
    publicKeys: (tenant.status?.publicKeys ?? []).map((k) => ({ keyId: k.keyId, publicKey: k.publicKey })),
    sdkKey: decode('sdkKey'),
    sdkSecret: decode('sdkSecret'),
  };
}

/** A copy of a sample tree with version.js set to the version being built. */
async function sampleTree(name: string, version: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `tessera-${name}-`));
  await cp(join(EXAMPLES, 'miniprograms', name), dir, { recursive: true });
  const versionFile = join(dir, 'version.js');
  const exists = await readFile(versionFile, 'utf8').then(
    () => true,
    () => false,
  );
  if (exists) await writeFile(versionFile, `module.exports = ${JSON.stringify(version)};\n`);
  return dir;
}

/** A short-lived token of a tenant ServiceAccount, as a CI system would get one. */
async function serviceAccountToken(core: CoreV1Api, name: string): Promise<string> {
  await core
    .createNamespacedServiceAccount({ namespace: BANK.namespace, body: { metadata: { name } } })
    .catch((e: { code?: number }) => {
      if (e.code !== 409) throw e;
    });
  const tr = await core.createNamespacedServiceAccountToken({
    namespace: BANK.namespace,
    name,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  return tr.status?.token ?? '';
}

interface TenantLike {
  status?: {
    namespace?: string;
    publicKeys?: Array<{ keyId: string; publicKey: string }>;
    conditions?: Array<{ type: string; status: string; message?: string }>;
  };
}

const isReady = (o: TenantLike) =>
  o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = (error as Error).message;
    }
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}`);
}

/**
 * Adds the host page's origin to HostApp mobile-banking's web origins (the store accepts browser
 * requests only from those) and waits until the store knows it. The example lists
 * http://127.0.0.1:8080 and http://localhost:8080; a page on another port needs this, as a real
 * host app served from a new origin needs its HostApp edited.
 */
export async function allowPageOrigin(options: ProvisionOptions, pageUrl: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(options.kubeconfig);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const origin = new URL(pageUrl).origin;
  const ha = (await custom.getNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: BANK.namespace,
    plural: 'hostapps',
    name: BANK.hostApp,
  })) as { spec?: { platforms?: { web?: { origins?: string[] } } } };
  const origins = ha.spec?.platforms?.web?.origins ?? [];
  if (!origins.includes(origin)) {
    await run(tool('kubectl'), [
      '--kubeconfig',
      options.kubeconfig,
      'patch',
      'hostapp',
      BANK.hostApp,
      '-n',
      BANK.namespace,
      '--type',
      'merge',
      '-p',
      JSON.stringify({ spec: { platforms: { web: { origins: [...origins, origin] } } } }),
    ]);
  }
  await waitFor(`the store to accept ${origin}`, async () => {
    const r = await fetch(`${options.storeUrl}/v1/launch`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST' },
    });
    return r.status === 204 ? true : undefined;
  });
}
