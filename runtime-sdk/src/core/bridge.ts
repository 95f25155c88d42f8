// Messages between the host (SDK), the logic realm (worker) and the view realms (page frames).
// Everything arriving from a realm that runs mini-program code is parsed with these schemas.
import { z } from 'zod';

const Id = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const Segment = z.union([z.string().max(1024), z.number().int().nonnegative()]);
const Query = z.record(z.string().max(256), z.string().max(4096));

export const PatchSchema = z.strictObject({ path: z.array(Segment).max(64), value: z.unknown() });
export type WirePatch = z.infer<typeof PatchSchema>;

export const TriggerOptionsSchema = z.strictObject({
  bubbles: z.boolean(),
  composed: z.boolean(),
  capturePhase: z.boolean(),
});

/** logic → host */
export const LogicMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({
    type: z.literal('page:create'),
    pageId: Id,
    route: z.string().max(512),
    query: Query,
    data: z.record(z.string(), z.unknown()),
  }),
  z.strictObject({ type: z.literal('page:destroy'), pageId: Id }),
  z.strictObject({ type: z.literal('page:show'), pageId: Id }),
  z.strictObject({ type: z.literal('page:hide'), pageId: Id }),
  z.strictObject({ type: z.literal('data'), id: Id, pageId: Id, seq: Id, patches: z.array(PatchSchema) }),
  z.strictObject({
    type: z.literal('trigger'),
    id: Id,
    pageId: Id,
    name: z.string().max(128),
    detail: z.unknown(),
    options: TriggerOptionsSchema,
  }),
  z.strictObject({ type: z.literal('api'), callId: Id, name: z.string().max(128), args: z.unknown() }),
  z.strictObject({ type: z.literal('storage:set'), key: z.string().max(256), value: z.string().nullable() }),
  z.strictObject({ type: z.literal('storage:clear') }),
  z.strictObject({ type: z.literal('error'), message: z.string().max(4096), where: z.string().max(512) }),
]);
export type LogicMessage = z.infer<typeof LogicMessageSchema>;

/** A WeChat-style event object as delivered to a handler. */
export const WxEventSchema = z.strictObject({
  type: z.string().max(64),
  timeStamp: z.number(),
  target: z.strictObject({ id: z.string().max(256), dataset: z.record(z.string(), z.unknown()) }),
  currentTarget: z.strictObject({ id: z.string().max(256), dataset: z.record(z.string(), z.unknown()) }),
  mark: z.record(z.string(), z.unknown()),
  detail: z.unknown(),
  touches: z.array(z.unknown()).optional(),
  changedTouches: z.array(z.unknown()).optional(),
});
export type WxEvent = z.infer<typeof WxEventSchema>;

/** view → host (then forwarded to logic) */
export const ViewMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('event'),
    owner: Id,
    handler: z.string().min(1).max(256),
    event: WxEventSchema,
  }),
  z.strictObject({ type: z.literal('rendered'), id: Id, seq: Id }),
  z.strictObject({
    type: z.literal('comp:attach'),
    id: Id,
    pageId: Id,
    parentId: Id,
    path: z.string().max(512),
    props: z.record(z.string(), z.unknown()),
    elementId: z.string().max(256),
    dataset: z.record(z.string(), z.unknown()),
  }),
  z.strictObject({ type: z.literal('comp:props'), id: Id, props: z.record(z.string(), z.unknown()) }),
  z.strictObject({ type: z.literal('comp:detach'), id: Id }),
  z.strictObject({
    type: z.literal('navigate'),
    url: z.string().max(2048),
    openType: z.enum(['navigate', 'redirect', 'switchTab', 'reLaunch', 'navigateBack']),
  }),
  z.strictObject({ type: z.literal('error'), message: z.string().max(4096) }),
]);
export type ViewMessage = z.infer<typeof ViewMessageSchema>;

/** host → logic (besides forwarded view messages) */
export type HostMessage =
  | ViewMessage
  | { type: 'launch'; path: string; query: Record<string, string> }
  | { type: 'api:result'; callId: number; ok: boolean; value?: unknown; error?: string }
  | { type: 'app:show' }
  | { type: 'app:hide' }
  | { type: 'navigateBack' };

/** What the logic realm is given at boot (serializable). */
export interface LogicBoot {
  appId: string;
  pages: string[];
  tabBarPages: string[];
  entryPagePath: string;
  storage: Record<string, string>;
  storageLimitBytes: number;
  systemInfo: Record<string, string | number>;
  launchQuery: Record<string, string>;
}
