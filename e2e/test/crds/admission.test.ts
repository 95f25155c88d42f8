/**
 * The zod schemas and the API server refuse the same objects, with the same words: every bad
 * object below is parsed in-process by the kind's zod schema and sent to the harness API server
 * as a server-side dry-run apply; both must refuse it and say what is expected (never print a
 * regular expression). Every good object is accepted by both.
 */
import { KINDS } from '@tessera/crds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace, kubectl } from '../../src/harness/testing.ts';

let ns: { name: string; remove: () => Promise<void> };
beforeAll(async () => {
  ns = await createTestNamespace('admission');
});
afterAll(async () => {
  await ns.remove();
});

type Spec = Record<string, unknown>;
const object = (kind: string, name: string, spec: Spec) => ({
  apiVersion: 'tessera.dev/v1alpha1',
  kind,
  metadata: { name, namespace: ns.name },
  spec,
});
const grayRule = (spec: Spec) =>
  object('GrayRule', 'rule', { miniProgram: 'transfer', version: '1.1.0', ...spec });
const when = (operator: string, values: string[], attribute = 'a') =>
  grayRule({ match: { all: [{ attribute, operator, values }] } });
const miniProgram = (spec: Spec) =>
  object('MiniProgram', 'transfer', { appId: 'transfer', displayName: 'Transfer', ...spec });
const version = (spec: Spec) =>
  object('MiniProgramVersion', 'transfer-1.0.0', {
    miniProgram: 'transfer',
    version: '1.0.0',
    source: { upload: { digest: `sha256:${'a'.repeat(64)}` } },
    ...spec,
  });

const hostApp = (spec: Spec) =>
  object('HostApp', 'mobile', {
    displayName: 'Mobile',
    platforms: { web: { origins: ['https://m.example.com'] } },
    miniPrograms: { names: ['transfer'] },
    ...spec,
  });
const platforms = (p: Spec) => hostApp({ platforms: p });
const selector = (sel: Spec) => hostApp({ miniPrograms: { selector: sel } });
const tenant = (name: string, spec: Spec = {}) => ({
  apiVersion: 'tessera.dev/v1alpha1',
  kind: 'Tenant',
  metadata: { name },
  spec: { displayName: 'Acme', ...spec },
});

interface Case {
  what: string;
  obj: () => { kind: string };
  /** what both say */
  message: RegExp;
  /** what the API server says, when its words differ from zod's */
  server?: RegExp;
}

const NUMBER = /compares numbers: the value must be a decimal number such as 18 or -2\.5/;
const SEMVER = /must be a semantic version such as 1\.4\.0 or 2\.0\.0-rc\.1 \(no leading v\)/;
const TIME = /compares times: the value must be an RFC 3339 time with a zone such as 2026-01-01T00:00:00Z/;
const CIDR =
  /InCIDR matches IP ranges: every value must be an IP address or CIDR range such as 10\.0\.0\.0\/8/;
const RE2 = /Matches takes RE2 regular expressions: every value must compile/;
// CEL's matches() fails to evaluate on a pattern that does not compile; the server reports why.
const RE2_SERVER = /error parsing regexp/;
const BLANK = /must not be empty or only whitespace/;
const NAME = /must be a lowercase RFC 1123 subdomain/;
const APP_ID = /must be an application id such as com\.example\.bank: letters, digits, "\.", "_" and "-"/;
const LABEL_KEY = /must be a Kubernetes label key/;
const LABEL_VALUE = /must be a Kubernetes label value/;
const TENANT_NAME = /metadata\.name must be a DNS label \(a-z, 0-9 and "-"\) of at most 55 characters/;

