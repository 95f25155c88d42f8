import type { MiniProgramVersion, Tenant } from '@tessera/crds';
import { describe, expect, it } from 'vitest';
import {
  COMPILE_ENV,
  COMPILER_IMAGE,
  compileJob,
  KEYS_MOUNT_PATH,
  parseCompileResult,
} from './compile-job.ts';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const artifact = {
  digest: d('a'),
  plaintextDigest: d('b'),
  sourceDigest: d('c'),
  size: 10,
  keyId: 'k1',
  signature: 'c2ln',
  compilerVersion: '0.1.0',
  pages: ['pages/index/index'],
};
const mpv = {
  apiVersion: 'tessera.dev/v1alpha1',
  kind: 'MiniProgramVersion',
  metadata: { name: 'shop-1.0.0', namespace: 'tessera-acme', uid: 'u1', generation: 1 },
  spec: { miniProgram: 'shop', version: '1.0.0', source: { configMap: { name: 'src' } } },
} as MiniProgramVersion;
const tenant = {
  apiVersion: 'tessera.dev/v1alpha1',
  kind: 'Tenant',
  metadata: { name: 'acme', uid: 't1' },
  spec: { displayName: 'Acme' },
} as Tenant;

describe('compileJob', () => {
  it('builds a locked-down Job owned by the version', () => {
    const job = compileJob(mpv, tenant, 'shop-1-0-0-compile-x', { storeUrl: 'http://store' });
    const s = JSON.stringify(job);
    expect(job.metadata.namespace).toBe('tessera-acme');
    expect(s).toContain(COMPILER_IMAGE);
    expect(s).toContain(KEYS_MOUNT_PATH);
    expect(s).toContain(COMPILE_ENV.source);
    expect(s).toContain('"automountServiceAccountToken":false');
    expect(s).toContain('"readOnly":true');
    const spec = job.spec as {
      template: { spec: { volumes: Array<{ name: string; configMap?: { name: string } }> } };
    };
    expect(spec.template.spec.volumes.find((v) => v.name === 'source')?.configMap?.name).toBe('src');
    expect(s).toContain(COMPILE_ENV.sourceDir);
    expect(job.metadata.ownerReferences?.[0]).toMatchObject({
      uid: 'u1',
      controller: true,
    });
  });
});

describe('parseCompileResult', () => {
  it('accepts a success and a failure', () => {
    expect(parseCompileResult(JSON.stringify({ ok: true, artifact }))).toMatchObject({ ok: true, artifact });
    const f = parseCompileResult(
      JSON.stringify({
        ok: false,
        message: 'bad',
        errors: [{ file: 'app.json', line: 1, code: 'E1', message: 'x' }],
      }),
    );
    expect(f).toMatchObject({ ok: false, message: 'bad' });
  });
  it('turns missing, truncated, hostile and oversized messages into failures', () => {
    expect(parseCompileResult(undefined)).toMatchObject({ ok: false, invalid: true });
    expect(parseCompileResult('{"ok":true,"artifact":{')).toMatchObject({ ok: false, invalid: true });
    expect(parseCompileResult('\u0000\u001b[31mboom')).toMatchObject({ ok: false });
    expect(
      parseCompileResult(JSON.stringify({ ok: true, artifact: { ...artifact, digest: 'md5:x' } })),
    ).toMatchObject({
      ok: false,
      invalid: true,
    });
    expect(parseCompileResult(JSON.stringify({ ok: false, message: 'x'.repeat(100_000) }))).toMatchObject({
      ok: false,
      invalid: true,
    });
    expect(parseCompileResult('{"__proto__":{"ok":true}}')).toMatchObject({ ok: false, invalid: true });
    const msg = (parseCompileResult('not json \u0007') as { message: string }).message;
    expect(msg).not.toContain('\u0007');
  });
});
