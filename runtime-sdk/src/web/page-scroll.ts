// A page frame's scrolling, as WeChat's page: onPageScroll (at most once a frame),
// onReachBottom when the scroll comes within the page's onReachBottomDistance of the bottom,
// and pull-down refresh (view/pull-refresh.ts, a chunk loaded for pages that enable it or call
// wx.startPullDownRefresh).

import type { PageWindow } from '../core/package-files.ts';
import type { PullRefresh } from '../view/pull-refresh.ts';
import { loadViewChunk } from '../view/view-chunks.ts';

type PullChunk = typeof import('../view/pull-refresh.ts');

export interface PageScroll {
  /** wx.startPullDownRefresh: as if pulled (fires onPullDownRefresh) */
  startRefresh(): void;
  /** wx.stopPullDownRefresh */
  stopRefresh(): void;
}

export function watchPageScroll(
  root: HTMLElement,
  pageId: number,
  w: PageWindow,
  send: (m: unknown) => void,
): PageScroll {
  const scroller = () => document.scrollingElement ?? document.documentElement;
  let queued = false;
  let nearBottom = false;
  addEventListener(
    'scroll',
    () => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        const el = scroller();
        send({ type: 'page:scroll', pageId, scrollTop: el.scrollTop });
        const near = el.scrollTop + innerHeight >= el.scrollHeight - w.reachBottomDistance;
        if (near && !nearBottom) send({ type: 'page:reachBottom', pageId });
        nearBottom = near;
      });
    },
    { passive: true },
  );

  let pull: Promise<PullRefresh> | undefined;
  const refresher = () =>
    (pull ??= loadViewChunk<PullChunk>('view-pull').then((m) => m.pullToRefresh(root, pageId, w, send)));
  const failed = (err: unknown) => {
    pull = undefined; // a later call asks again
    send({
      type: 'error',
      message: `pull-down refresh cannot work: ${err instanceof Error ? err.message : String(err)}`,
    });
  };
  if (w.pullDownRefresh) refresher().catch(failed);
  return {
    startRefresh: () => void refresher().then((p) => p.start(), failed),
    stopRefresh: () => void pull?.then((p) => p.stop(), failed),
  };
}
