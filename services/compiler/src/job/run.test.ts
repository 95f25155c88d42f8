import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ArtifactSchema } from '@tessera/crds';
import {
  generateKek,
  generateSigningKeyPair,
  MANIFEST_FILE,
  openPackage,
} from '@tessera/runtime-sdk/package';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSourceDir } from '../project/read-dir.ts';
import { tar, tgz, zip } from '../testing/archives.ts';
import { type JobConfig, loadConfig } from './config.ts';
import { serializeResult, TERMINATION_MESSAGE_LIMIT } from './result.ts';
import { EXIT_INFRA, EXIT_OK, EXIT_USER, runCompileJob } from './run.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const FIXTURE = fileURLToPath(new URL('../../test/fixtures/demo', import.meta.url));
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

// A loopback HTTP server speaking the store's source/artifact routes.
class FakeStoreServer {
  sources = new Map<string, Uint8Array>();
  artifacts = new Map<string, Uint8Array>();
  failNext = 0;
  artifactStatus = 201;
  wrongBytes = false;
  tokens: string[] = [];
  server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.tokens.push(req.headers.authorization ?? '');
      if (this.failNext > 0) {
        this.failNext--;
        res.writeHead(503).end('try later');
        return;
      }
      const m = /^\/v1\/tenants\/t1\/(sources|artifacts)\/([0-9a-f]{64})$/.exec(req.url ?? '');
      if (!m) {
        res.writeHead(404).end();
        return;
      }
      const [, kind, hex = ''] = m;
      if (req.method === 'GET' && kind === 'sources') {
        const body = this.sources.get(hex);
        if (!body) res.writeHead(404).end('no such source');
        else res.writeHead(200).end(this.wrongBytes ? Buffer.from('other bytes') : body);
        return;
      }
      if (req.method === 'PUT' && kind === 'artifacts') {
        const body = Buffer.concat(chunks);
        if (sha(body) !== hex) {
          res.writeHead(400).end('digest mismatch');
          return;
        }
        if (this.artifactStatus !== 201) {
          res.writeHead(this.artifactStatus).end('refused');
          return;
        }
        this.artifacts.set(hex, new Uint8Array(body));
        res.writeHead(201).end('{}');
        return;
      }
      res.writeHead(405).end();
    });
  });
  url = '';
  async start() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  addSource(bytes: Uint8Array): string {
    const hex = sha(bytes);
    this.sources.set(hex, bytes);
    return `sha256:${hex}`;
  }
}

const store = new FakeStoreServer();
let dir = '';
const kek = await generateKek();
const signer = await generateSigningKeyPair();
let demoTar: Uint8Array = new Uint8Array();

beforeAll(async () => {
  await store.start();
  dir = await mkdtemp(join(tmpdir(), 'tessera-job-'));
  await writeFile(join(dir, 'kek'), Buffer.from(kek.rawBase64, 'base64'));
  await writeFile(join(dir, 'kek-id'), kek.keyId);
  await writeFile(join(dir, 'signing-key.pk8'), Buffer.from(signer.privateKeyPkcs8, 'base64'));
  await writeFile(join(dir, 'signing-key-id'), signer.keyId);
  await writeFile(join(dir, 'token'), 'sa-token-123\n');
  const tree = await readSourceDir(FIXTURE);
  demoTar = tgz([...tree].map(([name, data]) => ({ name: `demo/${name}`, data })));
});

afterAll(async () => {
  await new Promise((r) => store.server.close(r));
  await rm(dir, { recursive: true, force: true });
});

function env(source: unknown, extra: Record<string, string> = {}): Record<string, string> {
  return {
    TESSERA_SOURCE: JSON.stringify(source),
    TESSERA_TENANT: 't1',
    TESSERA_STORE_URL: store.url,
    TESSERA_STORE_TOKEN_FILE: join(dir, 'token'),
    TESSERA_KEYS_DIR: dir,
    TESSERA_MINI_PROGRAM: 'shop',
    TESSERA_VERSION: '1.2.3',
    TESSERA_TERMINATION_LOG: join(dir, 'termination-log'),
    TESSERA_HTTP_RETRIES: '2',
    ...extra,
  };
}

const config = (source: unknown, extra: Record<string, string> = {}): JobConfig =>
  loadConfig(env(source, extra));
const fast = { http: { backoffMs: () => 0 } };

