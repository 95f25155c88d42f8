// Webhooks: tenants register endpoints for lifecycle events; deliveries are queued in
// PostgreSQL (one row per endpoint and event, deduplicated by event id so several replicas
// noticing the same change enqueue it once), signed with HMAC-SHA256 and retried with
// exponential backoff. Any replica may deliver: rows are claimed with FOR UPDATE SKIP LOCKED.
//
// Signature: x-tessera-webhook-signature: sha256=<hex HMAC(secret, "<timestamp>.<body>")>,
// x-tessera-webhook-timestamp: unix seconds, x-tessera-webhook-event, x-tessera-webhook-id.
// Each delivery re-checks its URL against the address policy (SSRF; address-policy.ts).

import { createHmac, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { WebhookAddressPolicy } from './address-policy.ts';
import { postWebhook } from './deliver.ts';

export const WEBHOOK_EVENTS = [
  'version.compiled',
  'version.failed',
  'version.approved',
  'version.rejected',
  'version.released',
  'miniprogram.suspended',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const MAX_ATTEMPTS = 8;

export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64url')}`;
}

/** Queues an event for every endpoint of the tenant subscribed to it. Idempotent per eventId. */
export async function enqueueWebhookEvent(
  pool: Pool,
  schema: string,
  event: WebhookEvent,
  eventId: string,
  payload: Record<string, unknown>,
): Promise<number> {
  const r = await pool.query(
    `insert into ${schema}.webhook_deliveries (webhook_id, event, event_id, payload)
     select id, $1, $2, $3::jsonb from ${schema}.webhooks where $1 = any(events)
     on conflict (webhook_id, event_id) do nothing`,
    [event, eventId, JSON.stringify({ event, id: eventId, ...payload })],
  );
  return r.rowCount ?? 0;
}

/** Backoff before attempt n+1 (seconds): 1, 2, 4 … capped at 5 minutes. */
export const backoffSeconds = (attempts: number) => Math.min(300, 2 ** Math.max(0, attempts - 1));

interface DeliveryRow {
  id: string;
  url: string;
  secret: string;
  event: string;
  payload: Record<string, unknown>;
  attempts: number;
}

/** Claims due deliveries of one tenant schema and sends them. Returns how many were attempted. */
export async function deliverDue(
  pool: Pool,
  schema: string,
  log: Logger,
  policy: WebhookAddressPolicy,
  timeoutMs = 5000,
): Promise<number> {
  const client = await pool.connect();
  let rows: DeliveryRow[];
  try {
    await client.query('begin');
    const r = await client.query<DeliveryRow>(
      `select d.id, w.url, w.secret, d.event, d.payload, d.attempts
         from ${schema}.webhook_deliveries d join ${schema}.webhooks w on w.id = d.webhook_id
        where d.status = 'pending' and d.next_attempt_at <= now()
        order by d.id limit 20 for update of d skip locked`,
    );
    rows = r.rows;
    // lease the rows: push next_attempt_at out so another replica does not pick them up
    if (rows.length > 0) {
      await client.query(
        `update ${schema}.webhook_deliveries set next_attempt_at = now() + interval '60 seconds' where id = any($1::bigint[])`,
        [rows.map((x) => x.id)],
      );
    }
    await client.query('commit');
  } catch (e) {
    await client.query('rollback').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
  await Promise.all(
    rows.map(async (row) => {
      const body = JSON.stringify(row.payload);
      const ts = Math.floor(Date.now() / 1000);
      const { status, error } = await postWebhook(
        policy,
        row.url,
        body,
        {
          'content-type': 'application/json',
          'user-agent': 'tessera-store-webhooks/1',
          'x-tessera-webhook-id': row.id,
          'x-tessera-webhook-event': row.event,
          'x-tessera-webhook-timestamp': String(ts),
          'x-tessera-webhook-signature': webhookSignature(row.secret, ts, body),
        },
        { timeoutMs },
      ).catch((e: unknown) => ({ status: 0, error: e instanceof Error ? e.message : String(e) }));
      const attempts = row.attempts + 1;
      const ok = status >= 200 && status < 300;
      const final = ok ? 'delivered' : attempts >= MAX_ATTEMPTS ? 'failed' : 'pending';
      await pool.query(
        `update ${schema}.webhook_deliveries
            set attempts = $2, status = $3, last_status = $4, last_error = $5,
                next_attempt_at = now() + make_interval(secs => $6), updated_at = now()
          where id = $1`,
        [row.id, attempts, final, status || null, error ?? null, backoffSeconds(attempts)],
      );
      if (!ok) log.info({ schema, delivery: row.id, attempts, status, error }, 'webhook delivery failed');
    }),
  );
  return rows.length;
}

/** Runs deliveries for every tenant schema on an interval until stopped. */
export function startWebhookWorker(
  pool: Pool,
  schemas: () => Iterable<string>,
  log: Logger,
  policy: WebhookAddressPolicy,
  intervalMs = 1000,
) {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void (async () => {
      for (const s of schemas()) {
        await deliverDue(pool, s, log, policy).catch((e) =>
          log.debug({ schema: s, err: String(e) }, 'webhook worker pass failed'),
        );
      }
    })().finally(() => {
      running = false;
    });
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
