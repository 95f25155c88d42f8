/**
 * The custom resources are real: the API server itself accepts the examples,
 * rejects bad objects with messages that say what to fix, prints useful columns
 * and explains nested fields.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../../src/harness/paths.ts';
import { createTestNamespace, kubectl } from '../../src/harness/testing.ts';

const EXAMPLES = join(REPO_ROOT, 'examples', 'bank');

async function exampleDocs(): Promise<Array<Record<string, unknown>>> {
  const docs: Array<Record<string, unknown>> = [];
  for (const file of (await readdir(EXAMPLES)).filter((f) => f.endsWith('.yaml')).sort()) {
    const text = await readFile(join(EXAMPLES, file), 'utf8');
    for (const doc of parseAllDocuments(text)) docs.push(doc.toJSON() as Record<string, unknown>);
  }
  return docs;
}

/** Applies an object to the given namespace with strict field validation. */
async function apply(obj: unknown, ...extra: string[]) {
  return kubectl(
    ['apply', '--server-side', '--field-manager=test', '--validate=strict', ...extra, '-f', '-'],
    JSON.stringify(obj),
  );
}

let ns: { name: string; remove: () => Promise<void> };
beforeAll(async () => {
  ns = await createTestNamespace('crds');
});
afterAll(async () => {
  await ns.remove();
});

const version = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'tessera.dev/v1alpha1',
  kind: 'MiniProgramVersion',
  metadata: { name, namespace: ns.name },
  spec,
});
const validVersionSpec = () => ({
  miniProgram: 'transfer',
  version: '1.0.0',
  source: { upload: { digest: `sha256:${'a'.repeat(64)}` } },
});
const grayRule = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'tessera.dev/v1alpha1',
  kind: 'GrayRule',
  metadata: { name, namespace: ns.name },
  spec: { miniProgram: 'transfer', version: '1.1.0', ...spec },
});

describe('examples', () => {
  it('are all accepted by the API server and listed with printer columns', async () => {
    const docs = await exampleDocs();
    expect(new Set(docs.map((d) => d.kind))).toEqual(
      new Set(['Tenant', 'MiniProgram', 'MiniProgramVersion', 'HostApp', 'GrayRule']),
    );
    const { name } = ns;
    for (const doc of docs) {
      const meta = doc.metadata as Record<string, unknown>;
      // Examples target the tenant namespace; each test run uses its own.
      if (meta.namespace) meta.namespace = name;
      if (doc.kind === 'Tenant') meta.name = `${meta.name}-${name}`;
      if (doc.kind === 'Tenant') (doc.spec as Record<string, unknown>).namespace = name;
      const result = await apply(doc);
      expect(result.stderr, `${doc.kind} ${meta.name}`).toBe('');
      expect(result.code).toBe(0);
    }
    const list = await kubectl(['get', 'tessera', '-n', name]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/NAME\s+APP ID\s+STABLE\s+LATEST\s+GRAY RULES\s+SUSPENDED\s+READY\s+AGE/);
    expect(list.stdout).toMatch(/miniprogramversion\.tessera\.dev\/transfer-1\.1\.0\s+transfer\s+1\.1\.0/);
    expect(list.stdout).toMatch(
      /grayrule\.tessera\.dev\/transfer-1\.1\.0-shanghai\s+transfer\s+1\.1\.0\s+10/,
    );
    expect(list.stdout).toMatch(/hostapp\.tessera\.dev\/mobile-banking\s+Example Bank Mobile/);
    const all = await kubectl(['get', 'tessera', '-A']);
    expect(all.stdout).toMatch(/tenant\.tessera\.dev\/bank-/);
    const short = await kubectl(['get', 'mpv,mp,ha,gr', '-n', name, '-o', 'name']);
    expect(short.stdout.trim().split('\n')).toHaveLength(7);
  });
});

