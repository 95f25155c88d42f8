// In-memory release state, fed by Kubernetes watches (or directly in tests): per host app, the
// signed release document of every listed mini-program with its gray rules compiled once; the
// host apps' credentials; the tenants' key-encryption keys and public signing keys.
// Release documents whose signature does not verify are refused (the previous one stays).
//
// Imported user lists: a gray rule may reference a published list ConfigMap by digest
// (`users.list`, format in @tessera/crds userlist.ts). The list ConfigMaps are fed in with
// setUserListConfigMap; a rule's list is used only after its bytes hash to the digest in the
// signed document. Policy when the list is missing or does not match: the RULE is refused (left
// out of the compiled release, reported in ApplyResult.refusedRules), the rest of the release is
// served, and the release is compiled again as soon as a list ConfigMap with that name arrives.
// An unverifiable list is never served, not even an earlier one: the signed document pins the
// exact list, and leaving a gray rule out only sends its users to the stable version, the safe
// side. Verified lists are kept as one Set per digest, shared by every release that names it.

import { createHmac, createSecretKey } from 'node:crypto';
import {
  HostAppIndexSchema,
  LABEL_RELEASE,
  type MiniProgramRelease,
  MiniProgramReleaseSchema,
  RELEASE_DATA_KEY,
  RELEASE_KEY_ID_ANNOTATION,
  RELEASE_SIGNATURE_KEY,
  type ReleasedVersion,
  readPublishedUserList,
} from '@tessera/crds';
import { type CompiledRelease, compileRelease, type GrayRuleInput } from '@tessera/gray';
import { type PublicKeyInput, sha256Hex, verifyDetached } from '@tessera/runtime-sdk/package';
import { importHmacKey } from '@tessera/runtime-sdk/protocol';
import type { z } from 'zod';
import type { HostAppCredentials } from './keys.ts';

export interface ConfigMapLike {
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  data?: Record<string, string>;
}

export interface MiniProgramEntry {
  doc: MiniProgramRelease;
  compiled: CompiledRelease;
  /** version → released version (stable and candidates) */
  versions: Map<string, ReleasedVersion>;
  digest: string;
  configMap: string;
  /** the exact signed bytes, signature and key id (returned to SDKs that verify) */
  signed: { document: string; signature: string; keyId?: string | undefined };
  /** digests of the imported user lists the compiled rules use */
  userLists: readonly string[];
}

export interface HostAppState {
  tenant: string;
  namespace: string;
  hostApp: string;
  byAppId: Map<string, MiniProgramEntry>;
}

export interface CredentialEntry extends HostAppCredentials {
  /** WebCrypto key (session tokens) */
  key: CryptoKey;
  /** native HMAC-SHA256 hex of a message with the sdkSecret (request signatures, hot path) */
  hmac: (message: string) => string;
}

export interface TenantKeys {
  namespace: string;
  keks: Map<string, CryptoKey>;
  /** trusted public signing keys (never a revoked one) */
  publicKeys: PublicKeyInput[];
  /** signing key ids the tenant revoked: nothing signed by them is served */
  revokedKeyIds?: ReadonlySet<string>;
}

/** Platforms whose host apps identify themselves by an application id (launch `hostBundleId`). */
export const NATIVE_PLATFORMS = ['ios', 'android', 'harmony', 'desktop'] as const;
export type NativePlatform = (typeof NATIVE_PLATFORMS)[number];

/** What a host app's credentials are bound to: HostApp.spec.platforms, from its signed index. */
export interface HostBinding {
  /** the index ConfigMap (namespace/name) it came from */
  configMap: string;
  /** the tenant and the signing key of the index */
  tenant: string;
  keyId: string | undefined;
  /** serialised origins (scheme://host[:port]) of web host pages */
  webOrigins: ReadonlySet<string>;
  /** declared application id per native platform (bundle id, package name, …) */
  nativeIds: Partial<Record<NativePlatform, string>>;
}

