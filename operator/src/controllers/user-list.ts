// A GrayRule's imported user list (spec.users.configMapRef): read the source ConfigMap when it
// changes, validate it, publish it as a content-addressed list ConfigMap that release documents
// reference by digest (format and rationale: @tessera/crds userlist.ts), and report the outcome
// for the rule's status. The ids are never kept in memory between reconciles: only the digest of
// what was published for each source resourceVersion (forgotten when the published list is
// deleted, so it is written again).

import type { ConditionInput, Manager } from '@tessera/controller-runtime';
import { type KubeObject, ownerReferenceTo, resources } from '@tessera/controller-runtime';
import {
  type GrayRule,
  type GrayRuleStatus,
  LABEL_RELEASE,
  LABEL_USER_LIST,
  parseUserList,
  RELEASE_DATA_KEY,
  USER_LIST_COUNT_ANNOTATION,
  USER_LIST_DATA_KEY,
  USER_LIST_DIGEST_ANNOTATION,
  userListDigest,
} from '@tessera/crds';
import type { Informers } from './context.ts';
import { boundedName, managedLabels } from './names.ts';

export type UserList = NonNullable<GrayRuleStatus['userList']>;
type ConfigMap = KubeObject & { data?: Record<string, string>; binaryData?: Record<string, string> };
type Failure = { reason: 'UserListNotFound' | 'UserListInvalid' | 'UserListTooLarge'; message: string };
type Loaded = { ok: true; list: UserList } | ({ ok: false } & Failure);

export interface UserListOutcome {
  /** What status.userList should say (the last valid list is kept while the source is invalid). */
  userList: UserList | undefined;
  condition: Omit<ConditionInput, 'observedGeneration'>;
  /** Present when the source could not be used: worth a Warning event. */
  failure?: Failure;
}

export const userListConfigMapName = (rule: string, digest: string) =>
  boundedName(`tessera-users-${rule}-${digest.replace(/^sha256:/, '').slice(0, 12)}`, 253);

/** True when the published list in status still belongs to the rule's current reference. */
export function currentUserList(rule: GrayRule): UserList | undefined {
  const ref = rule.spec.users?.configMapRef;
  const list = rule.status?.userList;
  return ref && list && list.source.name === ref.name && list.source.key === ref.key ? list : undefined;
}

export class UserListPublisher {
  readonly #mgr: Manager;
  readonly #i: Informers;
  // rule namespace/name -> what its source (at one resourceVersion) gave.
  readonly #seen = new Map<string, { source: string; loaded: Loaded }>();

  constructor(mgr: Manager, informers: Informers) {
    this.#mgr = mgr;
    this.#i = informers;
    // A deleted published list is written again: forget what was published for its rule, so the
    // reconcile its owner event triggers reads the source and applies the list anew.
    informers.configMaps.addHandler({
      onDelete: (cm) => {
        const rule = cm.metadata?.ownerReferences?.find((o) => o.kind === 'GrayRule')?.name;
        const key = `${cm.metadata?.namespace ?? ''}/${rule ?? ''}`;
        const seen = this.#seen.get(key)?.loaded;
        if (rule && seen?.ok && seen.list.configMap === cm.metadata?.name) this.#seen.delete(key);
      },
    });
  }

  /** The rule is gone (its published lists go with it through their owner reference). */
  forget(ruleKey: string): void {
    this.#seen.delete(ruleKey);
  }

  async reconcile(rule: GrayRule, tenant: string): Promise<UserListOutcome | undefined> {
    const ns = rule.metadata.namespace ?? '';
    const ruleKey = `${ns}/${rule.metadata.name ?? ''}`;
    const ref = rule.spec.users?.configMapRef;
    if (!ref) {
      this.#seen.delete(ruleKey);
      if (rule.status?.userList) await this.#deleteStale(rule, new Set());
      return undefined;
    }
    const meta = this.#i.configMapMeta.cache.getNamed(ns, ref.name);
    let loaded: Loaded;
    if (!meta) {
      loaded = {
        ok: false,
        reason: 'UserListNotFound',
        message: `ConfigMap ${ns}/${ref.name} named by spec.users.configMapRef does not exist`,
      };
    } else {
      const source = `${ref.name}/${ref.key}@${meta.metadata?.resourceVersion ?? ''}`;
      const seen = this.#seen.get(ruleKey);
      loaded = seen?.source === source ? seen.loaded : await this.#load(rule, tenant, ref.name, ref.key);
      this.#seen.set(ruleKey, { source, loaded });
    }

    const previous = currentUserList(rule);
    if (loaded.ok) {
      await this.#deleteStale(rule, new Set([loaded.list.configMap, previous?.configMap ?? '']));
      return {
        userList: loaded.list,
        condition: {
          type: 'UsersLoaded',
          status: 'True',
          reason: 'UserListPublished',
          message: `${loaded.list.count} user ids from ConfigMap ${ref.name} key ${ref.key} (${loaded.list.digest})`,
        },
      };
    }
    // A missing source withdraws the list; an invalid one keeps serving the last valid list, as
    // long as that list is still published (its content cannot be rebuilt from an invalid source).
    const kept =
      loaded.reason !== 'UserListNotFound' &&
      previous &&
      this.#i.configMaps.cache.getNamed(ns, previous.configMap)
        ? previous
        : undefined;
    await this.#deleteStale(rule, new Set([kept?.configMap ?? '']));
    const failure: Failure = { reason: loaded.reason, message: loaded.message };
    return {
      userList: kept,
      failure,
      condition: {
        type: 'UsersLoaded',
        status: 'False',
        reason: loaded.reason,
        message: kept
          ? `${loaded.message}; still serving the previous list (${kept.digest})`
          : loaded.message,
      },
    };
  }

