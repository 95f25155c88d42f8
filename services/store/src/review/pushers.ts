// Who pushed a version: every identity the store accepted an upload of its source from. Each
// upload is a `source.upload` entry of the tenant's hash-chained audit log (re-uploads of an
// already stored archive too), so the record is the tamper-evident one the audit shows.

import type { MiniProgramVersion } from '@tessera/crds';
import type { Pool } from 'pg';

export const SOURCE_UPLOAD_ACTION = 'source.upload';

const hex = (digest: string | undefined) => digest?.replace(/^sha256:/, '');

/** Uploaders of the version's source archive (spec.source.upload, and the compiled sourceDigest). */
export async function versionPushers(pool: Pool, schema: string, v: MiniProgramVersion): Promise<string[]> {
  const digests = [hex(v.spec.source.upload?.digest), hex(v.status?.artifact?.sourceDigest)].filter(
    (d): d is string => !!d,
  );
  if (digests.length === 0) return [];
  const r = await pool.query<{ actor: string }>(
    `select distinct actor from ${schema}.audit where action = $1 and target = any($2::text[])`,
    [SOURCE_UPLOAD_ACTION, [...new Set(digests)]],
  );
  return r.rows.map((row) => row.actor);
}
