// The minimal shape every Kubernetes object shares. Controllers narrow objects further with the
// zod schemas from @tessera/crds; the runtime only needs metadata.

// A type alias (not an interface) so it is assignable to the loose ownerReferences element type.
export type OwnerReference = {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
};

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Loosely typed so objects parsed by other schemas fit; read through controllerOf(). */
  ownerReferences?: Array<{ [key: string]: unknown }>;
  finalizers?: string[];
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** namespace/name, or name for cluster-scoped objects: the work-queue key. */
export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  const r = obj.metadata?.ownerReferences?.find((o) => o.controller === true);
  if (!r || typeof r.apiVersion !== 'string' || typeof r.kind !== 'string') return undefined;
  if (typeof r.name !== 'string' || typeof r.uid !== 'string') return undefined;
  return { apiVersion: r.apiVersion, kind: r.kind, name: r.name, uid: r.uid, controller: true };
}

export function ownerReferenceTo(owner: KubeObject): OwnerReference {
  const m = owner.metadata;
  if (!owner.apiVersion || !owner.kind || !m?.name || !m.uid) {
    throw new Error(
      `cannot build an owner reference: owner is missing apiVersion, kind, metadata.name or metadata.uid (${objectKey(owner)})`,
    );
  }
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: m.name,
    uid: m.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}