const bad: Case[] = [
  { what: 'a word for Gt', obj: () => when('Gt', ['ten']), message: NUMBER },
  { what: 'an exponent for NumEq', obj: () => when('NumEq', ['1e3']), message: NUMBER },
  { what: 'a leading v for SemverGte', obj: () => when('SemverGte', ['v1.2.0']), message: SEMVER },
  { what: 'a two-part version for SemverEq', obj: () => when('SemverEq', ['1.2']), message: SEMVER },
  {
    what: 'a date without a time for DateAfter',
    obj: () => when('DateAfter', ['2026-01-01']),
    message: TIME,
  },
  { what: 'month 13 for DateBefore', obj: () => when('DateBefore', ['2026-13-01T00:00:00Z']), message: TIME },
  {
    what: 'an unclosed group for Matches',
    obj: () => when('Matches', ['(unclosed']),
    message: RE2,
    server: RE2_SERVER,
  },
  {
    what: 'lookahead for Matches',
    obj: () => when('Matches', ['^(?=a)b$']),
    message: RE2,
    server: RE2_SERVER,
  },
  {
    what: 'a backreference for Matches',
    obj: () => when('Matches', ['(a)\\1']),
    message: RE2,
    server: RE2_SERVER,
  },
  { what: 'a /33 for InCIDR', obj: () => when('InCIDR', ['10.0.0.0/8', '10.0.0.0/33']), message: CIDR },
  { what: 'a host name for InCIDR', obj: () => when('InCIDR', ['127.invalid']), message: CIDR },
  { what: 'a leading zero for InCIDR', obj: () => when('InCIDR', ['010.0.0.1']), message: CIDR },
  {
    what: 'an IPv4-mapped range for InCIDR',
    obj: () => when('InCIDR', ['::ffff:10.0.0.0/104']),
    message: CIDR,
  },
  { what: 'an IPv6 zone for InCIDR', obj: () => when('InCIDR', ['fe80::1%eth0']), message: CIDR },
  {
    what: '"yes" for Is',
    obj: () => when('Is', ['yes']),
    message: /Is compares booleans: the value must be true or false/,
  },
  {
    what: 'two values for Eq',
    obj: () => when('Eq', ['a', 'b']),
    message:
      /Eq takes exactly one value; only In, NotIn, Contains, StartsWith, EndsWith, Matches, InCIDR take several/,
  },
  { what: 'no values for In', obj: () => when('In', []), message: /In needs at least one value/ },
  { what: 'a value for Exists', obj: () => when('Exists', ['x']), message: /Exists takes no values/ },
  {
    what: 'an attribute name with a space',
    obj: () => when('Exists', [], 'bad attr'),
    message: /must be an attribute name such as userId, region or app\.version/,
  },
  {
    what: 'a stickiness attribute with a space',
    obj: () => grayRule({ rollout: { percentage: 10, stickiness: 'device id' } }),
    message: /must be an attribute name such as userId/,
  },
  {
    what: 'a GrayRule version with a leading v',
    obj: () => grayRule({ version: 'v1.1.0' }),
    message: SEMVER,
  },
  {
    what: 'an upper-case mini-program name',
    obj: () => grayRule({ miniProgram: 'Transfer_App' }),
    message: NAME,
  },
  { what: 'an upper-case host app name', obj: () => grayRule({ hostApps: ['Mobile'] }), message: NAME },
  { what: 'an empty display name', obj: () => miniProgram({ displayName: '' }), message: BLANK },
  { what: 'a display name of spaces', obj: () => miniProgram({ displayName: '   ' }), message: BLANK },
  {
    what: 'a display name of tabs and newlines',
    obj: () => miniProgram({ displayName: '\t\n' }),
    message: BLANK,
  },
  {
    what: 'a display name of ideographic spaces',
    obj: () => miniProgram({ displayName: '\u3000\u3000' }),
    message: BLANK,
  },
  { what: 'a blank tag', obj: () => miniProgram({ tags: ['finance', ' '] }), message: BLANK },
  {
    what: 'a blank privacy purpose',
    obj: () => miniProgram({ privacyScopes: [{ scope: 'camera', purpose: ' ' }] }),
    message: BLANK,
  },
  {
    what: 'a two-character appId',
    obj: () => miniProgram({ appId: 'ab' }),
    message: /must be 3-64 characters: a letter, then letters, digits, _ or -/,
  },
  {
    what: 'an http:// request domain',
    obj: () => miniProgram({ domains: { request: ['http://api.example.com'] } }),
    message: /must be an https:\/\/ or wss:\/\/ origin such as https:\/\/api\.example\.com/,
  },
  { what: 'a two-part stable version', obj: () => miniProgram({ stableVersion: '1.0' }), message: SEMVER },
  {
    what: 'an ftp:// source URL',
    obj: () =>
      version({ source: { url: { url: 'ftp://ci.example.com/a.tar', digest: `sha256:${'a'.repeat(64)}` } } }),
    message:
      /must be an http:\/\/ or https:\/\/ URL with a host, such as https:\/\/ci\.example\.com\/app\.tar\.gz/,
  },
  {
    what: 'a source URL without a host',
    obj: () => version({ source: { url: { url: 'https://', digest: `sha256:${'a'.repeat(64)}` } } }),
    message: /must be an http:\/\/ or https:\/\/ URL with a host/,
  },
  {
    what: 'an upper-case digest',
    obj: () => version({ source: { upload: { digest: `sha256:${'A'.repeat(64)}` } } }),
    message: /must be "sha256:" followed by 64 lowercase hex characters/,
  },
  {
    what: 'an upper-case ConfigMap name',
    obj: () => version({ source: { configMap: { name: 'Src' } } }),
    message: NAME,
  },
  { what: 'a leading v for minSdkVersion', obj: () => version({ minSdkVersion: 'v2.0.0' }), message: SEMVER },
  { what: 'an empty bundle id', obj: () => platforms({ ios: { bundleId: '' } }), message: APP_ID },
  {
    what: 'a bundle id with a space',
    obj: () => platforms({ ios: { bundleId: 'com.example bank' } }),
    message: APP_ID,
  },
  {
    what: 'a bundle id with a slash',
    obj: () => platforms({ harmony: { bundleName: 'com/example' } }),
    message: APP_ID,
  },
  {
    what: 'a desktop app id of spaces',
    obj: () => platforms({ desktop: { appId: '   ' } }),
    message: APP_ID,
  },
  {
    what: 'a one-segment Android package name',
    obj: () => platforms({ android: { packageName: 'bank' } }),
    message: /must be an Android package name such as com\.example\.bank/,
  },
  {
    what: 'no platform at all',
    obj: () => platforms({}),
    message: /must name at least one platform: ios, android, harmony, desktop, web/,
  },
  {
    what: 'a web platform without origins',
    obj: () => platforms({ web: { origins: [] } }),
    message: /origins/,
  },
  {
    what: 'a selector label key with a space',
    obj: () => selector({ matchLabels: { 'bad key': 'x' } }),
    message: LABEL_KEY,
  },
  {
    what: 'a selector label value with a slash',
    obj: () => selector({ matchLabels: { tier: 'a/b' } }),
    message: LABEL_VALUE,
  },
  {
    what: 'a selector expression key with a space',
    obj: () => selector({ matchExpressions: [{ key: 'bad key', operator: 'Exists' }] }),
    message: LABEL_KEY,
  },
  {
    what: 'a branding colour by name',
    obj: () => hostApp({ branding: { primaryColor: 'red' } }),
    message: /must be a colour as #rrggbb, e\.g\. #c8102e/,
  },
  {
    what: 'a 56-character tenant name without spec.namespace',
    obj: () => tenant('a'.repeat(56)),
    message: TENANT_NAME,
  },
  {
    what: 'a tenant name with a dot',
    obj: () => tenant('acme.bank', { namespace: 'acme' }),
    message: TENANT_NAME,
  },
];