describe('compile job', () => {
  it('fetches, verifies, compiles, encrypts, signs and uploads (exit 0)', async () => {
    const digest = store.addSource(demoTar);
    const { exitCode, result } = await runCompileJob(config({ upload: { digest } }), fast);
    expect(exitCode).toBe(EXIT_OK);
    if (!result.ok) throw new Error(result.message);
    const artifact = ArtifactSchema.parse(result.artifact);
    expect(artifact.sourceDigest).toBe(digest);
    expect(artifact.pages).toEqual(['pages/index/index', 'pages/list/list']);
    expect(artifact.subpackages).toMatchObject([{ name: 'detail', root: 'packageA' }]);
    expect(store.tokens.every((t) => t === 'Bearer sa-token-123')).toBe(true);
    const uploaded = store.artifacts.get(artifact.digest.slice(7));
    expect(uploaded?.length).toBe(artifact.size);
    const pkg = await openPackage(uploaded ?? new Uint8Array(), {
      publicKeys: [signer.publicKeySpki],
      kek: kek.rawBase64,
      expect: { meta: { miniProgram: 'shop', version: '1.2.3', sourceDigest: digest } },
    });
    expect(JSON.parse(new TextDecoder().decode(await pkg.read(MANIFEST_FILE))).pages).toEqual(artifact.pages);
    expect(`sha256:${pkg.index.plaintextDigest}`).toBe(artifact.plaintextDigest);
    expect(serializeResult(result).length).toBeLessThanOrEqual(TERMINATION_MESSAGE_LIMIT);
  });

  it('runs as a process: env in, termination message and exit code out', async () => {
    const digest = store.addSource(
      zip([...(await readSourceDir(FIXTURE))].map(([name, data]) => ({ name, data }))),
    );
    const run = promisify(execFile);
    const { stderr } = await run(process.execPath, [MAIN], {
      env: { ...process.env, ...env({ upload: { digest } }) },
    });
    expect(stderr).not.toContain('sa-token-123');
    const message = await readFile(join(dir, 'termination-log'), 'utf8');
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(4096);
    expect(JSON.parse(message)).toMatchObject({ ok: true, artifact: { sourceDigest: digest } });

    const bad = store.addSource(
      tar([
        { name: 'app.json', data: '{"pages":["p/p"]}' },
        { name: 'p/p.wxml', data: '<view>' },
        { name: 'p/p.js', data: '' },
      ]),
    );
    const failed = await run(process.execPath, [MAIN], {
      env: { ...process.env, ...env({ upload: { digest: bad } }) },
    }).catch((e: { code: number }) => e);
    expect((failed as { code: number }).code).toBe(EXIT_USER);
    expect(JSON.parse(await readFile(join(dir, 'termination-log'), 'utf8'))).toMatchObject({
      ok: false,
      kind: 'user',
      errors: [{ file: 'p/p.wxml', line: 1, column: 1, code: 'WXML_SYNTAX' }],
    });
    const misconfigured = await run(process.execPath, [MAIN], {
      env: { ...process.env, ...env({ upload: { digest } }), TESSERA_TENANT: 'Bad_Name' },
    }).catch((e: { code: number }) => e);
    expect((misconfigured as { code: number }).code).toBe(EXIT_INFRA);
  });

  it('classifies bad sources as user errors (exit 2)', async () => {
    const cases: Array<[Uint8Array, RegExp]> = [
      [tar([{ name: '../escape', data: 'x' }]), /ARCHIVE_TRAVERSAL/],
      [tar([{ name: 'link', type: '2', linkname: '/etc/shadow' }]), /ARCHIVE_LINK/],
      [new TextEncoder().encode('not an archive'), /ARCHIVE_FORMAT/],
      [tar([{ name: 'readme.txt', data: 'no app.json' }]), /app.json is missing/],
    ];
    for (const [bytes, message] of cases) {
      const { exitCode, result } = await runCompileJob(
        config({ upload: { digest: store.addSource(bytes) } }),
        fast,
      );
      expect(exitCode).toBe(EXIT_USER);
      expect(result.ok ? '' : result.message).toMatch(message);
    }
    const bomb = tgz([{ name: 'z', data: new Uint8Array(2 * 1024 * 1024) }]);
    const r = await runCompileJob(
      config({ upload: { digest: store.addSource(bomb) } }, { TESSERA_MAX_RATIO: '50' }),
      fast,
    );
    expect(r.exitCode).toBe(EXIT_USER);
    const tooMany = await runCompileJob(
      config({ upload: { digest: store.addSource(demoTar) } }, { TESSERA_MAX_FILES: '5' }),
      fast,
    );
    expect(tooMany.result.ok ? '' : tooMany.result.message).toMatch(/more than 5 files/);
    const missing = await runCompileJob(config({ upload: { digest: `sha256:${'0'.repeat(64)}` } }), fast);
    expect(missing.exitCode).toBe(EXIT_USER);
    expect(missing.result.ok ? '' : missing.result.message).toMatch(/was not uploaded/);
    // the operator reports this as SourceNotFound rather than a compile error
    expect(missing.result.ok ? [] : missing.result.errors?.map((e) => e.code)).toEqual(['SourceNotFound']);
    const srcUrl = `${store.url}/v1/tenants/t1/sources/${sha(demoTar)}`;
    const ssrf = await runCompileJob(
      config({ url: { url: srcUrl, digest: `sha256:${sha(demoTar)}` } }),
      fast,
    );
    expect(ssrf.exitCode).toBe(EXIT_USER);
    expect(ssrf.result.ok ? '' : ssrf.result.message).toMatch(/non-public address 127\.0\.0\.1/);
    const allow = { TESSERA_ALLOW_PRIVATE_SOURCE_URLS: 'true' };
    const viaUrl = await runCompileJob(
      config({ url: { url: srcUrl, digest: `sha256:${sha(demoTar)}` } }, allow),
      fast,
    );
    expect(viaUrl.exitCode).toBe(EXIT_OK);
    const url = await runCompileJob(
      config({ url: { url: srcUrl, digest: `sha256:${'1'.repeat(64)}` } }, allow),
      fast,
    );
    expect(url.exitCode).toBe(EXIT_USER);
    expect(url.result.ok ? '' : url.result.message).toMatch(/digest mismatch/);
  });

  it('classifies store and configuration failures as infrastructure errors (exit 3)', async () => {
    const digest = store.addSource(demoTar);
    const down = await runCompileJob(
      config({ upload: { digest } }, { TESSERA_STORE_URL: 'http://127.0.0.1:9' }),
      fast,
    );
    expect(down.exitCode).toBe(EXIT_INFRA);
    expect(down.result.ok ? '' : down.result.message).toMatch(/fetching the source/);
    store.wrongBytes = true;
    const corrupt = await runCompileJob(config({ upload: { digest } }), fast);
    store.wrongBytes = false;
    expect(corrupt.exitCode).toBe(EXIT_INFRA);
    store.artifactStatus = 500;
    const refused = await runCompileJob(config({ upload: { digest } }), fast);
    store.artifactStatus = 201;
    expect(refused.exitCode).toBe(EXIT_INFRA);
    const noKeys = await runCompileJob(
      config({ upload: { digest } }, { TESSERA_KEYS_DIR: join(dir, 'nope') }),
      fast,
    );
    expect(noKeys.exitCode).toBe(EXIT_INFRA);
    expect(noKeys.result.ok ? '' : noKeys.result.message).not.toMatch(/BEGIN|sa-token/);
    store.artifactStatus = 413;
    const tooBig = await runCompileJob(config({ upload: { digest } }), fast);
    store.artifactStatus = 201;
    expect(tooBig.exitCode).toBe(EXIT_USER);
    const quota = await runCompileJob(
      config({ upload: { digest } }, { TESSERA_MAX_PACKAGE_BYTES: '1000' }),
      fast,
    );
    expect(quota.exitCode).toBe(EXIT_USER);
  });

  it('retries transient store failures', async () => {
    const digest = store.addSource(demoTar);
    store.failNext = 2;
    const { exitCode } = await runCompileJob(config({ upload: { digest } }), fast);
    expect(exitCode).toBe(EXIT_OK);
  });

  it('keeps the termination message within 4 KiB whatever the result', () => {
    const long = 'x'.repeat(5000);
    const fail = serializeResult({
      ok: false,
      kind: 'user',
      message: long,
      errors: Array.from({ length: 40 }, (_, i) => ({
        file: `f${i}`.repeat(100),
        line: i,
        code: 'WXML_SYNTAX',
        message: long,
      })),
    });
    expect(Buffer.byteLength(fail)).toBeLessThanOrEqual(4096);
    expect(JSON.parse(fail).errors.length).toBeGreaterThan(0);
    const ok = serializeResult({
      ok: true,
      artifact: {
        digest: `sha256:${'a'.repeat(64)}`,
        plaintextDigest: `sha256:${'b'.repeat(64)}`,
        sourceDigest: `sha256:${'c'.repeat(64)}`,
        size: 1,
        keyId: 'k',
        signature: 's'.repeat(88),
        compilerVersion: '0.1.0',
        pages: Array.from({ length: 400 }, (_, i) => `pages/page-number-${i}/index`),
      },
      warnings: Array.from({ length: 50 }, () => ({ file: 'a.wxml', code: 'compat:x', message: long })),
    });
    expect(Buffer.byteLength(ok)).toBeLessThanOrEqual(4096);
    expect(ArtifactSchema.parse(JSON.parse(ok).artifact).pages.length).toBeGreaterThan(10);
  });
});
