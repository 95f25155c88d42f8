// The compile job: fetch source → verify digest → unpack safely → compile → encrypt + sign →
// upload → result. Exit codes: 0 ok, 2 the source must change (user error), 3 infrastructure.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UnpackError } from '../archive/limits.ts';
import { unpackArchive } from '../archive/unpack.ts';
import { CompileError } from '../errors.ts';
import { packageArtifacts, type TenantKeyMaterial } from '../package-artifacts.ts';
import { hashBytes } from '../project/cache.ts';
import { CompileFailure, compileProject } from '../project/compile-project.ts';
import { readSourceDir, SourceDirError } from '../project/read-dir.ts';
import type { SourceTree } from '../project/source-tree.ts';
import { COMPILER_VERSION } from '../version.ts';
import { expandTemplate, type JobConfig } from './config.ts';
import {
  BodyTooLargeError,
  type HttpOptions,
  HttpStatusError,
  httpGet,
  httpPut,
  NetworkError,
} from './http.ts';
import { type CompileMessage, clampMessage, type JobResult } from './result.ts';
import { assertPublicUrl, ForbiddenSourceUrlError } from './url-guard.ts';

export const EXIT_OK = 0;
export const EXIT_USER = 2;
export const EXIT_INFRA = 3;

export class JobError extends Error {
  readonly kind: 'user' | 'infra';
  readonly errors: CompileMessage[];
  constructor(kind: 'user' | 'infra', message: string, errors: CompileMessage[] = []) {
    super(message);
    this.name = 'JobError';
    this.kind = kind;
    this.errors = errors;
  }
}

export interface JobDeps {
  log?: (event: string, fields: Record<string, unknown>) => void;
  http?: Partial<HttpOptions>;
}

const KEY_FILES = {
  kek: 'kek',
  kekId: 'kek-id',
  signingKey: 'signing-key.pk8',
  signingKeyId: 'signing-key-id',
} as const;

async function readKeys(dir: string): Promise<TenantKeyMaterial> {
  try {
    const [kek, kekId, signingKey, signingKeyId] = await Promise.all([
      readFile(join(dir, KEY_FILES.kek)),
      readFile(join(dir, KEY_FILES.kekId), 'utf8'),
      readFile(join(dir, KEY_FILES.signingKey)),
      readFile(join(dir, KEY_FILES.signingKeyId), 'utf8'),
    ]);
    if (kek.length !== 32) throw new Error(`${KEY_FILES.kek} must hold 32 raw bytes`);
    return {
      kek: kek.toString('base64'),
      kekId: kekId.trim(),
      signingKey: signingKey.toString('base64'),
      signingKeyId: signingKeyId.trim(),
    };
  } catch (e) {
    throw new JobError('infra', `tenant key Secret mount ${dir} is unusable: ${(e as Error).message}`);
  }
}

async function readToken(path: string): Promise<string> {
  try {
    const token = (await readFile(path, 'utf8')).trim();
    if (!token) throw new Error('empty');
    return token;
  } catch (e) {
    throw new JobError('infra', `store token ${path} is unreadable: ${(e as Error).message}`);
  }
}

function httpFailure(e: unknown, what: string): JobError {
  if (e instanceof HttpStatusError) {
    return new JobError('infra', `${what}: ${e.message}`);
  }
  if (e instanceof NetworkError) return new JobError('infra', `${what}: ${e.message}`);
  return new JobError('infra', `${what}: ${(e as Error).message}`);
}

async function fetchSource(
  config: JobConfig,
  token: string,
  http: HttpOptions,
): Promise<{ tree: SourceTree; digest: string }> {
  const src = config.source;
  if ('configMap' in src) {
    if (!config.sourceDir) {
      throw new JobError(
        'infra',
        `configMap source "${src.configMap.name}" needs the ConfigMap mounted at TESSERA_SOURCE_DIR`,
      );
    }
    let flat: SourceTree;
    try {
      flat = await readSourceDir(config.sourceDir, {
        maxFiles: config.limits.maxFiles,
        maxBytes: config.limits.maxTotalBytes,
      });
    } catch (e) {
      if (e instanceof SourceDirError) throw new JobError('user', `configMap source: ${e.message}`);
      throw new JobError('infra', `configMap source mount unreadable: ${(e as Error).message}`);
    }
    // ConfigMap keys cannot contain "/": paths are encoded with "__".
    const tree = new Map<string, Uint8Array>();
    for (const [k, v] of flat) if (!k.includes('/')) tree.set(k.replaceAll('__', '/'), v);
    const digest = `sha256:${hashBytes(JSON.stringify([...tree].map(([k, v]) => [k, hashBytes(v)]).sort()))}`;
    return { tree, digest };
  }
  const { url, headers, digest, kind } =
    'upload' in src
      ? {
          url: expandTemplate(config.sourceUrlTemplate, {
            store: config.storeUrl,
            tenant: config.tenant,
            digest: src.upload.digest,
          }),
          headers: { authorization: `Bearer ${token}` },
          digest: src.upload.digest,
          kind: 'upload' as const,
        }
      : { url: src.url.url, headers: {}, digest: src.url.digest, kind: 'url' as const };
  if (kind === 'url' && !config.allowPrivateSourceUrls) {
    try {
      await assertPublicUrl(url);
    } catch (e) {
      if (e instanceof ForbiddenSourceUrlError) throw new JobError('user', e.message);
      throw e;
    }
  }
  let bytes: Uint8Array;
  try {
    bytes = await httpGet(url, headers, config.limits.maxArchiveBytes, http);
  } catch (e) {
    if (e instanceof BodyTooLargeError) {
      throw new JobError(
        'user',
        `source archive is larger than ${config.limits.maxArchiveBytes} bytes (TESSERA_MAX_ARCHIVE_BYTES)`,
      );
    }
    if (e instanceof HttpStatusError && e.status === 404) {
      const message =
        kind === 'upload'
          ? `source ${digest} was not uploaded to the store: upload it, then retry`
          : `source URL answered 404: fix spec.source.url`;
      throw new JobError('user', message, [{ file: '(source)', code: 'SourceNotFound', message }]);
    }
    if (kind === 'url' && e instanceof HttpStatusError && e.status >= 400 && e.status < 500) {
      throw new JobError(
        'user',
        `source URL answered ${e.status}: make it publicly readable or upload the source`,
      );
    }
    throw httpFailure(e, 'fetching the source');
  }
  const actual = `sha256:${hashBytes(bytes)}`;
  if (actual !== digest) {
    throw new JobError(
      kind === 'url' ? 'user' : 'infra',
      `source digest mismatch: expected ${digest}, got ${actual}${kind === 'url' ? ' (the URL content changed; fix spec.source.url.digest)' : ' (store returned other bytes)'}`,
    );
  }
  try {
    return { tree: unpackArchive(bytes, config.limits), digest };
  } catch (e) {
    if (e instanceof UnpackError)
      throw new JobError('user', `source archive rejected (${e.code}): ${e.message}`, [
        { file: '(archive)', code: e.code, message: e.message },
      ]);
    throw e;
  }
}

