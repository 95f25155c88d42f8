// Side effects of release changes, run on every replica (all idempotent): keep the tenant's
// catalog rows (for search) in step with the release documents, and enqueue lifecycle webhooks
// (deduplicated by event id, so N replicas enqueue once).

import type { MiniProgramRelease } from '@tessera/crds';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { searchTokens, toTsvectorText } from '../catalog/tokens.ts';
import { enqueueWebhookEvent } from '../webhooks/deliveries.ts';

export function releaseSync(pool: Pool, schema: (tenant: string) => Promise<string>, log: Logger) {
  return {
    async applied(doc: MiniProgramRelease, previous: MiniProgramRelease | undefined): Promise<void> {
      try {
        const s = await schema(doc.tenant);
        const text = [
          doc.displayName,
          doc.description ?? '',
          doc.category ?? '',
          doc.appId,
          ...doc.tags,
        ].join(' ');
        const card = {
          appId: doc.appId,
          miniProgram: doc.miniProgram,
          displayName: doc.displayName,
          description: doc.description,
          icon: doc.icon,
          category: doc.category,
          tags: doc.tags,
          privacyScopes: doc.privacyScopes ?? [],
          version: doc.stable?.version,
          suspended: doc.suspended,
        };
        await pool.query(
          `insert into ${s}.catalog (host_app, app_id, mini_program, doc, tokens) values ($1, $2, $3, $4, $5::tsvector)
           on conflict (host_app, app_id) do update set mini_program = excluded.mini_program, doc = excluded.doc,
             tokens = excluded.tokens, updated_at = now()`,
          [doc.hostApp, doc.appId, doc.miniProgram, JSON.stringify(card), toTsvectorText(searchTokens(text))],
        );
        const stable = doc.stable?.version;
        if (stable && stable !== previous?.stable?.version) {
          await enqueueWebhookEvent(
            pool,
            s,
            'version.released',
            `released:${doc.namespace}/${doc.miniProgram}/${stable}`,
            {
              namespace: doc.namespace,
              miniProgram: doc.miniProgram,
              version: stable,
            },
          );
        }
        if (doc.suspended && previous?.suspended !== true) {
          await enqueueWebhookEvent(
            pool,
            s,
            'miniprogram.suspended',
            `suspended:${doc.namespace}/${doc.miniProgram}/${doc.sourceGeneration}`,
            { namespace: doc.namespace, miniProgram: doc.miniProgram, reason: doc.suspendReason },
          );
        }
      } catch (e) {
        log.warn(
          { tenant: doc.tenant, appId: doc.appId, err: String(e) },
          'release side effects not written (retried on next change)',
        );
      }
    },
    async removed(doc: MiniProgramRelease): Promise<void> {
      try {
        const s = await schema(doc.tenant);
        await pool.query(`delete from ${s}.catalog where host_app = $1 and app_id = $2`, [
          doc.hostApp,
          doc.appId,
        ]);
      } catch (e) {
        log.warn({ tenant: doc.tenant, err: String(e) }, 'catalog row not removed');
      }
    },
  };
}
