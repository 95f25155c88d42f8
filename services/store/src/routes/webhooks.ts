// Webhook registration and delivery outcomes (admin; needs update on miniprograms in the
// tenant namespace, the permission of those who manage releases).

import { z } from 'zod';
import { appendAudit } from '../audit/chain.ts';
import type { StoreContext } from '../context.ts';
import { parseJson, readBody } from '../http/body.ts';
import { HttpProblem, zodProblem } from '../http/problem.ts';
import type { Router } from '../http/router.ts';
import { WebhookUrlError } from '../webhooks/address-policy.ts';
import { newWebhookSecret, WEBHOOK_EVENTS } from '../webhooks/deliveries.ts';
import { requireKube } from './authz.ts';
import { dbUnavailable, sendJson } from './respond.ts';

export const WebhookRequestSchema = z.strictObject({
  url: z
    .string()
    .max(2048)
    .url()
    .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL'),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length),
});

const DeliveriesQuery = z.object({
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function webhookRoutes(router: Router, ctx: StoreContext): void {
  router.add(
    'POST',
    '/v1/tenants/{tenant}/webhooks',
    'admin',
    {
      summary: 'Register a webhook endpoint; the signing secret is returned once',
      request: WebhookRequestSchema,
      auth: 'kubernetes',
    },
    async (rc) => {
      const tenant = rc.params.tenant ?? '';
      const body = parseJson(await readBody(rc.req, 8 * 1024), WebhookRequestSchema);
      const { user } = await requireKube(ctx, rc, tenant, 'update', 'miniprograms');
      // SSRF: the URL must resolve to public addresses (or ones WEBHOOK_ALLOW_CIDRS allows)
      await ctx.webhookPolicy.check(body.url).catch((e: unknown) => {
        if (!(e instanceof WebhookUrlError)) throw e;
        throw new HttpProblem(422, 'webhook-url-not-allowed', e.message, {
          errors: [{ path: 'url', message: e.message }],
        });
      });
      const schema = await ctx.schema(tenant).catch(dbUnavailable);
      const secret = newWebhookSecret();
      const r = await ctx.pool
        .query<{ id: string }>(
          `insert into ${schema}.webhooks (url, secret, events) values ($1, $2, $3) returning id`,
          [body.url, secret, body.events],
        )
        .catch(dbUnavailable);
      const id = Number(r.rows[0]?.id);
      await appendAudit(ctx.pool, schema, {
        actor: user.username,
        action: 'webhook.create',
        target: String(id),
        remote: rc.remoteAddress,
        details: { url: body.url, events: body.events },
      }).catch(dbUnavailable);
      sendJson(rc, 201, { id, url: body.url, events: body.events, secret });
    },
  );

  router.add(
    'GET',
    '/v1/tenants/{tenant}/webhooks/deliveries',
    'admin',
    { summary: 'Webhook delivery outcomes', auth: 'kubernetes' },
    async (rc) => {
      const tenant = rc.params.tenant ?? '';
      await requireKube(ctx, rc, tenant, 'get', 'miniprograms');
      const q = DeliveriesQuery.safeParse(Object.fromEntries(rc.query));
      if (!q.success) throw zodProblem(q.error, 'query');
      const schema = await ctx.schema(tenant).catch(dbUnavailable);
      const r = await ctx.pool
        .query(
          `select d.id::int as id, d.webhook_id::int as "webhookId", d.event, d.event_id as "eventId", d.status, d.attempts,
                  d.last_status as "lastStatus", d.last_error as "lastError", d.next_attempt_at as "nextAttemptAt"
             from ${schema}.webhook_deliveries d where ($1::text is null or d.status = $1) order by d.id desc limit $2`,
          [q.data.status ?? null, q.data.limit],
        )
        .catch(dbUnavailable);
      sendJson(rc, 200, { deliveries: r.rows });
    },
  );
}
