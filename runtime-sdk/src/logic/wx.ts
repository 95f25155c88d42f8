// The `wx` object inside the logic realm. Navigation runs locally; everything that touches
// the outside world (network, UI, login, host APIs) is a message to the host, which enforces
// the permissions (the realm runs untrusted code, so it cannot be trusted to check them).
// Storage is a synchronous mirror of the app's scoped storage, written through to the host.
import type { LogicBoot, LogicMessage } from '../core/bridge.ts';
import { SYSTEM_INFO_GROUPS } from '../core/system-info.ts';
import { createAnimation } from './animation.ts';
import { installIntersection } from './intersection.ts';
import { installNetwork } from './network.ts';
import { installUpdateManager } from './update-manager.ts';

export interface WxResult {
  errMsg: string;
  [k: string]: unknown;
}

type Callbacks = {
  success?: (r: WxResult) => void;
  fail?: (r: WxResult) => void;
  complete?: (r: WxResult) => void;
};

type AsyncApi = (options?: Record<string, unknown> & Callbacks) => Promise<WxResult> | undefined;

export type WxApi = Record<string, unknown>;

/** Navigation into a subpackage not loaded yet completes asynchronously (the promise). */
interface Navigator {
  navigateTo(url: string): Promise<void> | undefined;
  redirectTo(url: string): Promise<void> | undefined;
  navigateBack(delta?: number): void;
  switchTab(url: string): void;
  reLaunch(url: string): Promise<void> | undefined;
  flush(): void;
  /** Id of the page on top of the stack (selector queries run against it). */
  currentPageId(): number | undefined;
  /** An exception thrown by a success/fail/complete callback (App.onError, wx.onError, host). */
  reportError(err: unknown, where: string): void;
}

type QueryField = 'rect' | 'size' | 'scrollOffset' | 'id' | 'dataset';
interface QueryItem {
  selector: string;
  all: boolean;
  fields: QueryField[];
}

export class WxApiError extends Error {
  readonly result: WxResult;
  constructor(result: WxResult) {
    super(result.errMsg);
    this.name = 'WxApiError';
    this.result = result;
  }
}

/** Host APIs forwarded to the host, which checks permissions and performs them. */
const HOST_APIS = [
  'getNetworkType',
  'showToast',
  'hideToast',
  'showModal',
  'showLoading',
  'hideLoading',
  'showActionSheet',
  'setNavigationBarTitle',
  'setNavigationBarColor',
  'login',
  'getUserProfile',
  'authorize',
  'getSetting',
  'openSetting',
  'getLocation',
  'getUserInfo',
  'getClipboardData',
  'invokeHostApi',
  'reportAnalytics',
  'setClipboardData',
  'makePhoneCall',
  'vibrateShort',
  'vibrateLong',
  'chooseImage',
  'chooseMedia',
  'previewImage',
  'setTabBarBadge',
  'removeTabBarBadge',
  'showTabBarRedDot',
  'hideTabBarRedDot',
  'showTabBar',
  'hideTabBar',
  'setTabBarStyle',
  'setTabBarItem',
];

