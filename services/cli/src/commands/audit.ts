// audit: reads the store's hash-chained audit log. With a tenant (--tenant or $TESSERA_TENANT) the
// tenant's chain, which its members may read; without one the platform chain (platform admins).
// --verify asks the store to recompute the chain; a broken chain is exit 2 naming the entry.

import { z } from 'zod';
import { parseDuration } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { inputError, usageError } from '../errors.ts';
import { renderTable } from '../render/table.ts';
import { StoreClient } from '../store/client.ts';
import { discoverStoreUrl, resolveStoreToken } from '../store/discovery.ts';

const PAGE = 1000;

const EntrySchema = z.looseObject({
  seq: z.number(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  remote: z.string(),
  details: z.record(z.string(), z.unknown()),
  hash: z.string(),
});
type Entry = z.infer<typeof EntrySchema>;

const PageSchema = z.object({ entries: z.array(EntrySchema) });

const VerifySchema = z.union([
  z.object({ ok: z.literal(true), entries: z.number(), head: z.string() }),
  z.object({ ok: z.literal(false), entries: z.number(), brokenAt: z.number(), reason: z.string() }),
]);

export function sinceTime(text: string, now: number): string {
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const t = Date.parse(text);
    if (Number.isNaN(t))
      throw usageError(`--since ${text}: not an RFC 3339 time such as 2026-12-07T10:00:00Z`);
    return new Date(t).toISOString();
  }
  try {
    return new Date(now - parseDuration(text)).toISOString();
  } catch {
    throw usageError(`--since ${text}: give a duration such as 30m or 2h, or an RFC 3339 time`);
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined ? '' : String(v));

function rows(entries: Entry[], wide: boolean): string {
  const headers = ['seq', 'time', 'actor', 'action', 'target', 'code', 'from'];
  if (wide) headers.push('groups', 'user-agent');
  return renderTable(
    headers,
    entries.map((e) => {
      const d = e.details;
      const actor = d.impersonatedUser ? `${e.actor} (impersonated by ${str(d.user)})` : e.actor;
      const row = [String(e.seq), e.at, actor, e.action, e.target, str(d.code), e.remote];
      if (wide) row.push(Array.isArray(d.groups) ? d.groups.join(',') : '', str(d.userAgent));
      return row;
    }),
  );
}

export async function audit(ctx: CommandContext): Promise<void> {
  const tenant = ctx.string('tenant') ?? ctx.io.env.TESSERA_TENANT;
  const base = tenant ? `/v1/tenants/${encodeURIComponent(tenant)}/audit` : '/v1/audit';
  const chain = tenant ? `tenant ${tenant}` : 'the platform';
  const store = new StoreClient(
    await discoverStoreUrl(ctx.kube, ctx.namespace, ctx.string('store-url'), ctx.io.env),
    await resolveStoreToken(ctx.kube, ctx.string('token'), ctx.io.env),
  );

  if (ctx.flag('verify')) {
    const parsed = VerifySchema.safeParse(await store.getJson(`${base}/verify`, [409]));
    if (!parsed.success) throw inputError('the store answered the verification with an unexpected body');
    const v = parsed.data;
    if (!v.ok) {
      if (ctx.parsed.output === 'json' || ctx.parsed.output === 'yaml') ctx.result({ chain, ...v }, () => '');
      throw inputError(
        `the audit chain of ${chain} is broken at entry ${v.brokenAt}: ${v.reason} (${v.entries} entries before it verify)`,
      );
    }
    ctx.result({ chain, ...v }, () => `audit chain of ${chain} intact: ${v.entries} entries, head ${v.head}`);
    return;
  }

  const since = ctx.string('since');
  const query = since ? `&since=${encodeURIComponent(sinceTime(since, ctx.io.now()))}` : '';
  const entries: Entry[] = [];
  for (let after = 0; ; ) {
    const page = PageSchema.safeParse(await store.getJson(`${base}?after=${after}&limit=${PAGE}${query}`));
    if (!page.success) throw inputError('the store answered the audit listing with an unexpected body');
    entries.push(...page.data.entries);
    const last = page.data.entries.at(-1);
    if (!last || page.data.entries.length < PAGE) break;
    after = last.seq;
  }
  ctx.result({ chain, entries }, (wide) =>
    entries.length === 0 ? `no audit entries for ${chain}` : rows(entries, wide),
  );
}
