// Events ingest: batched analytics and performance timings from the SDK.

import { z } from 'zod';

const Base = {
  /** client-side id, used to drop duplicates when a batch is retried */
  id: z.uuid(),
  appId: z.string().min(1).max(128),
  version: z.string().min(1).max(64),
  userId: z.string().max(256).optional(),
  /** RFC 3339; the store rejects events more than 7 days old or 1 day in the future */
  at: z.iso.datetime({ offset: true }),
};

export const LaunchEventSchema = z.strictObject({
  ...Base,
  type: z.literal('launch'),
  /** cold-start phases in milliseconds */
  timings: z
    .strictObject({
      total: z.number().nonnegative().max(600_000),
      resolve: z.number().nonnegative().max(600_000).optional(),
      download: z.number().nonnegative().max(600_000).optional(),
      decrypt: z.number().nonnegative().max(600_000).optional(),
      firstRender: z.number().nonnegative().max(600_000).optional(),
    })
    .optional(),
  cold: z.boolean().default(true),
});

export const PageViewEventSchema = z.strictObject({
  ...Base,
  type: z.literal('page-view'),
  page: z.string().min(1).max(256),
  durationMs: z.number().nonnegative().max(86_400_000).optional(),
});

export const ErrorEventSchema = z.strictObject({
  ...Base,
  type: z.literal('error'),
  message: z.string().max(2048),
  stack: z.string().max(8192).optional(),
  page: z.string().max(256).optional(),
});

export const CustomEventSchema = z.strictObject({
  ...Base,
  type: z.literal('custom'),
  name: z.string().min(1).max(128),
  props: z.record(z.string().max(64), z.union([z.string().max(1024), z.number(), z.boolean()])).optional(),
});

export const EventSchema = z.discriminatedUnion('type', [
  LaunchEventSchema,
  PageViewEventSchema,
  ErrorEventSchema,
  CustomEventSchema,
]);
export type TesseraEvent = z.infer<typeof EventSchema>;

export const EventsBatchSchema = z.strictObject({
  events: z.array(EventSchema).min(1).max(1000),
});
export type EventsBatch = z.input<typeof EventsBatchSchema>;

export const EventsAcceptedSchema = z.strictObject({
  accepted: z.number().int(),
  duplicates: z.number().int(),
});
export type EventsAccepted = z.infer<typeof EventsAcceptedSchema>;

export const FeedbackSchema = z.strictObject({
  appId: z.string().min(1).max(128),
  version: z.string().max(64).optional(),
  userId: z.string().max(256).optional(),
  category: z.enum(['bug', 'complaint', 'suggestion', 'other']),
  text: z.string().min(1).max(4000),
  contact: z.string().max(256).optional(),
});
export type Feedback = z.infer<typeof FeedbackSchema>;