describe('validation by the API server', () => {
  const cases: Array<{ what: string; obj: () => unknown; message: RegExp }> = [
    {
      what: 'an invalid semantic version',
      obj: () => version('bad-semver', { ...validVersionSpec(), version: '1.0' }),
      message: /spec\.version: Invalid value: "1\.0": must be a semantic version such as 1\.4\.0/,
    },
    {
      what: 'two sources at once',
      obj: () =>
        version('two-sources', {
          ...validVersionSpec(),
          source: { upload: { digest: `sha256:${'a'.repeat(64)}` }, configMap: { name: 'src' } },
        }),
      message:
        /exactly one of spec\.source\.upload, spec\.source\.url or spec\.source\.configMap must be set/,
    },
    {
      what: 'no source',
      obj: () => version('no-source', { ...validVersionSpec(), source: {} }),
      message: /exactly one of spec\.source\.upload/,
    },
    {
      what: 'a malformed digest',
      obj: () => version('bad-digest', { ...validVersionSpec(), source: { upload: { digest: 'md5:abc' } } }),
      message:
        /spec\.source\.upload\.digest: Invalid value: "md5:abc": must be "sha256:" followed by 64 lowercase hex characters/,
    },
    {
      what: 'a rollout percentage of 150',
      obj: () => grayRule('pct-150', { rollout: { percentage: 150 } }),
      message:
        /spec\.rollout\.percentage: Invalid value: 150: spec\.rollout\.percentage in body should be less than or equal to 100/,
    },
    {
      what: 'an unknown operator',
      obj: () =>
        grayRule('bad-op', { match: { all: [{ attribute: 'region', operator: 'Like', values: ['x'] }] } }),
      message: /spec\.match\.all\[0\]\.operator: Unsupported value: "Like": supported values: "In", "NotIn"/,
    },
    {
      what: 'several values for a single-value operator',
      obj: () =>
        grayRule('many-values', {
          match: { any: [{ attribute: 'region', operator: 'Eq', values: ['a', 'b'] }] },
        }),
      message:
        /spec\.match\.any\[0\]\.values: .*Eq takes exactly one value; only In, NotIn, Contains, StartsWith, EndsWith, Matches, InCIDR take several/,
    },
    {
      what: 'a schedule that ends before it starts',
      obj: () =>
        grayRule('bad-schedule', {
          schedule: { start: '2026-12-01T00:00:00Z', end: '2026-11-01T00:00:00Z' },
        }),
      message: /schedule\.end must be after schedule\.start/,
    },
    {
      what: 'a malformed appId',
      obj: () => ({
        apiVersion: 'tessera.dev/v1alpha1',
        kind: 'MiniProgram',
        metadata: { name: 'bad-appid', namespace: ns.name },
        spec: { appId: '1 bad', displayName: 'x' },
      }),
      message:
        /spec\.appId: Invalid value: "1 bad": must be 3-64 characters: a letter, then letters, digits, _ or -/,
    },
    {
      what: 'an unknown field under strict field validation',
      obj: () => version('unknown-field', { ...validVersionSpec(), compilerFlags: ['-O3'] }),
      message: /\.spec\.compilerFlags: field not declared in schema/,
    },
  ];

  for (const c of cases) {
    it(`rejects ${c.what}`, async () => {
      const result = await apply(c.obj());
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(c.message);
    });
  }

  it('refuses to change spec.version or spec.source of an existing MiniProgramVersion', async () => {
    expect((await apply(version('immutable', validVersionSpec()))).code).toBe(0);
    const changedVersion = await apply(version('immutable', { ...validVersionSpec(), version: '1.0.1' }));
    expect(changedVersion.code).not.toBe(0);
    expect(changedVersion.stderr).toMatch(/spec\.version is immutable; create a new object instead/);
    const changedSource = await apply(
      version('immutable', {
        ...validVersionSpec(),
        source: { upload: { digest: `sha256:${'b'.repeat(64)}` } },
      }),
    );
    expect(changedSource.stderr).toMatch(/spec\.source is immutable/);
    // Mutable fields still change.
    expect((await apply(version('immutable', { ...validVersionSpec(), changelog: 'typo fix' }))).code).toBe(
      0,
    );
  });
});

describe('kubectl explain', () => {
  const fields = [
    ['tenant.spec.reviewPolicy.requiredRoles', /Review roles that must each approve a version/],
    ['miniprogram.spec.domains.request', /Origins the mini-program may reach with wx\.request/],
    ['miniprogramversion.spec.source', /exactly one of upload, url or configMap/],
    ['miniprogramversion.status.artifact.keyId', /Id of the tenant signing key/],
    ['hostapp.spec.updatePolicy.checkIntervalSeconds', /How often the SDK checks for updates/],
    ['grayrule.spec.rollout.percentage', /Monotonic: users in at 10% stay in at 20%/],
    ['grayrule.spec.rollout.stickiness', /Unset:\s+userId,\s+else\s+sessionId,\s+else\s+a\s+random\s+draw/],
    [
      'grayrule.spec.match.all.operator',
      /InCIDR\s+\(IP\s+address\s+in\s+a\s+CIDR\s+range,\s+IPv4\s+or\s+IPv6\)/,
    ],
  ] as const;
  for (const [field, description] of fields) {
    it(`explains ${field}`, async () => {
      const result = await kubectl(['explain', field]);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(description);
    });
  }
});