  async #load(rule: GrayRule, tenant: string, name: string, key: string): Promise<Loaded> {
    const ns = rule.metadata.namespace ?? '';
    const source = await this.#mgr.client.get<ConfigMap>(resources.ConfigMaps, ns, name);
    if (!source)
      return {
        ok: false,
        reason: 'UserListNotFound',
        message: `ConfigMap ${ns}/${name} named by spec.users.configMapRef does not exist`,
      };
    const text = source.data?.[key];
    if (text === undefined)
      return {
        ok: false,
        reason: 'UserListInvalid',
        message: source.binaryData?.[key]
          ? `ConfigMap ${ns}/${name} holds ${key} in binaryData; put the ids (one per line) in data`
          : `ConfigMap ${ns}/${name} has no key ${key}; spec.users.configMapRef.key must name the data key holding the ids`,
      };
    const parsed = parseUserList(text);
    if (!parsed.ok)
      return {
        ok: false,
        reason: parsed.reason,
        message: `ConfigMap ${ns}/${name} key ${key}: ${parsed.message}`,
      };
    const digest = await userListDigest(parsed.text);
    const list: UserList = {
      configMap: userListConfigMapName(rule.metadata.name ?? '', digest),
      key: USER_LIST_DATA_KEY,
      digest,
      count: parsed.ids.length,
      source: { name, key },
    };
    const live = this.#i.configMaps.cache.getNamed(ns, list.configMap);
    // Content-addressed: an existing list under this name already holds these bytes. Applied
    // directly, not through the Applier's memo: this runs only when the source changed or the
    // published list was deleted, and then the list must be written.
    if (live?.metadata?.annotations?.[USER_LIST_DIGEST_ANNOTATION] !== digest) {
      await this.#mgr.client.apply(
        resources.ConfigMaps,
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: list.configMap,
            namespace: ns,
            labels: managedLabels(tenant, { [LABEL_USER_LIST]: boundedName(rule.metadata.name ?? '', 63) }),
            annotations: {
              [USER_LIST_DIGEST_ANNOTATION]: digest,
              [USER_LIST_COUNT_ANNOTATION]: String(list.count),
            },
            ownerReferences: [ownerReferenceTo(rule)],
          },
          immutable: true,
          data: { [USER_LIST_DATA_KEY]: parsed.text },
        } as KubeObject,
        this.#mgr.applier.fieldManager,
      );
    }
    return { ok: true, list };
  }

  /**
   * Deletes this rule's published lists other than `keep` (the current and previous one) that no
   * release ConfigMap references any more: the store may still be serving a release document that
   * names an older list until the HostApp controller rewrites it (release events requeue rules
   * with a list, so the deletion follows).
   */
  async #deleteStale(rule: GrayRule, keep: ReadonlySet<string>): Promise<void> {
    const ns = rule.metadata.namespace ?? '';
    const cms = this.#i.configMaps.cache.list(ns);
    const releases = cms.filter((cm) => cm.metadata?.labels?.[LABEL_RELEASE] !== undefined);
    for (const cm of cms) {
      const name = cm.metadata?.name ?? '';
      const owned = cm.metadata?.ownerReferences?.some((o) => o.uid === rule.metadata.uid);
      if (!owned || cm.metadata?.labels?.[LABEL_USER_LIST] === undefined || keep.has(name)) continue;
      const quoted = JSON.stringify(name);
      if (releases.some((r) => r.data?.[RELEASE_DATA_KEY]?.includes(quoted))) continue;
      await this.#mgr.client.delete(resources.ConfigMaps, ns, name);
    }
  }
}
