// HostApp: a credentials Secret (generated once with POST, rotated on request:
// hostapp-credentials.ts), and the signed
// release ConfigMaps it reads: one small ConfigMap per listed mini-program plus an index. Only
// Compiled and Approved versions are included. A document is re-signed and written only when its
// canonical bytes change, so a resync writes nothing (ECDSA signatures are randomised, so
// signing again would otherwise always differ).

import type { Controller, Manager, ReconcileResult, Reconciler } from '@tessera/controller-runtime';
import {
  type ConditionInput,
  enqueueMapped,
  enqueueObject,
  enqueueOwner,
  isAlreadyExists,
  type KubeObject,
  objectKey,
  ownerReferenceTo,
  resources,
  rfc3339,
  setConditions,
} from '@tessera/controller-runtime';
import {
  COMPILED_PHASES,
  GROUP,
  type HostApp,
  type HostAppStatus,
  indexConfigMapName,
  LABEL_HOST_APP,
  LABEL_RELEASE,
  type MiniProgram,
  type MiniProgramVersion,
  RELEASE_SIGNATURE_KEY,
  releaseConfigMapName,
  type Tenant,
} from '@tessera/crds';
import { signDetached } from '@tessera/runtime-sdk/package';
import { approvalState } from './approval.ts';
import { type ArtifactEvidence, expectedFor } from './artifact-evidence.ts';
import { BY_MINI_PROGRAM, HostAppResource, type Informers, tenantForNamespace } from './context.ts';
import {
  credentialsChange,
  credentialsGenerationOf,
  newCredentialsSecret,
  previousExpiry,
  secretCredentialsGeneration,
} from './hostapp-credentials.ts';
import { COALESCE_MS } from './miniprogram.ts';
import { boundedName, credentialsSecretName, KEY_SECRET_NAME, managedLabels } from './names.ts';
import {
  buildIndex,
  buildRelease,
  type EncodedDocument,
  encodeDocument,
  fallbackCandidates,
  isCurrent,
  releaseConfigMap,
} from './release.ts';

/** Older versions checked as possible minSdkVersion fallbacks, per mini-program. */
const MAX_FALLBACK_CANDIDATES = 8;

import { matchesSelector } from './selector.ts';
import { revokedSigningKeyIdsOf, signingKeyOf } from './tenant-keys.ts';
import type { SecretLike } from './types.ts';

type ConfigMap = KubeObject & { data?: Record<string, string> };

const EVIDENCE_RETRY_MS = 15_000;

export class HostAppReconciler implements Reconciler {
  readonly #mgr: Manager;
  readonly #i: Informers;
  /** null: status is trusted as it is (tests without a store only) */
  readonly #evidence: ArtifactEvidence | null;

  constructor(mgr: Manager, informers: Informers, evidence: ArtifactEvidence | null) {
    this.#mgr = mgr;
    this.#i = informers;
    this.#evidence = evidence;
  }