/** An origin as browsers serialise it in the Origin header; undefined when it is not one. */
export function normalizeOrigin(origin: string): string | undefined {
  try {
    const u = new URL(origin);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin !== 'null' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

export interface ReleaseListener {
  applied?(doc: MiniProgramRelease, previous: MiniProgramRelease | undefined): void | Promise<void>;
  removed?(doc: MiniProgramRelease): void | Promise<void>;
}

export type ApplyResult =
  | { ok: true; refusedRules: { rule: string; reason: string }[] }
  /** `superseded`: a newer version of the same ConfigMap (or its deletion) came in meanwhile */
  | { ok: false; reason: string; superseded?: true };

const hostKey = (namespace: string, hostApp: string) => `${namespace}/${hostApp}`;

export class ReleaseState {
  readonly #hosts = new Map<string, HostAppState>();
  /** configmap namespace/name → host key + appId, to handle deletes and renames */
  readonly #byConfigMap = new Map<string, { host: string; appId: string }>();
  readonly #credentials = new Map<string, CredentialEntry>();
  readonly #tenants = new Map<string, TenantKeys>();
  /** published user-list ConfigMaps' data by namespace/name */
  readonly #listSources = new Map<string, Record<string, string>>();
  /** verified user lists in use, by digest, with the number of releases using each */
  readonly #lists = new Map<string, { set: ReadonlySet<string>; refs: number }>();
  /** verifications in flight, by digest and source, so N releases naming a list hash it once */
  readonly #verifying = new Map<string, Promise<ReadonlySet<string>>>();
  /** release ConfigMaps with a refused rule, to compile again when one of `lists` arrives */
  readonly #waiting = new Map<string, { cm: ConfigMapLike; change: number; lists: Set<string> }>();
  /** last change number per release ConfigMap: an apply that was overtaken does not commit */
  readonly #latest = new Map<string, number>();
  /** host key → what its credentials are bound to */
  readonly #bindings = new Map<string, HostBinding>();
  /** web origins of every host app, with the number of host apps listing each (CORS preflight) */
  readonly #origins = new Map<string, number>();
  #changes = 0;
  /** bumped on every change; caches keyed on it are invalidated */
  generation = 0;
  rejected = 0;
  readonly listeners: ReleaseListener[] = [];

  setTenantKeys(tenant: string, keys: TenantKeys): void {
    const revoked = keys.revokedKeyIds ?? new Set<string>();
    // the store's keys always carry their id (Tenant status)
    const trusted = keys.publicKeys.filter(
      (k) => typeof k === 'string' || k instanceof Uint8Array || !revoked.has(k.keyId),
    );
    this.#tenants.set(tenant, { ...keys, publicKeys: trusted });
    this.#dropSignedByRevokedKeys(tenant, revoked);
    this.generation++;
  }

  /**
   * Release documents and host-app indexes signed by a key the tenant has just revoked stop being served at once (not
   * "the previous one stays": it is the previous one that is no longer trusted). The operator
   * signs them again with the current key, and those arrive as updates.
   */
  #dropSignedByRevokedKeys(tenant: string, revoked: ReadonlySet<string>): void {
    if (revoked.size === 0) return;
    for (const b of [...this.#bindings.values()])
      if (b.tenant === tenant && revoked.has(b.keyId ?? '')) this.#dropBinding(b.configMap);
    for (const [cmKey, at] of this.#byConfigMap) {
      const host = this.#hosts.get(at.host);
      const entry = host?.tenant === tenant ? host.byAppId.get(at.appId) : undefined;
      if (!entry || !revoked.has(entry.signed.keyId ?? '')) continue;
      this.#dropEntry(cmKey);
    }
  }

  /** Whether `keyId` is a signing key the tenant revoked. */
  isRevoked(tenant: string, keyId: string | undefined): boolean {
    return keyId !== undefined && (this.#tenants.get(tenant)?.revokedKeyIds?.has(keyId) ?? false);
  }

  tenantKeys(tenant: string): TenantKeys | undefined {
    return this.#tenants.get(tenant);
  }

  deleteTenant(tenant: string): void {
    this.#tenants.delete(tenant);
    this.generation++;
  }

  tenantNames(): string[] {
    return [...this.#tenants.keys()];
  }

  async setCredentials(creds: HostAppCredentials): Promise<void> {
    const secret = createSecretKey(Buffer.from(creds.sdkSecret, 'utf8'));
    this.#credentials.set(creds.sdkKey, {
      ...creds,
      key: await importHmacKey(creds.sdkSecret),
      hmac: (message) => createHmac('sha256', secret).update(message).digest('hex'),
    });
    this.generation++;
  }

  deleteCredentials(sdkKey: string): void {
    this.#credentials.delete(sdkKey);
    this.generation++;
  }

  credentials(sdkKey: string): CredentialEntry | undefined {
    return this.#credentials.get(sdkKey);
  }

  host(namespace: string, hostApp: string): HostAppState | undefined {
    return this.#hosts.get(hostKey(namespace, hostApp));
  }

  hosts(): IterableIterator<HostAppState> {
    return this.#hosts.values();
  }

  /** Verifies and applies one release ConfigMap (label tessera.dev/release=mini-program). */
  async applyConfigMap(cm: ConfigMapLike): Promise<ApplyResult> {
    const meta = cm.metadata ?? {};
    const change = ++this.#changes;
    this.#latest.set(`${meta.namespace}/${meta.name}`, change);
    if (meta.labels?.[LABEL_RELEASE] !== 'mini-program')
      return { ok: false, reason: 'not a mini-program release' };
    const verified = await this.#verified(cm, MiniProgramReleaseSchema);
    if (!verified.ok) return verified;
    const { doc, raw, sig } = verified;
    const rules: GrayRuleInput[] = [];
    const refusedRules: { rule: string; reason: string }[] = [];
    const waitingFor = new Set<string>();
    const used = new Map<string, ReadonlySet<string>>();
    for (const r of doc.grayRules) {
      const list = r.users?.list;
      let userSet: ReadonlySet<string> | undefined;
      if (list) {
        try {
          userSet = await this.#userList(doc.namespace, list);
          used.set(list.digest, userSet);
        } catch (e) {
          refusedRules.push({
            rule: r.name,
            reason: `user list ConfigMap ${doc.namespace}/${list.configMap}: ${e instanceof Error ? e.message : String(e)}`,
          });
          waitingFor.add(`${doc.namespace}/${list.configMap}`);
          continue;
        }
      }
      rules.push({ ...r, miniProgram: doc.miniProgram, userIds: r.users?.ids, userSet });
    }
    const compiled = compileRelease({
      miniProgram: doc.miniProgram,
      stableVersion: doc.stable?.version,
      suspended: doc.suspended,
      rules,
    });
    const versions = new Map<string, ReleasedVersion>();
    if (doc.stable) versions.set(doc.stable.version, doc.stable);
    for (const c of doc.candidates) versions.set(c.version, c);
    for (const f of doc.fallbacks ?? []) if (!versions.has(f.version)) versions.set(f.version, f);
    const digest =
      meta.annotations?.['tessera.dev/digest'] ?? (await sha256Hex(new TextEncoder().encode(raw)));
    const cmKey = `${meta.namespace}/${meta.name}`;
    if (this.#latest.get(cmKey) !== change)
      return { ok: false, reason: 'superseded by a newer version', superseded: true };
    if (waitingFor.size > 0) this.#waiting.set(cmKey, { cm, change, lists: waitingFor });
    else this.#waiting.delete(cmKey);
    const key = hostKey(doc.namespace, doc.hostApp);
    let host = this.#hosts.get(key);
    if (!host) {
      host = { tenant: doc.tenant, namespace: doc.namespace, hostApp: doc.hostApp, byAppId: new Map() };
      this.#hosts.set(key, host);
    }
    const previous = this.#byConfigMap.get(cmKey);
    if (previous && (previous.host !== key || previous.appId !== doc.appId)) {
      const moved = this.#hosts.get(previous.host)?.byAppId;
      this.#releaseLists(moved?.get(previous.appId)?.userLists);
      moved?.delete(previous.appId);
    }
    const replaced = host.byAppId.get(doc.appId);
    const before = replaced?.doc;
    for (const [d, set] of used) {
      const e = this.#lists.get(d);
      if (e) e.refs++;
      else this.#lists.set(d, { set, refs: 1 });
    }
    this.#releaseLists(replaced?.userLists);
    host.byAppId.set(doc.appId, {
      doc,
      compiled,
      versions,
      digest,
      configMap: meta.name ?? '',
      signed: { document: raw, signature: sig, keyId: meta.annotations?.[RELEASE_KEY_ID_ANNOTATION] },
      userLists: [...used.keys()],
    });
    this.#byConfigMap.set(cmKey, { host: key, appId: doc.appId });
    this.generation++;
    // side effects (catalog rows, webhooks) never hold up the in-memory state
    for (const l of this.listeners) void Promise.resolve(l.applied?.(doc, before)).catch(() => undefined);
    return { ok: true, refusedRules };
  }

  deleteConfigMap(cm: ConfigMapLike): void {
    const cmKey = `${cm.metadata?.namespace}/${cm.metadata?.name}`;
    this.#latest.delete(cmKey);
    this.#waiting.delete(cmKey);
    this.#dropEntry(cmKey);
  }

  /** Stops serving the release document of one ConfigMap. */
  #dropEntry(cmKey: string): void {
    const at = this.#byConfigMap.get(cmKey);
    if (!at) return;
    const host = this.#hosts.get(at.host);
    const gone = host?.byAppId.get(at.appId);
    host?.byAppId.delete(at.appId);
    this.#releaseLists(gone?.userLists);
    if (gone) for (const l of this.listeners) void l.removed?.(gone.doc);
    this.#byConfigMap.delete(cmKey);
    this.generation++;
  }

  /**
   * Verifies and applies a host-app index ConfigMap (label tessera.dev/release=index): the
   * platforms the host app's credentials are bound to.
   */
  async applyIndexConfigMap(cm: ConfigMapLike): Promise<ApplyResult> {
    const meta = cm.metadata ?? {};
    const cmKey = `${meta.namespace}/${meta.name}`;
    const change = ++this.#changes;
    this.#latest.set(cmKey, change);
    if (meta.labels?.[LABEL_RELEASE] !== 'index') return { ok: false, reason: 'not a host-app index' };
    const verified = await this.#verified(cm, HostAppIndexSchema);
    if (!verified.ok) return verified;
    if (this.#latest.get(cmKey) !== change)
      return { ok: false, reason: 'superseded by a newer version', superseded: true };
    const p = verified.doc.platforms;
    const origins = (p.web?.origins ?? []).map(normalizeOrigin).filter((o) => o !== undefined);
    const nativeIds: Partial<Record<NativePlatform, string>> = {
      ...(p.ios ? { ios: p.ios.bundleId } : {}),
      ...(p.android ? { android: p.android.packageName } : {}),
      ...(p.harmony ? { harmony: p.harmony.bundleName } : {}),
      ...(p.desktop ? { desktop: p.desktop.appId } : {}),
    };
    const key = hostKey(verified.doc.namespace, verified.doc.hostApp);
    this.#dropBinding(cmKey);
    this.#bindings.set(key, {
      configMap: cmKey,
      tenant: verified.doc.tenant,
      keyId: meta.annotations?.[RELEASE_KEY_ID_ANNOTATION],
      webOrigins: new Set(origins),
      nativeIds,
    });
    for (const o of new Set(origins)) this.#origins.set(o, (this.#origins.get(o) ?? 0) + 1);
    this.generation++;
    return { ok: true, refusedRules: [] };
  }

  deleteIndexConfigMap(cm: ConfigMapLike): void {
    const cmKey = `${cm.metadata?.namespace}/${cm.metadata?.name}`;
    this.#latest.delete(cmKey);
    this.#dropBinding(cmKey);
    this.generation++;
  }

  /** What the host app's credentials are bound to; undefined until its signed index is applied. */
  binding(namespace: string, hostApp: string): HostBinding | undefined {
    return this.#bindings.get(hostKey(namespace, hostApp));
  }

  /** Whether some host app lists `origin` (serialised) among its web origins. */
  originListed(origin: string): boolean {
    return this.#origins.has(origin);
  }

  #dropBinding(cmKey: string): void {
    for (const [key, b] of this.#bindings) {
      if (b.configMap !== cmKey) continue;
      this.#bindings.delete(key);
      for (const o of b.webOrigins) {
        const n = (this.#origins.get(o) ?? 0) - 1;
        if (n > 0) this.#origins.set(o, n);
        else this.#origins.delete(o);
      }
    }
  }

  /**
   * A published user-list ConfigMap (label tessera.dev/user-list) was added or changed: kept
   * for verification; releases with a rule waiting for it are compiled again.
   */
  setUserListConfigMap(cm: ConfigMapLike): Promise<ApplyResult[]> {
    const listKey = `${cm.metadata?.namespace}/${cm.metadata?.name}`;
    this.#listSources.set(listKey, cm.data ?? {});
    // a waiting release overtaken by a newer version in flight is left to that version
    const again = [...this.#waiting]
      .filter(([key, w]) => w.lists.has(listKey) && this.#latest.get(key) === w.change)
      .map(([, w]) => w.cm);
    return Promise.all(again.map((c) => this.applyConfigMap(c)));
  }

  /** Releases already compiled keep their verified lists; only new verifications need the data. */
  deleteUserListConfigMap(cm: ConfigMapLike): void {
    this.#listSources.delete(`${cm.metadata?.namespace}/${cm.metadata?.name}`);
  }

  /** Imported lists held in memory (one Set per digest) and their total ids. */
  userListStats(): { lists: number; ids: number; waitingReleases: number } {
    let ids = 0;
    for (const e of this.#lists.values()) ids += e.set.size;
    return { lists: this.#lists.size, ids, waitingReleases: this.#waiting.size };
  }

  async #userList(
    namespace: string,
    list: { configMap: string; key: string; digest: string },
  ): Promise<ReadonlySet<string>> {
    const known = this.#lists.get(list.digest);
    if (known) return known.set;
    const listKey = `${namespace}/${list.configMap}`;
    const data = this.#listSources.get(listKey);
    if (!data) throw new Error('not found (not published yet, or deleted)');
    const inFlight = `${list.digest}@${listKey}/${list.key}`;
    let p = this.#verifying.get(inFlight);
    if (!p) {
      p = readPublishedUserList(data[list.key], list.digest).then((ids) => new Set(ids));
      this.#verifying.set(inFlight, p);
      const forget = () => this.#verifying.delete(inFlight);
      p.then(forget, forget);
    }
    return p;
  }

  #releaseLists(digests: readonly string[] | undefined): void {
    for (const d of digests ?? []) {
      const e = this.#lists.get(d);
      if (e && --e.refs <= 0) this.#lists.delete(d);
    }
  }

  /**
   * Parses and verifies a signed release ConfigMap (a mini-program document or a host-app index):
   * the document names the ConfigMap's namespace, and the signature verifies with a trusted key
   * of the tenant it names. A document signed by a revoked key is also no longer served.
   */
  async #verified<T extends { tenant: string; namespace: string }>(
    cm: ConfigMapLike,
    schema: z.ZodType<T>,
  ): Promise<{ ok: true; doc: T; raw: string; sig: string } | { ok: false; reason: string }> {
    const meta = cm.metadata ?? {};
    const where = `${meta.namespace}/${meta.name}`;
    const raw = cm.data?.[RELEASE_DATA_KEY];
    const sig = cm.data?.[RELEASE_SIGNATURE_KEY];
    if (!raw || !sig) return this.#reject(`${where}: missing ${RELEASE_DATA_KEY} or signature`);
    let doc: T;
    try {
      const parsed = schema.safeParse(JSON.parse(raw));
      if (!parsed.success) return this.#reject(`${where}: ${parsed.error.issues[0]?.message}`);
      doc = parsed.data;
    } catch {
      return this.#reject(`${where}: ${RELEASE_DATA_KEY} is not JSON`);
    }
    if (doc.namespace !== meta.namespace) {
      return this.#reject(`${where}: document names namespace ${doc.namespace}`);
    }
    const keys = this.#tenants.get(doc.tenant);
    const keyId = meta.annotations?.[RELEASE_KEY_ID_ANNOTATION];
    if (keyId !== undefined && keys?.revokedKeyIds?.has(keyId)) {
      this.#dropEntry(where);
      this.#dropBinding(where);
      return this.#reject(`${where}: signed by the revoked signing key ${keyId}`);
    }
    if (!keys || keys.publicKeys.length === 0) {
      return this.#reject(`${where}: no public keys known for tenant ${doc.tenant} yet`);
    }
    try {
      await verifyDetached(
        new TextEncoder().encode(raw),
        sig,
        keys.publicKeys,
        keyId,
        `release ConfigMap ${where}`,
      );
    } catch (e) {
      return this.#reject(`${where}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return { ok: true, doc, raw, sig };
  }

  #reject(reason: string): { ok: false; reason: string } {
    this.rejected++;
    return { ok: false, reason };
  }
}
