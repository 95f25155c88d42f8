// Messages between the host (SDK), the logic realm (worker) and the view realms (page frames).
// Everything arriving from a realm that runs mini-program code is parsed with these schemas.
import * as z from 'zod/mini';
import {
  byType,
  count,
  dict,
  list,
  type OneOf,
  PathSegmentSchema,
  text,
} from '../protocol/schema-helpers.ts';
import type { NetworkType, TaskEvent } from './network.ts';
import type { SystemInfo } from './system-info.ts';

const Id = count();
const Segment = PathSegmentSchema;
const Query = dict(text(4096), text(256), 'keys must be at most 256 characters');

export const PatchSchema = z.strictObject({ path: list(Segment, 64), value: z.unknown() });
export type WirePatch = z.infer<typeof PatchSchema>;

export const TriggerOptionsSchema = z.strictObject({
  bubbles: z.boolean(),
  composed: z.boolean(),
  capturePhase: z.boolean(),
});

/** logic → host */
export const LogicMessageSchema = byType([
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({
    type: z.literal('page:create'),
    pageId: Id,
    route: text(512),
    query: Query,
    data: dict(z.unknown()),
  }),
  z.strictObject({ type: z.literal('page:destroy'), pageId: Id }),
  z.strictObject({ type: z.literal('page:show'), pageId: Id }),
  z.strictObject({ type: z.literal('page:hide'), pageId: Id }),
  z.strictObject({
    type: z.literal('data'),
    id: Id,
    pageId: Id,
    seq: Id,
    patches: z.array(PatchSchema),
    /** a component's first data: the class names it declares in externalClasses */
    externalClasses: z.optional(list(text(128), 64)),
  }),
  z.strictObject({
    type: z.literal('trigger'),
    id: Id,
    pageId: Id,
    name: text(128),
    detail: z.unknown(),
    options: TriggerOptionsSchema,
  }),
  z.strictObject({ type: z.literal('api'), callId: Id, name: text(128), args: z.unknown() }),
  z.strictObject({ type: z.literal('storage:set'), key: text(256), value: z.nullable(z.string()) }),
  z.strictObject({ type: z.literal('storage:clear') }),
  z.strictObject({ type: z.literal('error'), message: text(4096), where: text(512) }),
  /** the logic realm needs a subpackage's code (first navigation into one of its pages) */
  z.strictObject({ type: z.literal('subpackage:load'), root: text(512) }),
]);
export type LogicMessage = OneOf<typeof LogicMessageSchema>;

/** A WeChat-style event object as delivered to a handler. */
export const WxEventSchema = z.strictObject({
  type: text(64),
  timeStamp: z.number(),
  target: z.strictObject({ id: text(256), dataset: dict(z.unknown()) }),
  currentTarget: z.strictObject({ id: text(256), dataset: dict(z.unknown()) }),
  mark: dict(z.unknown()),
  detail: z.unknown(),
  touches: z.optional(z.array(z.unknown())),
  changedTouches: z.optional(z.array(z.unknown())),
});
export type WxEvent = z.infer<typeof WxEventSchema>;

const RectSchema = z.strictObject({
  left: z.number(),
  top: z.number(),
  right: z.number(),
  bottom: z.number(),
  width: z.number(),
  height: z.number(),
});

/** view → host (then forwarded to logic) */
export const ViewMessageSchema = byType([
  z.strictObject({
    type: z.literal('event'),
    owner: Id,
    handler: text(256, 1),
    event: WxEventSchema,
  }),
  z.strictObject({ type: z.literal('rendered'), id: Id, seq: Id }),
  z.strictObject({
    type: z.literal('comp:attach'),
    id: Id,
    pageId: Id,
    parentId: Id,
    path: text(512),
    props: dict(z.unknown()),
    elementId: text(256),
    /** the host element's classes: what selectComponent('.name') matches */
    classes: text(4096),
    dataset: dict(z.unknown()),
    /** model:prop="{{path}}" on the component: property → the parent's data path it updates */
    models: z.optional(dict(text(512))),
  }),
  z.strictObject({
    type: z.literal('comp:props'),
    id: Id,
    props: dict(z.unknown()),
    elementId: z.optional(text(256)),
    classes: z.optional(text(4096)),
  }),
  z.strictObject({ type: z.literal('comp:detach'), id: Id }),
  /** a kept component's host element moved within its parent (keyed list reorder) */
  z.strictObject({ type: z.literal('comp:moved'), id: Id }),
  z.strictObject({
    type: z.literal('navigate'),
    url: text(2048),
    openType: z.enum(['navigate', 'redirect', 'switchTab', 'reLaunch', 'navigateBack']),
  }),
  z.strictObject({ type: z.literal('error'), message: text(4096) }),
  /** the page scrolled (at most once per frame) */
  z.strictObject({ type: z.literal('page:scroll'), pageId: Id, scrollTop: z.number() }),
  /** the page's scroll came within its onReachBottomDistance of the bottom */
  z.strictObject({ type: z.literal('page:reachBottom'), pageId: Id }),
  /** threshold crossings of an observer the logic realm set up (wx.createIntersectionObserver) */
  z.strictObject({
    type: z.literal('intersection'),
    pageId: Id,
    observer: Id,
    entries: list(
      z.strictObject({
        id: text(256),
        dataset: dict(z.unknown()),
        intersectionRatio: z.number(),
        intersectionRect: RectSchema,
        boundingClientRect: RectSchema,
        relativeRect: RectSchema,
        time: z.number(),
      }),
      256,
    ),
  }),
  /** the user pulled the page down far enough (enablePullDownRefresh), or wx.startPullDownRefresh */
  z.strictObject({ type: z.literal('page:pullDownRefresh'), pageId: Id }),
]);
export type ViewMessage = OneOf<typeof ViewMessageSchema>;

/** host → logic (besides forwarded view messages) */
export type HostMessage =
  | ViewMessage
  | { type: 'launch'; path: string; query: Record<string, string> }
  | { type: 'api:result'; callId: number; ok: boolean; value?: unknown; error?: string }
  | { type: 'app:show' }
  | { type: 'app:hide' }
  | { type: 'navigateBack' }
  /** the user tapped a tab of the host-drawn tab bar (switches to it, then Page.onTabItemTap) */
  | { type: 'tab:tap'; index: number; pagePath: string; text: string }
  /** a subpackage was opened: its logic modules (path → source) */
  | { type: 'subpackage:ready'; root: string; sources: Record<string, string> }
  | { type: 'subpackage:failed'; root: string; error: string }
  /** an event of a running DownloadTask, UploadTask or SocketTask */
  | { type: 'task'; taskId: number; event: TaskEvent }
  /** the host's network changed (wx.onNetworkStatusChange) */
  | { type: 'network'; networkType: NetworkType; isConnected: boolean }
  /** what the launch's update check found (wx.getUpdateManager) */
  | { type: 'update'; event: 'check' | 'ready' | 'failed'; hasUpdate?: boolean };

/** What the logic realm is given at boot (serializable). */
export interface LogicBoot {
  appId: string;
  pages: string[];
  /** Roots of subpackages whose code is not loaded yet: their pages load it first. */
  subpackageRoots: string[];
  tabBarPages: string[];
  entryPagePath: string;
  storage: Record<string, string>;
  storageLimitBytes: number;
  systemInfo: SystemInfo;
  launchQuery: Record<string, string>;
}