export async function runCompileJob(
  config: JobConfig,
  deps: JobDeps = {},
): Promise<{ exitCode: number; result: JobResult }> {
  const log = deps.log ?? (() => {});
  const http: HttpOptions = { timeoutMs: config.httpTimeoutMs, retries: config.httpRetries, ...deps.http };
  try {
    const [keys, token] = await Promise.all([readKeys(config.keysDir), readToken(config.storeTokenFile)]);
    const { tree, digest: sourceDigest } = await fetchSource(config, token, http);
    log('source.fetched', { files: tree.size, digest: sourceDigest });
    let compiled: Awaited<ReturnType<typeof compileProject>>;
    try {
      compiled = await compileProject(tree);
    } catch (e) {
      if (e instanceof CompileFailure) {
        throw new JobError(
          'user',
          e.message.split('\n').slice(0, 6).join('\n'),
          e.errors.map((x) => ({
            file: x.file,
            line: x.line,
            column: x.column,
            code: x.code,
            message: x.message,
          })),
        );
      }
      if (e instanceof CompileError) throw new JobError('user', e.message, [e.toJSON()]);
      throw e;
    }
    log('compiled', { artifacts: compiled.artifacts.length, warnings: compiled.report.warnings.length });
    const packaged = await packageArtifacts(compiled, keys, { ...config.meta, sourceDigest });
    for (const p of packaged) {
      if (p.written.bytes.length > config.maxPackageBytes) {
        throw new JobError(
          'user',
          `artifact ${p.name} is ${p.written.bytes.length} bytes, above the tenant quota of ${config.maxPackageBytes}; shrink assets or split into subpackages`,
        );
      }
    }
    for (const p of packaged) {
      const url = expandTemplate(config.artifactUrlTemplate, {
        store: config.storeUrl,
        tenant: config.tenant,
        digest: `sha256:${p.written.digests.ciphertext}`,
      });
      try {
        await httpPut(url, { authorization: `Bearer ${token}` }, p.written.bytes, http);
      } catch (e) {
        if (e instanceof HttpStatusError && e.status === 413) {
          throw new JobError(
            'user',
            `the store refused artifact ${p.name} as too large (${p.written.bytes.length} bytes)`,
          );
        }
        throw httpFailure(e, `uploading artifact ${p.name}`);
      }
      log('artifact.uploaded', {
        name: p.name,
        digest: p.written.digests.ciphertext,
        size: p.written.bytes.length,
      });
    }
    const main = packaged.find((p) => p.root === null);
    if (!main) throw new JobError('infra', 'compiler produced no main artifact');
    const result: JobResult = {
      ok: true,
      artifact: {
        digest: `sha256:${main.written.digests.ciphertext}`,
        plaintextDigest: `sha256:${main.written.digests.plaintext}`,
        sourceDigest,
        size: main.written.bytes.length,
        keyId: main.written.signingKeyId,
        kekId: main.written.kekId,
        signature: main.written.signature,
        compilerVersion: COMPILER_VERSION,
        pages: compiled.manifest.pages,
        subpackages: packaged
          .filter((p) => p.root !== null)
          .map((p) => ({
            name: compiled.manifest.subpackages.find((s) => s.artifact === p.name)?.name ?? p.root ?? p.name,
            root: p.root ?? '',
            digest: `sha256:${p.written.digests.ciphertext}`,
            size: p.written.bytes.length,
          })),
      },
      warnings: compiled.report.warnings.map((w) =>
        clampMessage({
          file: w.file,
          line: w.line,
          column: w.column,
          code: `compat:${w.feature}`,
          message: w.message,
        }),
      ),
    };
    return { exitCode: EXIT_OK, result };
  } catch (e) {
    const err =
      e instanceof JobError
        ? e
        : new JobError('infra', `unexpected failure: ${(e as Error).message ?? String(e)}`);
    log('failed', { kind: err.kind, message: err.message });
    return {
      exitCode: err.kind === 'user' ? EXIT_USER : EXIT_INFRA,
      result: {
        ok: false,
        kind: err.kind,
        message: err.message,
        ...(err.errors.length ? { errors: err.errors.map(clampMessage) } : {}),
      },
    };
  }
}
