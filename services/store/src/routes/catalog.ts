// Catalog and search for the calling host app (device route), from PostgreSQL full-text
// search over bigram tokens (see catalog/tokens.ts).

import { z } from 'zod';
import { authenticateHostApp } from '../auth/hostapp.ts';
import { toTsqueryText } from '../catalog/tokens.ts';
import type { StoreContext } from '../context.ts';
import { zodProblem } from '../http/problem.ts';
import type { Router } from '../http/router.ts';
import { dbUnavailable, sendJson } from './respond.ts';

const CatalogQuery = z.object({
  q: z.string().max(200).optional(),
  category: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(10_000).default(0),
});

export function catalogRoutes(router: Router, ctx: StoreContext): void {
  router.add(
    'GET',
    '/v1/catalog',
    'device',
    {
      summary:
        'List or search the mini-programs released to the calling host app (q: full-text, Chinese via bigrams)',
      auth: 'hmac',
    },
    async (rc) => {
      const who = await authenticateHostApp(ctx, rc.req, rc.rawPath, Buffer.alloc(0), { allowSession: true });
      const parsed = CatalogQuery.safeParse(Object.fromEntries(rc.query));
      if (!parsed.success) throw zodProblem(parsed.error, 'query');
      const q = parsed.data;
      const schema = await ctx.schema(who.tenant).catch(dbUnavailable);
      const tsq = q.q ? toTsqueryText(q.q) : null;
      if (q.q && !tsq) {
        sendJson(rc, 200, { items: [], total: 0 });
        return;
      }
      const params: unknown[] = [who.hostApp];
      let where = "host_app = $1 and not (doc->>'suspended')::boolean";
      if (tsq) {
        params.push(tsq);
        where += ` and tokens @@ to_tsquery('simple', $${params.length})`;
      }
      if (q.category) {
        params.push(q.category);
        where += ` and doc->>'category' = $${params.length}`;
      }
      const order = tsq ? `ts_rank(tokens, to_tsquery('simple', $2)) desc, app_id` : 'app_id';
      params.push(q.limit, q.offset);
      const r = await ctx.pool
        .query<{ doc: Record<string, unknown>; total: string }>(
          `select doc, count(*) over () as total from ${schema}.catalog where ${where}
            order by ${order} limit $${params.length - 1} offset $${params.length}`,
          params,
        )
        .catch(dbUnavailable);
      sendJson(rc, 200, { items: r.rows.map((x) => x.doc), total: Number(r.rows[0]?.total ?? 0) });
    },
  );
}
