// Events ingest: batched analytics and performance timings from the SDK.

import * as z from 'zod/mini';
import { amount, list, text } from './schema-helpers.ts';

const EventBase = z.strictObject({
  /** client-side id, used to drop duplicates when a batch is retried */
  id: z.uuid(),
  appId: text(128, 1),
  version: text(64, 1),
  userId: z.optional(text(256)),
  /** RFC 3339; the store rejects events more than 7 days old or 1 day in the future */
  at: z.iso.datetime({ offset: true }),
});

export const LaunchEventSchema = z.extend(EventBase, {
  type: z.literal('launch'),
  /** cold-start phases in milliseconds */
  timings: z.optional(
    z.strictObject({
      total: amount(600_000),
      resolve: z.optional(amount(600_000)),
      download: z.optional(amount(600_000)),
      decrypt: z.optional(amount(600_000)),
      firstRender: z.optional(amount(600_000)),
    }),
  ),
  cold: z._default(z.boolean(), true),
});

export const PageViewEventSchema = z.extend(EventBase, {
  type: z.literal('page-view'),
  page: text(256, 1),
  durationMs: z.optional(amount(86_400_000)),
});

export const ErrorEventSchema = z.extend(EventBase, {
  type: z.literal('error'),
  message: text(2048),
  stack: z.optional(text(8192)),
  page: z.optional(text(256)),
});

export const CustomEventSchema = z.extend(EventBase, {
  type: z.literal('custom'),
  name: text(128, 1),
  props: z.optional(z.record(text(64), z.union([text(1024), z.number(), z.boolean()]))),
});

export const EventSchema = z.discriminatedUnion('type', [
  LaunchEventSchema,
  PageViewEventSchema,
  ErrorEventSchema,
  CustomEventSchema,
]);
export type TesseraEvent = z.infer<typeof EventSchema>;

export const EventsBatchSchema = z.strictObject({
  events: list(EventSchema, 1000, 1),
});
export type EventsBatch = z.input<typeof EventsBatchSchema>;

export const EventsAcceptedSchema = z.strictObject({
  accepted: z.int(),
  duplicates: z.int(),
});
export type EventsAccepted = z.infer<typeof EventsAcceptedSchema>;

export const FeedbackSchema = z.strictObject({
  appId: text(128, 1),
  version: z.optional(text(64)),
  userId: z.optional(text(256)),
  category: z.enum(['bug', 'complaint', 'suggestion', 'other']),
  text: text(4000, 1),
  contact: z.optional(text(256)),
});
export type Feedback = z.infer<typeof FeedbackSchema>;