  register(c: Controller): Controller {
    const i = this.#i;
    const inNamespace = (o: KubeObject) =>
      o.metadata?.namespace ? i.hostApps.cache.list(o.metadata.namespace).map(objectKey) : [];
    const owner = <T extends KubeObject>(e: (k: string) => void) =>
      enqueueOwner<T>(e, 'HostApp', GROUP, true);
    return (
      c
        .watch(i.hostApps, enqueueObject)
        .watch(i.configMaps, owner)
        .watch(i.secrets, owner)
        .watch(i.secrets, (e) =>
          enqueueMapped(e, (s: KubeObject) => (s.metadata?.name === KEY_SECRET_NAME ? inNamespace(s) : [])),
        )
        // Coalesced: a host app's documents are rebuilt once per burst of changes, not per event.
        .watch(i.miniPrograms, (e) => enqueueMapped(e, inNamespace), c.enqueueAfter(COALESCE_MS))
        .watch(i.versions, (e) => enqueueMapped(e, inNamespace), c.enqueueAfter(COALESCE_MS))
        .watch(i.grayRules, (e) => enqueueMapped(e, inNamespace), c.enqueueAfter(COALESCE_MS))
        .watch(i.tenants, (e) =>
          enqueueMapped(e, (t: Tenant) =>
            t.status?.namespace ? i.hostApps.cache.list(t.status.namespace).map(objectKey) : [],
          ),
        )
    );
  }

  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const ha = this.#i.hostApps.cache.get(key);
    if (!ha || ha.metadata.deletionTimestamp) return;
    const ns = ha.metadata.namespace ?? '';
    const name = ha.metadata.name ?? '';
    const gen = ha.metadata.generation ?? 0;
    const prev = ha.status ?? {};
    const cond = (ok: boolean, reason: string, message: string): ConditionInput => ({
      type: 'Ready',
      status: ok ? 'True' : 'False',
      reason,
      message,
      observedGeneration: gen,
    });
    const tenant = tenantForNamespace(this.#i, ns);
    const credentials = await this.#ensureCredentials(ha);
    const credentialsSecret = credentials.secret;
    const credentialStatus = {
      credentialsSecret,
      credentialsGeneration: credentials.generation,
      ...(credentials.previousExpireAt ? { previousCredentialsExpireAt: credentials.previousExpireAt } : {}),
    };
    const result = credentials.requeueAfterMs ? { requeueAfterMs: credentials.requeueAfterMs } : undefined;
    const keySecret = this.#i.secrets.cache.getNamed(ns, KEY_SECRET_NAME) as SecretLike | undefined;
    const revoked = tenant ? revokedSigningKeyIdsOf(tenant) : new Set<string>();
    const signingKey = keySecret ? signingKeyOf(keySecret, revoked) : undefined;
    if (!tenant || !signingKey) {
      const c = !tenant
        ? cond(false, 'TenantNotFound', `no Tenant owns namespace ${ns}`)
        : keySecret
          ? cond(
              false,
              'SigningKeyRevoked',
              'the current tenant signing key is revoked; waiting for the Tenant to rotate it',
            )
          : cond(false, 'TenantKeysMissing', `waiting for the tenant key Secret ${ns}/${KEY_SECRET_NAME}`);
      const { previousCredentialsExpireAt: _before, ...kept } = prev;
      await this.#mgr.status.update(HostAppResource, ha, {
        ...kept,
        observedGeneration: gen,
        ...credentialStatus,
        conditions: setConditions(prev.conditions, [c]),
      });
      return result;
    }
    const tenantName = tenant.metadata.name ?? '';
    const required = tenant.spec.reviewPolicy?.requiredRoles;
    const claimsReleasable = (v: MiniProgramVersion) =>
      COMPILED_PHASES.has(v.status?.phase ?? '') &&
      v.status?.artifact !== undefined &&
      !revoked.has(v.status.artifact.keyId) &&
      approvalState(required, v.status?.approvals).approved;
    const evidence = this.#evidence;
    const isReleasable = (v: MiniProgramVersion) =>
      claimsReleasable(v) &&
      (evidence === null || evidence.verdict(v, expectedFor(tenant, v, keySecret))?.ok === true);

    const listed = this.#listed(ha);
    // What status claims is releasable is released only once its artifact proves it.
    const verdicts = evidence
      ? await evidence.checkAll(
          listed
            .flatMap((mp) => this.#referenced(mp))
            .filter(claimsReleasable)
            .map((v) => ({ v, expected: expectedFor(tenant, v, keySecret) })),
        )
      : [];
    const unproven = verdicts.some((v) => !v.ok && !v.final);
    const missing = (ha.spec.miniPrograms.names ?? []).filter(
      (n) => !listed.some((m) => m.metadata.name === n),
    );
    const entries: Array<{ name: string; appId: string; configMap: string; digest: string }> = [];
    const wanted = new Set<string>();
    for (const mp of listed) {
      const mpName = mp.metadata.name ?? '';
      const doc = encodeDocument(
        buildRelease({
          tenant: tenantName,
          hostApp: ha,
          miniProgram: mp,
          versions: this.#i.versions.cache.byIndex(BY_MINI_PROGRAM, objectKey(mp)),
          grayRules: this.#i.grayRules.cache.byIndex(BY_MINI_PROGRAM, objectKey(mp)),
          isReleasable,
        }),
      );
      const cmName = releaseConfigMapName(name, mpName);
      wanted.add(cmName);
      await this.#write(ha, tenantName, cmName, 'mini-program', mpName, doc, signingKey);
      entries.push({ name: mpName, appId: mp.spec.appId, configMap: cmName, digest: doc.digest });
    }
    const index = encodeDocument(buildIndex(tenantName, ha, entries));
    const indexName = indexConfigMapName(name);
    await this.#write(ha, tenantName, indexName, 'index', undefined, index, signingKey);

    // Mini-programs no longer listed: their release ConfigMaps go.
    for (const cm of this.#i.configMaps.cache.list(ns)) {
      const l = cm.metadata?.labels ?? {};
      if (
        l[LABEL_RELEASE] === 'mini-program' &&
        l[LABEL_HOST_APP] === boundedName(name, 63) &&
        !wanted.has(cm.metadata?.name ?? '')
      ) {
        await this.#mgr.client.delete(resources.ConfigMaps, ns, cm.metadata?.name ?? '');
      }
    }

    const status: HostAppStatus = {
      observedGeneration: gen,
      ...credentialStatus,
      indexConfigMap: indexName,
      indexDigest: index.digest,
      releases: entries.map((e) => ({ miniProgram: e.name, configMap: e.configMap, digest: e.digest })),
      listedMiniPrograms: entries.length,
      conditions: setConditions(prev.conditions, [
        missing.length
          ? cond(
              false,
              'MiniProgramsMissing',
              `listed mini-programs do not exist: ${missing.slice(0, 20).join(', ')}`,
            )
          : cond(true, 'Ready', `${entries.length} mini-programs released to this host app`),
      ]),
    };
    const updated = await this.#mgr.status.update(HostAppResource, ha, status);
    if (updated && prev.indexDigest !== index.digest) {
      this.#mgr.events.record(
        ha,
        'Normal',
        'ReleasesUpdated',
        `release index ${indexName} is now ${index.digest}`,
      );
    }
    // evidence that could not be read yet (store unreachable, artifact not uploaded) is read again
    return unproven
      ? { requeueAfterMs: Math.min(result?.requeueAfterMs ?? EVIDENCE_RETRY_MS, EVIDENCE_RETRY_MS) }
      : result;
  }

  /** The versions of `mp` its stableVersion or an active GrayRule names. */
  #referenced(mp: MiniProgram): MiniProgramVersion[] {
    const wanted = new Set<string>();
    if (mp.spec.stableVersion) wanted.add(mp.spec.stableVersion);
    for (const r of this.#i.grayRules.cache.byIndex(BY_MINI_PROGRAM, objectKey(mp)))
      if (r.status?.active) wanted.add(r.spec.version);
    const versions = this.#i.versions.cache.byIndex(BY_MINI_PROGRAM, objectKey(mp));
    const stable = versions.find((v) => v.spec.version === mp.spec.stableVersion);
    // older versions that may serve SDKs too old for the stable one (release.ts fallbacksFor)
    if (stable)
      for (const v of fallbackCandidates(stable.spec, versions).slice(0, MAX_FALLBACK_CANDIDATES))
        wanted.add(v.spec.version);
    return versions.filter((v) => wanted.has(v.spec.version));
  }

  #listed(ha: HostApp): MiniProgram[] {
    const ns = ha.metadata.namespace ?? '';
    const names = new Set(ha.spec.miniPrograms.names ?? []);
    const sel = ha.spec.miniPrograms.selector;
    return this.#i.miniPrograms.cache
      .list(ns)
      .filter(
        (mp) =>
          names.has(mp.metadata.name ?? '') ||
          (sel !== undefined && matchesSelector(mp.metadata.labels, sel)),
      )
      .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  }

  async #write(
    ha: HostApp,
    tenant: string,
    cmName: string,
    kind: 'mini-program' | 'index',
    mp: string | undefined,
    doc: EncodedDocument,
    key: { keyId: string; key: string },
  ): Promise<void> {
    const live = this.#i.configMaps.cache.getNamed(ha.metadata.namespace, cmName) as ConfigMap | undefined;
    // Same bytes, same key: keep the existing signature (and send nothing if labels are intact).
    const signature =
      isCurrent(live, doc, key.keyId) && live?.data?.[RELEASE_SIGNATURE_KEY]
        ? { keyId: key.keyId, signature: live.data[RELEASE_SIGNATURE_KEY] }
        : await signDetached(new TextEncoder().encode(doc.json), key);
    await this.#mgr.applier.apply(
      resources.ConfigMaps,
      releaseConfigMap(ha, tenant, cmName, kind, mp, doc, signature),
      live,
    );
  }

  /**
   * sdkKey/sdkSecret: created once, rotated when spec.credentials.generation grows (the previous
   * pair stays valid for the grace period, then is dropped). Returns what status reports and when
   * to come back to drop the previous pair.
   */
  async #ensureCredentials(ha: HostApp): Promise<CredentialsState> {
    const ns = ha.metadata.namespace ?? '';
    const name = credentialsSecretName(ha.metadata.name ?? '');
    const live = this.#i.secrets.cache.getNamed(ns, name) as SecretLike | undefined;
    if (!live) {
      const tenant = tenantForNamespace(this.#i, ns)?.metadata.name ?? '';
      try {
        await this.#mgr.client.create(
          resources.Secrets,
          newCredentialsSecret(ha, name, {
            namespace: ns,
            labels: managedLabels(tenant, { [LABEL_HOST_APP]: boundedName(ha.metadata.name ?? '', 63) }),
            ownerReferences: [ownerReferenceTo(ha)],
          }),
        );
        this.#mgr.events.record(
          ha,
          'Normal',
          'CredentialsCreated',
          `created Secret ${ns}/${name} with sdkKey and sdkSecret`,
        );
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
      return { secret: name, generation: credentialsGenerationOf(ha) };
    }
    const change = credentialsChange(ha, live);
    let current = live;
    if (change.kind !== 'none') {
      current = (await this.#mgr.client.update(resources.Secrets, change.secret as KubeObject)) as SecretLike;
      if (change.kind === 'rotate')
        this.#mgr.events.record(
          ha,
          'Normal',
          'CredentialsRotated',
          `wrote a new sdkKey/sdkSecret to Secret ${ns}/${name}; the previous pair is accepted until ${change.expiresAt}`,
        );
      else
        this.#mgr.events.record(
          ha,
          'Normal',
          'PreviousCredentialsExpired',
          `dropped the previous sdkKey/sdkSecret from Secret ${ns}/${name}: its grace period ended`,
        );
    }
    const expiry = previousExpiry(current);
    return {
      secret: name,
      generation: secretCredentialsGeneration(current),
      ...(expiry !== undefined
        ? { previousExpireAt: rfc3339(new Date(expiry)), requeueAfterMs: Math.max(1000, expiry - Date.now()) }
        : {}),
    };
  }
}

interface CredentialsState {
  secret: string;
  generation: number;
  previousExpireAt?: string;
  requeueAfterMs?: number;
}
