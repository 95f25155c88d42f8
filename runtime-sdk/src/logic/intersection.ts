// wx.createIntersectionObserver / this.createIntersectionObserver: WeChat's observer API in the
// logic realm. The page frame does the observing (view/intersection.ts) and sends each threshold
// crossing back; this side keeps the callbacks.
import { intersectionRequest } from '../core/intersection-request.ts';

export interface IntersectionDeps {
  callHost(name: string, args: unknown): Promise<unknown>;
  currentPageId(): number | undefined;
  reportError(err: unknown, where: string): void;
}

export interface IntersectionEvents {
  intersection(msg: { observer: number; entries: unknown[] }): void;
}

export function installIntersection(wx: Record<string, unknown>, d: IntersectionDeps): IntersectionEvents {
  let next = 1;
  const callbacks = new Map<number, (entry: unknown) => void>();

  wx.createIntersectionObserver = (component?: unknown, options?: unknown) => {
    const inst = component as { __id?: unknown; __pageId?: unknown } | null | undefined;
    const isInstance = typeof inst?.__id === 'number' && typeof inst.__pageId === 'number';
    // wx.createIntersectionObserver(options) without a component is the current page's
    const o = ((isInstance ? options : (options ?? component)) ?? {}) as Record<string, unknown>;
    const pageId = isInstance ? (inst!.__pageId as number) : d.currentPageId();
    // no page yet: the host answers that there is nothing to observe
    const scope = isInstance && inst!.__id !== inst!.__pageId ? (inst!.__id as number) : undefined;
    let relativeTo: unknown;
    let margins: unknown;
    const mine: number[] = [];
    const observer = {
      relativeTo(selector: unknown, m?: unknown) {
        relativeTo = String(selector);
        margins = m;
        return observer;
      },
      relativeToViewport(m?: unknown) {
        relativeTo = undefined;
        margins = m;
        return observer;
      },
      observe(target: unknown, callback: unknown) {
        if (typeof callback !== 'function')
          throw new TypeError('IntersectionObserver.observe needs a callback');
        const id = next++;
        mine.push(id);
        callbacks.set(id, callback as (e: unknown) => void);
        const request = intersectionRequest({
          ...o,
          observer: id,
          target: String(target),
          relativeTo,
          margins,
        });
        d.callHost('intersection', { pageId, scope, ...request }).catch((err: unknown) =>
          d.reportError(err, 'IntersectionObserver.observe'),
        );
      },
      disconnect() {
        for (const id of mine.splice(0)) {
          callbacks.delete(id);
          d.callHost('intersection:disconnect', { pageId, observer: id }).catch(() => {});
        }
      },
    };
    return observer;
  };

  return {
    intersection(msg) {
      const cb = callbacks.get(msg.observer);
      if (!cb) return;
      for (const entry of msg.entries) {
        try {
          cb(entry);
        } catch (err) {
          d.reportError(err, 'IntersectionObserver callback');
        }
      }
    },
  };
}