const good: Array<{ what: string; obj: () => { kind: string } }> = [
  {
    what: 'a rule using every kind of value',
    obj: () =>
      grayRule({
        match: {
          all: [
            { attribute: 'region', operator: 'StartsWith', values: ['cn-', 'hk-'] },
            {
              attribute: 'remoteAddress',
              operator: 'InCIDR',
              values: ['10.0.0.0/8', '2001:db8::/32', '192.168.1.7', '10.1.2.3/8'],
            },
            { attribute: 'score', operator: 'NumEq', values: ['-12.5'] },
            { attribute: 'appVersion', operator: 'SemverGte', values: ['1.2.3-rc.1+build.5'] },
            { attribute: 'signedUp', operator: 'DateAfter', values: ['2026-01-01T08:00:00.5+08:00'] },
            {
              attribute: 'email',
              operator: 'Matches',
              values: ['^(?i)vip-\\d+@[[:alpha:]]+\\.com$', '\\bbank\\b'],
            },
            { attribute: 'beta', operator: 'Is', values: ['true'] },
            { attribute: 'tier', operator: 'NotIn', values: ['blocked'] },
          ],
        },
        rollout: { percentage: 12.5 },
      }),
  },
  {
    // admitted, then refused by the engine's program-size limit: the operator reports it in the
    // rule's Valid condition (the only Matches check the API server cannot make)
    what: 'a pattern that compiles to more than 5,000 instructions',
    obj: () => when('Matches', ['a{1000}b{1000}c{1000}d{1000}e{1000}f{1000}']),
  },
  {
    what: 'a mini-program with a non-ASCII display name',
    obj: () =>
      miniProgram({
        displayName: '招商 转账',
        tags: ['finance'],
        privacyScopes: [{ scope: 'camera', purpose: '扫描银行卡' }],
        domains: { request: ['https://*.example.com:8443'] },
      }),
  },
  {
    what: 'a version fetched from a URL with a query',
    obj: () =>
      version({
        source: {
          url: { url: 'https://ci.example.com/a.tar.gz?run=12#x', digest: `sha256:${'a'.repeat(64)}` },
        },
        minSdkVersion: '2.1.0',
      }),
  },
  {
    what: 'a host app on every platform, selecting by labels',
    obj: () =>
      hostApp({
        platforms: {
          ios: { bundleId: 'com.example.bank' },
          android: { packageName: 'com.example.bank_app' },
          harmony: { bundleName: 'com.example.bank' },
          desktop: { appId: 'com.example.bank-desktop' },
          web: { origins: ['https://m.example.com'] },
        },
        miniPrograms: {
          selector: {
            matchLabels: { 'bank.example/channel': 'retail', tier: '' },
            matchExpressions: [{ key: 'bank.example/region', operator: 'In', values: ['east', 'north'] }],
          },
        },
        branding: { primaryColor: '#c8102e', capsule: { style: 'light' } },
      }),
  },
  { what: 'a 55-character tenant name', obj: () => tenant('a'.repeat(55)) },
  {
    what: 'a 63-character tenant name with its own namespace',
    obj: () => tenant('b'.repeat(63), { namespace: 'bbb' }),
  },
];

function zodIssues(obj: { kind: string }): string[] {
  const kind = KINDS.find((k) => k.kind === obj.kind);
  if (!kind) throw new Error(`no kind ${obj.kind}`);
  const result = kind.schema.safeParse(obj);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

function dryRun(obj: unknown) {
  return kubectl(
    ['apply', '--server-side', '--dry-run=server', '--field-manager=test', '--validate=strict', '-f', '-'],
    JSON.stringify(obj),
  );
}

describe('zod and the API server refuse the same objects', () => {
  for (const c of bad) {
    it(`refuse ${c.what}`, async () => {
      const obj = c.obj();
      const issues = zodIssues(obj);
      expect(issues.join('\n'), 'zod').toMatch(c.message);
      const result = await dryRun(obj);
      expect(result.code, 'API server').not.toBe(0);
      expect(result.stderr).toMatch(c.server ?? c.message);
      expect(result.stderr, 'the message prints no regular expression').not.toMatch(/should match '/);
    });
  }

  for (const c of good) {
    it(`accept ${c.what}`, async () => {
      const obj = c.obj();
      expect(zodIssues(obj)).toEqual([]);
      const result = await dryRun(obj);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    });
  }
});
