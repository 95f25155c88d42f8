// Test fixtures for the store e2e tests: real tenant keys, real packages, real signed release
// documents, real Kubernetes service accounts and RBAC in a test namespace.

import { createHash, randomUUID } from 'node:crypto';
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import {
  type HostAppIndex,
  LABEL_RELEASE,
  LABEL_TENANT,
  type MiniProgramRelease,
  RELEASE_DATA_KEY,
  RELEASE_KEY_ID_ANNOTATION,
  RELEASE_SIGNATURE_KEY,
} from '@tessera/crds';
import {
  canonicalJson,
  generateKek,
  generateSigningKeyPair,
  importKek,
  type JsonValue,
  signDetached,
  writePackage,
} from '@tessera/runtime-sdk/package';
import { signRequest } from '@tessera/runtime-sdk/protocol';
import type { ReleaseState } from '@tessera/store';

export interface TenantFixture {
  name: string;
  namespace: string;
  kek: { rawBase64: string; keyId: string };
  signing: Awaited<ReturnType<typeof generateSigningKeyPair>>;
  hostApp: string;
  sdkKey: string;
  sdkSecret: string;
}

export async function makeTenant(
  state: ReleaseState,
  name: string,
  namespace: string,
  hostApp = 'web',
): Promise<TenantFixture> {
  const kek = await generateKek();
  const signing = await generateSigningKeyPair();
  state.setTenantKeys(name, {
    namespace,
    keks: new Map([[kek.keyId, await importKek(kek.rawBase64)]]),
    publicKeys: [{ keyId: signing.keyId, key: signing.publicKeySpki }],
  });
  const sdkKey = `sk-${randomUUID()}`;
  const sdkSecret = `secret-${randomUUID()}`;
  await state.setCredentials({ tenant: name, namespace, hostApp, sdkKey, sdkSecret });
  return { name, namespace, kek, signing, hostApp, sdkKey, sdkSecret };
}

export async function makePackage(t: TenantFixture, files: Record<string, string>) {
  const enc = new TextEncoder();
  return writePackage(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, enc.encode(v)])), {
    kek: t.kek.rawBase64,
    kekId: t.kek.keyId,
    signingKey: t.signing.privateKeyPkcs8,
    signingKeyId: t.signing.keyId,
  });
}

export function artifactOf(pkg: Awaited<ReturnType<typeof makePackage>>) {
  return {
    digest: `sha256:${pkg.digests.ciphertext}`,
    plaintextDigest: `sha256:${pkg.digests.plaintext}`,
    sourceDigest: `sha256:${createHash('sha256').update('source').digest('hex')}`,
    size: pkg.bytes.length,
    keyId: pkg.signingKeyId,
    kekId: pkg.kekId,
    signature: pkg.signature,
    compilerVersion: '0.1.0',
    pages: ['pages/index/index'],
  };
}

export function releaseDoc(t: TenantFixture, overrides: Partial<MiniProgramRelease>): MiniProgramRelease {
  return {
    schema: 'tessera.dev/release/v1',
    tenant: t.name,
    namespace: t.namespace,
    hostApp: t.hostApp,
    miniProgram: 'bank',
    appId: 'bank-app',
    displayName: '银行',
    tags: [],
    suspended: false,
    candidates: [],
    grayRules: [],
    domains: { request: ['https://api.example.com'] },
    permissions: { hostApis: ['getUserToken'], menuItems: [] },
    revokedVersions: [],
    sourceGeneration: 1,
    ...overrides,
  };
}

export async function releaseConfigMap(t: TenantFixture, doc: MiniProgramRelease, tamper = false) {
  const raw = canonicalJson(doc as unknown as JsonValue);
  const sig = await signDetached(new TextEncoder().encode(raw), {
    keyId: t.signing.keyId,
    key: t.signing.privateKeyPkcs8,
  });
  return {
    metadata: {
      name: `tessera-release-${doc.hostApp}-${doc.miniProgram}`,
      namespace: t.namespace,
      labels: { [LABEL_RELEASE]: 'mini-program' },
      annotations: { [RELEASE_KEY_ID_ANNOTATION]: t.signing.keyId },
    },
    data: {
      [RELEASE_DATA_KEY]: tamper ? raw.replace('"suspended":false', '"suspended":true') : raw,
      [RELEASE_SIGNATURE_KEY]: sig.signature,
    },
  };
}

/** The operator's signed host-app index (label tessera.dev/release=index) for `t.hostApp`. */
export async function indexConfigMap(
  t: TenantFixture,
  platforms: HostAppIndex['platforms'],
  signer: { keyId: string; privateKeyPkcs8: string } = t.signing,
) {
  const doc: HostAppIndex = {
    schema: 'tessera.dev/release-index/v1',
    tenant: t.name,
    namespace: t.namespace,
    hostApp: t.hostApp,
    platforms,
    hostApis: [],
    menuItems: [],
    miniPrograms: [],
  };
  const raw = canonicalJson(doc as unknown as JsonValue);
  const sig = await signDetached(new TextEncoder().encode(raw), {
    keyId: signer.keyId,
    key: signer.privateKeyPkcs8,
  });
  return {
    metadata: {
      name: `tessera-index-${t.hostApp}`,
      namespace: t.namespace,
      labels: { [LABEL_RELEASE]: 'index', [LABEL_TENANT]: t.name },
      annotations: { [RELEASE_KEY_ID_ANNOTATION]: signer.keyId },
    },
    data: { [RELEASE_DATA_KEY]: raw, [RELEASE_SIGNATURE_KEY]: sig.signature },
  };
}

