// In-memory release state, fed by Kubernetes watches (or directly in tests): per host app, the
// signed release document of every listed mini-program with its gray rules compiled once; the
// host apps' credentials; the tenants' key-encryption keys and public signing keys.
// Release documents whose signature does not verify are refused (the previous one stays).

import { createHmac, createSecretKey } from 'node:crypto';
import {
  LABEL_RELEASE,
  type MiniProgramRelease,
  MiniProgramReleaseSchema,
  RELEASE_DATA_KEY,
  RELEASE_KEY_ID_ANNOTATION,
  RELEASE_SIGNATURE_KEY,
  type ReleasedVersion,
} from '@tessera/crds';
import { type CompiledRelease, compileRelease, type GrayRuleInput } from '@tessera/gray';
import { type PublicKeyInput, sha256Hex, verifyDetached } from '@tessera/runtime-sdk/package';
import { importHmacKey } from '@tessera/runtime-sdk/protocol';
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
  publicKeys: PublicKeyInput[];
}

/** Loads a user-id list ConfigMap (one id per line) referenced by a gray rule. */
export type UserListLoader = (namespace: string, name: string, key: string) => Promise<string[]>;

export interface ReleaseListener {
  applied?(doc: MiniProgramRelease, previous: MiniProgramRelease | undefined): void | Promise<void>;
  removed?(doc: MiniProgramRelease): void | Promise<void>;
}

export type ApplyResult = { ok: true } | { ok: false; reason: string };

const hostKey = (namespace: string, hostApp: string) => `${namespace}/${hostApp}`;

export class ReleaseState {
  readonly #hosts = new Map<string, HostAppState>();
  /** configmap namespace/name → host key + appId, to handle deletes and renames */
  readonly #byConfigMap = new Map<string, { host: string; appId: string }>();
  readonly #credentials = new Map<string, CredentialEntry>();
  readonly #tenants = new Map<string, TenantKeys>();
  readonly #loadUserList: UserListLoader | undefined;
  /** imported lists by namespace/configMap/key/digest, shared by every rule that names them */
  readonly #userLists = new Map<string, Promise<ReadonlySet<string>>>();
  /** bumped on every change; caches keyed on it are invalidated */
  generation = 0;
  rejected = 0;
  readonly listeners: ReleaseListener[] = [];

  constructor(options: { loadUserList?: UserListLoader } = {}) {
    this.#loadUserList = options.loadUserList;
  }

  setTenantKeys(tenant: string, keys: TenantKeys): void {
    this.#tenants.set(tenant, keys);
    this.generation++;
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
    if (meta.labels?.[LABEL_RELEASE] !== 'mini-program')
      return { ok: false, reason: 'not a mini-program release' };
    const raw = cm.data?.[RELEASE_DATA_KEY];
    const sig = cm.data?.[RELEASE_SIGNATURE_KEY];
    if (!raw || !sig)
      return this.#reject(`${meta.namespace}/${meta.name}: missing ${RELEASE_DATA_KEY} or signature`);
    let doc: MiniProgramRelease;
    try {
      const parsed = MiniProgramReleaseSchema.safeParse(JSON.parse(raw));
      if (!parsed.success)
        return this.#reject(`${meta.namespace}/${meta.name}: ${parsed.error.issues[0]?.message}`);
      doc = parsed.data;
    } catch {
      return this.#reject(`${meta.namespace}/${meta.name}: ${RELEASE_DATA_KEY} is not JSON`);
    }
    if (doc.namespace !== meta.namespace) {
      return this.#reject(`${meta.namespace}/${meta.name}: document names namespace ${doc.namespace}`);
    }
    const keys = this.#tenants.get(doc.tenant);
    if (!keys || keys.publicKeys.length === 0) {
      return this.#reject(
        `${meta.namespace}/${meta.name}: no public keys known for tenant ${doc.tenant} yet`,
      );
    }
    try {
      await verifyDetached(
        new TextEncoder().encode(raw),
        sig,
        keys.publicKeys,
        meta.annotations?.[RELEASE_KEY_ID_ANNOTATION],
        `release ConfigMap ${meta.namespace}/${meta.name}`,
      );
    } catch (e) {
      return this.#reject(`${meta.namespace}/${meta.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const rules: GrayRuleInput[] = [];
    for (const r of doc.grayRules) {
      const list = r.users?.list;
      let userSet: ReadonlySet<string> | undefined;
      if (list && this.#loadUserList) {
        const load = this.#loadUserList;
        const listKey = `${doc.namespace}/${list.configMap}/${list.key}/${list.digest}`;
        let p = this.#userLists.get(listKey);
        if (!p) {
          p = load(doc.namespace, list.configMap, list.key).then((ids) => new Set(ids));
          this.#userLists.set(listKey, p);
          p.catch(() => this.#userLists.delete(listKey));
        }
        try {
          userSet = await p;
        } catch (e) {
          return this.#reject(
            `${meta.namespace}/${meta.name}: user list ${list.configMap}/${list.key}: ${String(e)}`,
          );
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
    const key = hostKey(doc.namespace, doc.hostApp);
    let host = this.#hosts.get(key);
    if (!host) {
      host = { tenant: doc.tenant, namespace: doc.namespace, hostApp: doc.hostApp, byAppId: new Map() };
      this.#hosts.set(key, host);
    }
    const cmKey = `${meta.namespace}/${meta.name}`;
    const previous = this.#byConfigMap.get(cmKey);
    if (previous && (previous.host !== key || previous.appId !== doc.appId)) {
      this.#hosts.get(previous.host)?.byAppId.delete(previous.appId);
    }
    const before = host.byAppId.get(doc.appId)?.doc;
    host.byAppId.set(doc.appId, {
      doc,
      compiled,
      versions,
      digest: meta.annotations?.['tessera.dev/digest'] ?? (await sha256Hex(new TextEncoder().encode(raw))),
      configMap: meta.name ?? '',
      signed: { document: raw, signature: sig, keyId: meta.annotations?.[RELEASE_KEY_ID_ANNOTATION] },
    });
    this.#byConfigMap.set(cmKey, { host: key, appId: doc.appId });
    this.generation++;
    // side effects (catalog rows, webhooks) never hold up the in-memory state
    for (const l of this.listeners) void Promise.resolve(l.applied?.(doc, before)).catch(() => undefined);
    return { ok: true };
  }

  deleteConfigMap(cm: ConfigMapLike): void {
    const cmKey = `${cm.metadata?.namespace}/${cm.metadata?.name}`;
    const at = this.#byConfigMap.get(cmKey);
    if (!at) return;
    const host = this.#hosts.get(at.host);
    const gone = host?.byAppId.get(at.appId)?.doc;
    host?.byAppId.delete(at.appId);
    if (gone) for (const l of this.listeners) void l.removed?.(gone);
    this.#byConfigMap.delete(cmKey);
    this.generation++;
  }

  #reject(reason: string): ApplyResult {
    this.rejected++;
    return { ok: false, reason };
  }
}
