// CI- and compile-job-facing routes: source and artifact upload (streamed, size-limited,
// digest-checked), source download for the compile job.

import {
  decodeContainer,
  PackageFormatError,
  parseIndex,
  verifyDetached,
} from '@tessera/runtime-sdk/package';
import { LIMITS } from '@tessera/runtime-sdk/protocol';
import { appendAudit } from '../audit/chain.ts';
import type { StoreContext } from '../context.ts';
import { putBlob } from '../db/blobs.ts';
import { HttpProblem, problems } from '../http/problem.ts';
import type { RequestContext, Router } from '../http/router.ts';
import { SOURCE_UPLOAD_ACTION } from '../review/pushers.ts';
import { requireKube } from './authz.ts';
import { dbUnavailable, sendJson } from './respond.ts';
import { serveBlob } from './serve-blob.ts';

const DIGEST = /^[0-9a-f]{64}$/;

function checkDigest(rc: RequestContext): string {
  const d = rc.params.sha256 ?? '';
  if (!DIGEST.test(d))
    throw problems.badRequest(
      'the digest in the path must be 64 lower-case hex characters (SHA-256 of the body)',
    );
  return d;
}

function declared(rc: RequestContext): number | undefined {
  const v = rc.req.headers['content-length'];
  return v === undefined ? undefined : Number(v);
}

function remote(rc: RequestContext): string {
  return rc.remoteAddress;
}

/** Reads the container header: wrapped key, kek id, signing key id; verifies the index signature. */
function inspectArtifact(wrappedHeader: string | undefined, isRevoked: (signingKeyId: string) => boolean) {
  return (head: Buffer, final: boolean): Record<string, unknown> | undefined => {
    let parts: ReturnType<typeof decodeContainer>;
    try {
      parts = decodeContainer(new Uint8Array(head.buffer, head.byteOffset, head.byteLength));
    } catch (e) {
      if (e instanceof PackageFormatError && /truncated/.test(e.message) && !final) return undefined;
      throw new HttpProblem(422, 'invalid-artifact', `not a Tessera package: ${(e as Error).message}`);
    }
    let index: ReturnType<typeof parseIndex>;
    try {
      index = parseIndex(parts.indexBytes);
    } catch (e) {
      throw new HttpProblem(422, 'invalid-artifact', (e as Error).message);
    }
    if (isRevoked(index.signingKeyId)) {
      throw new HttpProblem(
        422,
        'signing-key-revoked',
        `the package index is signed by the revoked signing key ${index.signingKeyId}; compile it again with the tenant's current key`,
      );
    }
    const wrapped = parts.wrappedDataKey || wrappedHeader || '';
    if (!wrapped) {
      throw new HttpProblem(
        422,
        'missing-wrapped-key',
        'the package carries no wrapped data key; send it in x-tessera-wrapped-key',
      );
    }
    if (!wrapped.startsWith(`${index.kekId}.`)) {
      throw new HttpProblem(
        422,
        'wrapped-key-mismatch',
        `the wrapped data key is not under the index's KEK ${index.kekId}`,
      );
    }
    return {
      wrappedDataKey: wrapped,
      kekId: index.kekId,
      signingKeyId: index.signingKeyId,
      packageId: index.packageId,
      plaintextDigest: index.plaintextDigest,
      indexBytes: Buffer.from(parts.indexBytes).toString('base64'),
      signature: Buffer.from(parts.signature).toString('base64'),
    };
  };
}

export function ciRoutes(router: Router, ctx: StoreContext): void {
  router.add(
    'PUT',
    '/v1/tenants/{tenant}/sources/{sha256}',
    'ci',
    {
      summary: 'Upload a source archive (raw body; digest must match; needs create on miniprogramversions)',
      auth: 'kubernetes',
    },
    async (rc) => {
      const digest = checkDigest(rc);
      const tenant = rc.params.tenant ?? '';
      const { user } = await requireKube(ctx, rc, tenant, 'create', 'miniprogramversions');
      const schema = await ctx.schema(tenant).catch(dbUnavailable);
      const r = await putBlob(ctx.pool, schema, rc.req, {
        kind: 'source',
        digest,
        limit: LIMITS.sourceBytes,
        declaredLength: declared(rc),
        createdBy: user.username,
      }).catch(dbUnavailable);
      // Every upload, a re-upload of a stored archive too: the uploaders are the version's
      // pushers, who may not approve it (review/pushers.ts).
      await appendAudit(ctx.pool, schema, {
        actor: user.username,
        action: SOURCE_UPLOAD_ACTION,
        target: digest,
        remote: remote(rc),
        details: { size: r.size, created: r.created },
      }).catch(dbUnavailable);
      sendJson(rc, r.created ? 201 : 200, { digest, size: r.size, created: r.created });
    },
  );

  router.add(
    'GET',
    '/v1/tenants/{tenant}/sources/{sha256}',
    'ci',
    {
      summary: 'Download a source archive (compile jobs; needs get on miniprogramversions/source)',
      auth: 'kubernetes',
    },
    async (rc) => {
      checkDigest(rc);
      // A subresource that exists only for RBAC: compile jobs get exactly this, no API access.
      await requireKube(ctx, rc, rc.params.tenant ?? '', 'get', 'miniprogramversions', undefined, 'source');
      await serveBlob(ctx, rc, 'source');
    },
  );

  router.add(
    'PUT',
    '/v1/tenants/{tenant}/artifacts/{sha256}',
    'ci',
    {
      summary:
        'Upload a compiled artifact (container bytes; digest must match; wrapped key in the container or x-tessera-wrapped-key; needs create on miniprogramversions/artifact)',
      auth: 'kubernetes',
    },
    async (rc) => {
      const digest = checkDigest(rc);
      const tenant = rc.params.tenant ?? '';
      const { user } = await requireKube(
        ctx,
        rc,
        tenant,
        'create',
        'miniprogramversions',
        undefined,
        'artifact',
      );
      const header = rc.req.headers['x-tessera-wrapped-key'];
      const schema = await ctx.schema(tenant).catch(dbUnavailable);
      const r = await putBlob(ctx.pool, schema, rc.req, {
        kind: 'artifact',
        digest,
        limit: LIMITS.artifactBytes,
        declaredLength: declared(rc),
        createdBy: user.username,
        inspectHead: inspectArtifact(typeof header === 'string' ? header : undefined, (id) =>
          ctx.state.isRevoked(tenant, id),
        ),
        headBytes: 17 * 1024 * 1024,
      }).catch(dbUnavailable);
      const meta = r.meta;
      if (r.created) {
        const keys = ctx.state.tenantKeys(tenant);
        if (
          keys &&
          keys.publicKeys.length > 0 &&
          typeof meta.indexBytes === 'string' &&
          typeof meta.signature === 'string'
        ) {
          try {
            await verifyDetached(
              Buffer.from(meta.indexBytes, 'base64'),
              meta.signature,
              keys.publicKeys,
              String(meta.signingKeyId),
              'package index',
            );
          } catch (e) {
            ctx.log.warn(
              { tenant, digest, err: (e as Error).message },
              'uploaded artifact signature does not verify',
            );
          }
        }
        await appendAudit(ctx.pool, schema, {
          actor: user.username,
          action: 'artifact.upload',
          target: digest,
          remote: remote(rc),
          details: { size: r.size, kekId: meta.kekId, signingKeyId: meta.signingKeyId },
        }).catch(dbUnavailable);
      }
      sendJson(rc, r.created ? 201 : 200, { digest, size: r.size, created: r.created });
    },
  );
}
