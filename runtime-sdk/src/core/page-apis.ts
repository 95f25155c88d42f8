// The wx APIs that ask the current page's view (selector queries, scrolling, pull-down refresh,
// intersection observers) or the host's UI (modal, action sheet, image preview, navigation bar
// colour, tab bar): a chunk on the web, loaded the first time a mini-program calls one. What the
// logic realm sends is bounded here before it reaches the host's UI or another realm.
import type { HostUi, PageScroll, PageViewHandle, SelectorQuery, TabBarOp } from './session.ts';

export interface PageApiContext {
  ui: HostUi | undefined;
  view(pageId: number): Promise<PageViewHandle | undefined>;
}

export async function pageApi(
  name: string,
  a: Record<string, unknown>,
  ctx: PageApiContext,
): Promise<unknown> {
  switch (name) {
    case 'previewImage': {
      const urls = (Array.isArray(a.urls) ? a.urls : [])
        .filter((u): u is string => typeof u === 'string')
        .slice(0, 100)
        .map((u) => u.slice(0, 2048));
      if (!urls.length) throw new Error('urls must list at least one image');
      if (!ctx.ui?.previewImage) throw new Error('not supported by this host');
      const at = typeof a.current === 'number' ? a.current : urls.indexOf(String(a.current ?? ''));
      await ctx.ui.previewImage({ urls, current: Math.max(0, Math.min(urls.length - 1, at)) });
      return {};
    }
    case 'showModal': {
      if (!ctx.ui?.showModal) throw new Error('not supported by this host');
      const r = await ctx.ui.showModal({
        title: String(a.title ?? '').slice(0, 200),
        content: String(a.content ?? '').slice(0, 2000),
        showCancel: a.showCancel !== false,
        confirmText: String(a.confirmText ?? 'OK').slice(0, 8),
        cancelText: String(a.cancelText ?? 'Cancel').slice(0, 8),
      });
      return { confirm: r.confirm, cancel: !r.confirm };
    }
    case 'showActionSheet': {
      if (!ctx.ui?.showActionSheet) throw new Error('not supported by this host');
      const items = Array.isArray(a.itemList) ? a.itemList : [];
      if (items.length === 0 || items.length > 6) throw new Error('itemList must have 1 to 6 items');
      const tapIndex = await ctx.ui.showActionSheet({
        itemList: items.map((i) => String(i).slice(0, 64)),
        ...optionalStrings(a, ['itemColor', 'alertText']),
      });
      if (tapIndex === undefined) throw new Error('cancel');
      return { tapIndex };
    }
    case 'setNavigationBarColor': {
      if (!ctx.ui?.setNavigationBarColor) throw new Error('not supported by this host');
      const front = String(a.frontColor ?? '').toLowerCase();
      if (front !== '#ffffff' && front !== '#000000')
        throw new Error('frontColor must be #ffffff or #000000');
      ctx.ui.setNavigationBarColor({
        text: front === '#ffffff' ? 'white' : 'black',
        ...(typeof a.backgroundColor === 'string' ? { background: a.backgroundColor } : {}),
      });
      return {};
    }
    case 'selectorQuery': {
      const queries = (Array.isArray(a.queries) ? a.queries : []).slice(0, 64).map((q: unknown) => {
        const x = (q ?? {}) as Record<string, unknown>;
        const fields = Array.isArray(x.fields) ? x.fields : [];
        return {
          selector: String(x.selector ?? '').slice(0, 256),
          all: x.all === true,
          fields: fields.filter((f): f is SelectorQuery['fields'][number] =>
            ['rect', 'size', 'scrollOffset', 'id', 'dataset'].includes(String(f)),
          ),
        };
      });
      const v = await ctx.view(Number(a.pageId));
      const scope = typeof a.scope === 'number' ? a.scope : undefined;
      return { results: v?.query ? await v.query(queries, scope) : queries.map(() => null) };
    }
    case 'pageScrollTo': {
      const v = await ctx.view(Number(a.pageId));
      if (!v?.scrollTo) throw new Error('not supported by this host');
      const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
      const selector = typeof a.selector === 'string' ? a.selector.slice(0, 256) : undefined;
      const to: PageScroll = {
        scrollTop: Math.max(0, num(a.scrollTop)),
        offsetTop: num(a.offsetTop),
        duration: typeof a.duration === 'number' ? Math.max(0, Math.min(a.duration, 10_000)) : 300,
        ...(selector ? { selector } : {}),
      };
      if (!(await v.scrollTo(to))) throw new Error(`no element matches "${selector}"`);
      return {};
    }
    case 'intersection': {
      const v = await ctx.view(Number(a.pageId));
      if (!v?.observeIntersection) throw new Error('not supported by this host');
      // the frame's chunk bounds the values (view/intersection.ts): they are the mini-program's own
      await v.observeIntersection(a, typeof a.scope === 'number' ? a.scope : undefined);
      return {};
    }
    case 'animate': {
      const v = await ctx.view(Number(a.pageId));
      if (!v?.animate) throw new Error('not supported by this host');
      // the frame's chunk bounds the keyframes (view/animation.ts): they are the mini-program's own
      await v.animate(a, typeof a.scope === 'number' ? a.scope : undefined);
      return {};
    }
    case 'intersection:disconnect':
      (await ctx.view(Number(a.pageId)))?.disconnectIntersection?.(Number(a.observer));
      return {};
    case 'startPullDownRefresh':
    case 'stopPullDownRefresh': {
      const v = await ctx.view(Number(a.pageId));
      if (!v?.pullDownRefresh) throw new Error('not supported by this host');
      v.pullDownRefresh(name === 'startPullDownRefresh');
      return {};
    }
    default: {
      const tabOp = Object.hasOwn(TAB_BAR_OPS, name) ? TAB_BAR_OPS[name] : undefined;
      if (tabOp && ctx.ui?.tabBar) {
        ctx.ui.tabBar(tabOp(a));
        return {};
      }
      throw new Error('not supported by this host');
    }
  }
}

const TAB_BAR_OPS: Record<string, (a: Record<string, unknown>) => TabBarOp> = {
  setTabBarBadge: (a) => ({ op: 'badge', index: tabIndex(a), text: String(a.text ?? '').slice(0, 4) }),
  removeTabBarBadge: (a) => ({ op: 'badge', index: tabIndex(a), text: null }),
  showTabBarRedDot: (a) => ({ op: 'redDot', index: tabIndex(a), on: true }),
  hideTabBarRedDot: (a) => ({ op: 'redDot', index: tabIndex(a), on: false }),
  showTabBar: () => ({ op: 'visible', on: true }),
  hideTabBar: () => ({ op: 'visible', on: false }),
  setTabBarStyle: (a) => ({
    op: 'style',
    ...optionalStrings(a, ['color', 'selectedColor', 'backgroundColor']),
    ...(a.borderStyle === 'black' || a.borderStyle === 'white' ? { borderStyle: a.borderStyle } : {}),
  }),
  setTabBarItem: (a) => ({
    op: 'item',
    index: tabIndex(a),
    ...optionalStrings(a, ['text', 'iconPath', 'selectedIconPath']),
  }),
};

function tabIndex(a: Record<string, unknown>): number {
  const i = a.index;
  if (typeof i !== 'number' || !Number.isInteger(i) || i < 0)
    throw new Error('index must be a tab number from 0');
  return i;
}

function optionalStrings(a: Record<string, unknown>, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (typeof a[k] === 'string') out[k] = (a[k] as string).slice(0, 256);
  return out;
}
