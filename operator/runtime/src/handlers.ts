// Mapping informer events to work-queue keys: the object itself, its controlling owner, or any
// custom mapping (e.g. a GrayRule to its MiniProgram).
import type { EventHandler } from './informer.ts';
import { controllerOf, type KubeObject, objectKey } from './object.ts';

export type Enqueue = (key: string) => void;

export function enqueueObject<T extends KubeObject>(enqueue: Enqueue): EventHandler<T> {
  return {
    onAdd: (o) => enqueue(objectKey(o)),
    onUpdate: (_o, n) => enqueue(objectKey(n)),
    onDelete: (o) => enqueue(objectKey(o)),
  };
}

/** Enqueues the controlling owner of kind `ownerKind`; `ownerNamespaced` says how to build its key. */
export function enqueueOwner<T extends KubeObject>(
  enqueue: Enqueue,
  ownerKind: string,
  ownerApiGroup: string,
  ownerNamespaced: boolean,
): EventHandler<T> {
  const map = (o: T) => {
    const ref = controllerOf(o);
    if (!ref || ref.kind !== ownerKind) return;
    const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
    if (group !== ownerApiGroup) return;
    const ns = o.metadata?.namespace;
    enqueue(ownerNamespaced && ns ? `${ns}/${ref.name}` : ref.name);
  };
  return { onAdd: map, onUpdate: (_o, n) => map(n), onDelete: map };
}

/**
 * Enqueues the keys `map` returns. `changed` filters updates (e.g. only spec changes) so that a
 * fan-out mapping (one object -> many keys) does not turn every status write into N reconciles.
 * A resync (old === new) always passes.
 */
export function enqueueMapped<T extends KubeObject>(
  enqueue: Enqueue,
  map: (obj: T) => string[],
  changed?: (oldObj: T, newObj: T) => boolean,
): EventHandler<T> {
  const run = (o: T) => {
    for (const k of map(o)) enqueue(k);
  };
  return {
    onAdd: run,
    onUpdate: (o, n) => {
      if (o !== n && changed && !changed(o, n)) return;
      run(o);
      if (o !== n) run(n);
    },
    onDelete: run,
  };
}

/** Update filter: metadata.generation changed (spec edits, not status writes). */
export const generationChanged = (o: KubeObject, n: KubeObject): boolean =>
  o.metadata?.generation !== n.metadata?.generation;