export function createWx(nav: Navigator, boot: LogicBoot, post: (m: LogicMessage) => void): WxApi {
  let nextCall = 1;
  const pending = new Map<number, { resolve(v: WxResult): void; reject(e: WxResult): void }>();
  const storage = new Map<string, string>(Object.entries(boot.storage));
  let storageBytes = 0;
  for (const [k, v] of storage) storageBytes += k.length + v.length;

  function wrap(
    name: string,
    impl: (opts: Record<string, unknown>) => Promise<Record<string, unknown> | undefined>,
  ) {
    const api: AsyncApi = (options = {}) => {
      const p = (async () => {
        try {
          const value = (await impl(options)) ?? {};
          return { ...value, errMsg: `${name}:ok` } as WxResult;
        } catch (err) {
          const reason =
            err instanceof WxApiError
              ? err.result.errMsg
              : err instanceof Error
                ? err.message
                : typeof (err as WxResult)?.errMsg === 'string'
                  ? (err as WxResult).errMsg
                  : String(err);
          throw { errMsg: reason.startsWith(`${name}:fail`) ? reason : `${name}:fail ${reason}` } as WxResult;
        }
      })();
      const { success, fail, complete } = options as Callbacks;
      if (!success && !fail && !complete) return p;
      const call = (fn: ((r: WxResult) => void) | undefined, r: WxResult, which: string) => {
        if (typeof fn !== 'function') return;
        try {
          fn(r);
        } catch (err) {
          nav.reportError(err, `wx.${name} ${which} callback`);
        }
      };
      p.then(
        (r) => {
          call(success, r, 'success');
          call(complete, r, 'complete');
        },
        (r: WxResult) => {
          call(fail, r, 'fail');
          call(complete, r, 'complete');
        },
      );
      return undefined;
    };
    return api;
  }

  function callHost(name: string, args: unknown): Promise<Record<string, unknown>> {
    const callId = nextCall++;
    return new Promise<WxResult>((resolve, reject) => {
      pending.set(callId, { resolve, reject });
      post({ type: 'api', callId, name, args });
    }) as Promise<Record<string, unknown>>;
  }

  function plainArgs(opts: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(opts)) if (typeof v !== 'function') out[k] = v;
    return out;
  }

  // answers are the mini-program's to change: each call gets its own copy
  const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  const systemInfoSync = () => {
    const { menuButton: _, ...info } = boot.systemInfo;
    return copy(info);
  };
  const wx: WxApi = {
    __resolve(msg: { callId: number; ok: boolean; value?: unknown; error?: string }) {
      const p = pending.get(msg.callId);
      if (!p) return;
      pending.delete(msg.callId);
      if (msg.ok) p.resolve((msg.value ?? {}) as WxResult);
      else p.reject({ errMsg: msg.error ?? 'fail' });
    },
    canIUse: (name: unknown) => typeof name === 'string' && name.split('.')[0]! in wx,
    nextTick: (fn: unknown) => {
      if (typeof fn !== 'function') return;
      queueMicrotask(() => {
        try {
          (fn as () => void)();
        } catch (err) {
          nav.reportError(err, 'wx.nextTick callback');
        }
      });
    },
    getSystemInfoSync: () => systemInfoSync(),
    getLaunchOptionsSync: () => ({ path: boot.entryPagePath, query: { ...boot.launchQuery }, scene: 1001 }),
    getAccountInfoSync: () => ({ miniProgram: { appId: boot.appId, envVersion: 'release' } }),
  };
  wx.getSystemInfo = wrap('getSystemInfo', async () => systemInfoSync());
  wx.getSystemInfoAsync = wx.getSystemInfo;
  for (const [name, keys] of Object.entries(SYSTEM_INFO_GROUPS))
    wx[name] = () => copy(Object.fromEntries(keys.map((k) => [k, boot.systemInfo[k]])));
  wx.getMenuButtonBoundingClientRect = () => ({ ...boot.systemInfo.menuButton });

  for (const name of ['navigateTo', 'redirectTo', 'switchTab', 'reLaunch'] as const) {
    wx[name] = wrap(name, async (o) => {
      if (typeof o.url !== 'string' || o.url.length === 0) throw new Error('url is required');
      await nav[name](o.url);
      nav.flush();
      return {};
    });
  }
  wx.navigateBack = wrap('navigateBack', async (o) => {
    nav.navigateBack(typeof o.delta === 'number' ? o.delta : 1);
    nav.flush();
    return {};
  });

  for (const name of HOST_APIS) wx[name] = wrap(name, (o) => callHost(name, plainArgs(o)));
  // the current page's frame does these
  for (const name of ['pageScrollTo', 'startPullDownRefresh', 'stopPullDownRefresh'])
    wx[name] = wrap(name, (o) => callHost(name, { ...plainArgs(o), pageId: nav.currentPageId() }));
  const network = installNetwork(wx, {
    wrap,
    callHost,
    plainArgs,
    reportError: (err, where) => nav.reportError(err, where),
  });
  wx.createAnimation = createAnimation;
  wx.__callHost = callHost;
  wx.__update = installUpdateManager(wx, callHost, (err, where) => nav.reportError(err, where));
  wx.__task = network.task;
  wx.__network = network.network;
  wx.__intersection = installIntersection(wx, {
    callHost,
    currentPageId: () => nav.currentPageId(),
    reportError: (err, where) => nav.reportError(err, where),
  }).intersection;
  // WeChat signature: wx.reportAnalytics(eventName, data) — positional, fire and forget.
  wx.reportAnalytics = (eventName: unknown, data: unknown) => {
    const callId = nextCall++;
    post({ type: 'api', callId, name: 'reportAnalytics', args: { eventName, data } });
  };

  // ---- selector query basics: boundingClientRect / fields / scrollOffset, answered by the view
  wx.createSelectorQuery = () => {
    const items: QueryItem[] = [];
    const callbacks: Array<((r: unknown) => void) | undefined> = [];
    // .in(component): only inside that component's element; .in(page) or none: the page
    let pageId: number | undefined;
    let scope: number | undefined;
    const query = {
      in: (c: unknown) => {
        const inst = c as { __id?: unknown; __pageId?: unknown } | null;
        if (typeof inst?.__id === 'number' && typeof inst.__pageId === 'number') {
          pageId = inst.__pageId;
          scope = inst.__id === inst.__pageId ? undefined : inst.__id;
        }
        return query;
      },
      select: (selector: unknown) => nodesRef(String(selector), false),
      selectAll: (selector: unknown) => nodesRef(String(selector), true),
      selectViewport: () => nodesRef('wx-page', false),
      exec(cb?: unknown) {
        callHost('selectorQuery', { pageId: pageId ?? nav.currentPageId(), scope, queries: items })
          .then(
            (r) => {
              const results = (r as { results?: unknown[] }).results ?? [];
              results.forEach((x, i) => {
                callbacks[i]?.(x);
              });
              if (typeof cb === 'function') cb(results);
            },
            () => {
              if (typeof cb === 'function') cb(items.map(() => null));
            },
          )
          .catch((err: unknown) => nav.reportError(err, 'SelectorQuery.exec callback'));
        return query;
      },
    };
    const nodesRef = (selector: string, all: boolean) => {
      const add = (fields: QueryField[], cb?: unknown) => {
        items.push({ selector: selector.slice(0, 256), all, fields });
        callbacks.push(typeof cb === 'function' ? (cb as (r: unknown) => void) : undefined);
        return query;
      };
      return {
        boundingClientRect: (cb?: unknown) => add(['id', 'dataset', 'rect', 'size'], cb),
        scrollOffset: (cb?: unknown) => add(['id', 'dataset', 'scrollOffset'], cb),
        fields: (f: Record<string, unknown>, cb?: unknown) =>
          add(
            (['rect', 'size', 'scrollOffset', 'id', 'dataset'] as const).filter((k) => f?.[k] === true),
            cb,
          ),
      };
    };
    return query;
  };

  // ---- storage: scoped per app and user by the host; size-limited here and there ------
  const encode = (v: unknown): string => JSON.stringify({ v });
  const decode = (s: string | undefined): unknown => {
    if (s === undefined) return '';
    try {
      return (JSON.parse(s) as { v: unknown }).v;
    } catch {
      return '';
    }
  };
  function setItem(key: unknown, value: unknown): void {
    if (typeof key !== 'string' || key.length === 0 || key.length > 256)
      throw new Error('key must be a non-empty string of at most 256 characters');
    const s = encode(value);
    const old = storage.get(key);
    const next = storageBytes - (old === undefined ? 0 : key.length + old.length) + key.length + s.length;
    if (next > boot.storageLimitBytes)
      throw new Error(`exceed storage max size ${Math.round(boot.storageLimitBytes / 1024)}KB`);
    storage.set(key, s);
    storageBytes = next;
    post({ type: 'storage:set', key, value: s });
  }
  function removeItem(key: unknown): void {
    if (typeof key !== 'string') return;
    const old = storage.get(key);
    if (old === undefined) return;
    storageBytes -= key.length + old.length;
    storage.delete(key);
    post({ type: 'storage:set', key, value: null });
  }
  const syncCall = <T>(name: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw new WxApiError({ errMsg: `${name}:fail ${err instanceof Error ? err.message : String(err)}` });
    }
  };
  wx.setStorageSync = (key: unknown, data: unknown) => syncCall('setStorageSync', () => setItem(key, data));
  wx.getStorageSync = (key: unknown) => (typeof key === 'string' ? decode(storage.get(key)) : '');
  wx.removeStorageSync = (key: unknown) => removeItem(key);
  wx.clearStorageSync = () => {
    storage.clear();
    storageBytes = 0;
    post({ type: 'storage:clear' });
  };
  const info = () => ({
    keys: [...storage.keys()],
    currentSize: Math.ceil(storageBytes / 1024),
    limitSize: Math.floor(boot.storageLimitBytes / 1024),
  });
  wx.getStorageInfoSync = info;
  wx.setStorage = wrap('setStorage', async (o) => {
    setItem(o.key, o.data);
    return {};
  });
  wx.getStorage = wrap('getStorage', async (o) => {
    if (typeof o.key !== 'string' || !storage.has(o.key)) throw new Error('data not found');
    return { data: decode(storage.get(o.key)) };
  });
  wx.removeStorage = wrap('removeStorage', async (o) => {
    removeItem(o.key);
    return {};
  });
  wx.clearStorage = wrap('clearStorage', async () => {
    (wx.clearStorageSync as () => void)();
    return {};
  });
  wx.getStorageInfo = wrap('getStorageInfo', async () => info());
  return wx;
}