/** Sends a request signed with the tenant's host-app credentials. */
export async function signedFetch(
  base: string,
  t: Pick<TenantFixture, 'sdkKey' | 'sdkSecret'>,
  method: string,
  path: string,
  body?: unknown,
  extra: { headers?: Record<string, string>; timestamp?: number; nonce?: string; rawBody?: string } = {},
) {
  const text = extra.rawBody ?? (body === undefined ? '' : JSON.stringify(body));
  // sign what fetch will send: the WHATWG URL serialisation (it percent-encodes ' in queries)
  const url = new URL(base + path);
  const headers = await signRequest({
    method,
    path: url.pathname + url.search,
    body: text,
    sdkKey: t.sdkKey,
    sdkSecret: t.sdkSecret,
    ...(extra.timestamp !== undefined ? { timestamp: extra.timestamp } : {}),
    ...(extra.nonce !== undefined ? { nonce: extra.nonce } : {}),
  });
  const init: RequestInit = {
    method,
    headers: { ...headers, 'content-type': 'application/json', ...(extra.headers ?? {}) },
  };
  if (text !== '') init.body = text;
  return { response: await fetch(base + path, init), headers };
}

/** Service accounts with tokens and RBAC in `namespace`: ci (create/get versions), reviewer (approve, every review role), outsider (nothing). */
export async function makeIdentities(kc: KubeConfig, namespace: string) {
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const roles: Record<string, string[]> = {
    ci: ['create', 'get', 'list'],
    reviewer: ['approve', 'get'],
    admin: ['get', 'list'],
    outsider: [],
  };
  const tokens: Record<string, string> = {};
  for (const [sa, verbs] of Object.entries(roles)) {
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: sa } } });
    if (verbs.length > 0) {
      await rbac.createNamespacedRole({
        namespace,
        body: {
          metadata: { name: sa },
          rules: [
            { apiGroups: ['tessera.dev'], resources: ['miniprogramversions'], verbs },
            // every review role (the operator grants one per reviewerRole: tessera:review:<role>)
            ...(sa === 'reviewer'
              ? [{ apiGroups: ['tessera.dev'], resources: ['reviewroles'], verbs: ['approve'] }]
              : []),
            // what a compile job may do through the store (see tessera:compiler in the operator)
            ...(sa === 'ci'
              ? [
                  { apiGroups: ['tessera.dev'], resources: ['miniprogramversions/source'], verbs: ['get'] },
                  {
                    apiGroups: ['tessera.dev'],
                    resources: ['miniprogramversions/artifact'],
                    verbs: ['create'],
                  },
                ]
              : []),
            {
              apiGroups: ['tessera.dev'],
              resources: ['miniprograms'],
              verbs: sa === 'admin' ? ['get', 'update'] : ['get'],
            },
          ],
        },
      });
      await rbac.createNamespacedRoleBinding({
        namespace,
        body: {
          metadata: { name: sa },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: sa },
          subjects: [{ kind: 'ServiceAccount', name: sa, namespace }],
        },
      });
    }
    const tr = await core.createNamespacedServiceAccountToken({
      name: sa,
      namespace,
      body: { spec: { expirationSeconds: 3600 } } as never,
    });
    tokens[sa] = tr.status?.token ?? '';
  }
  return tokens as { ci: string; reviewer: string; admin: string; outsider: string };
}

export const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

/**
 * Puts a tenant fixture into the cluster the way the operator does: the Tenant with its public
 * keys in status, the tenant key Secret (KEK) and the host-app credentials Secret.
 * Returns a function that deletes the Tenant.
 */
export async function publishTenant(kc: KubeConfig, t: TenantFixture): Promise<() => Promise<void>> {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const ref = { group: 'tessera.dev', version: 'v1alpha1', plural: 'tenants' };
  const spec = { displayName: t.name, namespace: t.namespace };
  const created = (await custom.createClusterCustomObject({
    ...ref,
    body: { apiVersion: 'tessera.dev/v1alpha1', kind: 'Tenant', metadata: { name: t.name }, spec },
  })) as { metadata: { resourceVersion: string } };
  await custom.replaceClusterCustomObjectStatus({
    ...ref,
    name: t.name,
    body: {
      apiVersion: 'tessera.dev/v1alpha1',
      kind: 'Tenant',
      metadata: { name: t.name, resourceVersion: created.metadata.resourceVersion },
      spec,
      status: {
        namespace: t.namespace,
        publicKeys: [
          {
            keyId: t.signing.keyId,
            algorithm: 'ECDSA-P256-SHA256',
            publicKey: t.signing.publicKeySpki,
            state: 'current',
            createdAt: new Date().toISOString(),
          },
        ],
      },
    },
  });
  await core.createNamespacedSecret({
    namespace: t.namespace,
    body: {
      metadata: { name: 'tessera-tenant-keys', labels: { [LABEL_TENANT]: t.name } },
      stringData: { kek: t.kek.rawBase64 },
    },
  });
  await core.createNamespacedSecret({
    namespace: t.namespace,
    body: {
      metadata: {
        name: `tessera-credentials-${t.hostApp}`,
        labels: { [LABEL_TENANT]: t.name, 'tessera.dev/host-app': t.hostApp },
      },
      stringData: { sdkKey: t.sdkKey, sdkSecret: t.sdkSecret },
    },
  });
  return async () => {
    await custom.deleteClusterCustomObject({ ...ref, name: t.name }).catch(() => undefined);
  };
}

/** Polls fn until ok(value) or about 20 s have passed; returns the last value. */
export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, tries = 200): Promise<T> {
  let last: T = await fn();
  for (let i = 0; i < tries && !ok(last); i++) {
    await new Promise((r) => setTimeout(r, 100));
    last = await fn();
  }
  return last;
}
