// Hostile host apps and leaked credentials: another web origin, another app or an old credential
// pair trying to use a host app's sdkKey/sdkSecret or session tokens. The real operator writes
// the credentials and the signed host-app index (HostApp.spec.platforms), the real store binds
// the credentials to them; browsers are real Chromium pages on other origins.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateDeviceKeyPair } from '@tessera/runtime-sdk/package';
import { type Store, startStore } from '@tessera/store';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeConfig } from '../../src/harness/testing.ts';
import { launchBrowser, type TestBrowser } from '../../src/infra/browser.ts';
import { tessera } from '../cli/helpers.ts';
import { type Obj, R, waitFor } from '../operator/helpers.ts';
import { signedFetch } from '../store/fixtures.ts';
import { type HostilePlatform, sampleApp, startHostilePlatform } from './platform.ts';

let p: HostilePlatform;
let browser: TestBrowser;
/** host pages: the bank's own origin and an attacker's, each a loopback server (other port = other origin) */
let bankPage: { server: Server; origin: string };
let evilPage: { server: Server; origin: string };
let device: Awaited<ReturnType<typeof generateDeviceKeyPair>>;

async function page(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>host</title>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const problemCode = async (r: Response) => ((await r.json()) as { code: string }).code;

beforeAll(async () => {
  [bankPage, evilPage] = await Promise.all([page(), page()]);
  p = await startHostilePlatform(
    'bind',
    {
      platforms: {
        web: { origins: [bankPage.origin] },
        ios: { bundleId: 'com.bank.app' },
      },
    },
    ['pay'],
  );
  const pkg = await p.build(sampleApp('pay'));
  expect((await p.upload(pkg)).status).toBe(201);
  await p.compiled('pay', '1.0.0', pkg);
  await p.kube.patch(R.miniPrograms, p.ns, 'pay', { spec: { stableVersion: '1.0.0' } });
  device = await generateDeviceKeyPair();
  const creds = await p.credentials();
  // the store has the release and the host-app index once a plain signed launch goes through
  await waitFor('the store serves pay', async () => {
    const r = await signedFetch(p.store.url, creds, 'POST', '/v1/launch', {
      appId: 'app-pay',
      devicePublicKey: device.publicKeyRaw,
    });
    return r.response.status === 200;
  });
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await p?.close();
  for (const s of [bankPage, evilPage]) s?.server.close();
});

const launchBody = (extra: Record<string, unknown> = {}) => ({
  appId: 'app-pay',
  devicePublicKey: device.publicKeyRaw,
  ...extra,
});

async function sessionToken(): Promise<string> {
  const minted = await signedFetch(p.store.url, await p.credentials(), 'POST', '/v1/sessions', {
    userId: 'alice',
    ttlSeconds: 600,
  });
  expect(minted.response.status).toBe(201);
  return ((await minted.response.json()) as { token: string }).token;
}

describe('web origins', () => {
  it('CORS names the host app origin, never *, and preflights from other origins are refused', async () => {
    const ok = await fetch(`${p.store.url}/v1/launch`, {
      method: 'OPTIONS',
      headers: { origin: bankPage.origin, 'access-control-request-method': 'POST' },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(bankPage.origin);
    expect(ok.headers.get('vary')).toMatch(/origin/i);
    for (const origin of [
      evilPage.origin,
      'null',
      'https://127.0.0.1.evil.example',
      `${bankPage.origin}.evil`,
    ]) {
      const refused = await fetch(`${p.store.url}/v1/launch`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      expect(refused.status, origin).toBe(403);
      expect(refused.headers.get('access-control-allow-origin'), origin).toBeNull();
    }
  });

  it('a leaked session token is refused from another origin and accepted from the host app origin', async () => {
    const token = await sessionToken();
    const from = (origin: string) =>
      fetch(`${p.store.url}/v1/launch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, origin, 'content-type': 'application/json' },
        body: JSON.stringify(launchBody()),
      });
    const evil = await from(evilPage.origin);
    expect(evil.status).toBe(403);
    expect(await problemCode(evil)).toBe('origin-not-allowed');
    const good = await from(bankPage.origin);
    expect(good.status).toBe(200);
    expect(good.headers.get('access-control-allow-origin')).toBe(bankPage.origin);
    // the same holds for signed requests that carry an Origin (credentials pasted into a page)
    const signed = await signedFetch(p.store.url, await p.credentials(), 'POST', '/v1/launch', launchBody(), {
      headers: { origin: evilPage.origin },
    });
    expect(signed.response.status).toBe(403);
  });

  it('in Chromium, a page on another origin cannot use the token; the host app page can', async () => {
    const token = await sessionToken();
    const attempt = async (origin: string) => {
      const tab = await browser.context.newPage();
      try {
        await tab.goto(`${origin}/`);
        return await tab.evaluate(
          async ({ url, token, body }) => {
            try {
              const r = await fetch(url, {
                method: 'POST',
                headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
                body,
              });
              return { status: r.status, version: ((await r.json()) as { version?: string }).version };
            } catch (e) {
              return { error: String(e) };
            }
          },
          { url: `${p.store.url}/v1/launch`, token, body: JSON.stringify(launchBody()) },
        );
      } finally {
        await tab.close();
      }
    };
    const evil = await attempt(evilPage.origin);
    expect(evil).toMatchObject({ error: expect.stringMatching(/Failed to fetch/) });
    const good = await attempt(bankPage.origin);
    expect(good).toEqual({ status: 200, version: '1.0.0' });
  });
});

describe('native application ids', () => {
  it('an ios launch must name the bundle id the HostApp declares; undeclared platforms are refused', async () => {
    const creds = await p.credentials();
    const launch = async (extra: Record<string, unknown>) => {
      const r = await signedFetch(p.store.url, creds, 'POST', '/v1/launch', launchBody(extra));
      return { status: r.response.status, code: r.response.ok ? undefined : await problemCode(r.response) };
    };
    expect(await launch({ platform: 'ios' })).toEqual({ status: 403, code: 'host-identity-mismatch' });
    expect(await launch({ platform: 'ios', hostBundleId: 'com.evil.app' })).toEqual({
      status: 403,
      code: 'host-identity-mismatch',
    });
    expect(await launch({ platform: 'android', hostBundleId: 'com.bank.app' })).toEqual({
      status: 403,
      code: 'platform-not-declared',
    });
    expect(await launch({ platform: 'web', hostBundleId: 'com.bank.app' })).toEqual({
      status: 403,
      code: 'host-identity-mismatch',
    });
    expect((await launch({ platform: 'ios', hostBundleId: 'com.bank.app' })).status).toBe(200);
  });

  it('an installation-provided attestation verifier is asked for every native launch', async () => {
    const seen: string[] = [];
    const attested: Store = await startStore({
      databaseUrl: p.databaseUrl,
      redisUrl: p.redisUrl,
      kubeConfig: loadKubeConfig(),
      logger: pino({ level: 'silent' }),
      webhookIntervalMs: 0,
      attestation: {
        async verify(input) {
          seen.push(`${input.platform}:${input.appId}:${input.token ?? ''}`);
          return input.token === 'valid-app-attest-token'
            ? { ok: true }
            : { ok: false, reason: 'the token does not verify for this app' };
        },
      },
    });
    try {
      const creds = await p.credentials();
      const launch = async (extra: Record<string, unknown>) =>
        (await signedFetch(attested.url, creds, 'POST', '/v1/launch', launchBody(extra))).response;
      const refused = await waitFor('the second store knows the host app', async () => {
        const r = await launch({ platform: 'ios', hostBundleId: 'com.bank.app', attestation: 'forged' });
        return r.status === 403 ? r : undefined;
      });
      expect(await problemCode(refused)).toBe('attestation-failed');
      const accepted = await launch({
        platform: 'ios',
        hostBundleId: 'com.bank.app',
        attestation: 'valid-app-attest-token',
      });
      // past the binding checks (this store has no artifacts of its own: 503 artifact-missing)
      expect(accepted.status).not.toBe(403);
      expect(seen).toContain('ios:com.bank.app:valid-app-attest-token');
      // web and server launches are not asked for a token
      const before = seen.length;
      await launch({});
      expect(seen.length).toBe(before);
    } finally {
      await attested.close();
    }
  });
});

describe('credential rotation', () => {
  it('kubectl tessera rotate-credentials: old and new pairs work during the grace period, then only the new', async () => {
    const old = await p.credentials();
    const r = await tessera(['rotate-credentials', p.hostApp, '-n', p.ns, '--grace', '15s', '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const fresh = await waitFor('rotated credentials', async () => {
      const c = await p.credentials();
      return c.sdkKey !== old.sdkKey ? c : undefined;
    });
    const launch = async (c: { sdkKey: string; sdkSecret: string }) => {
      const res = (await signedFetch(p.store.url, c, 'POST', '/v1/launch', launchBody())).response;
      return { status: res.status, code: res.ok ? undefined : await problemCode(res) };
    };
    await waitFor('the store accepts the new pair', async () => (await launch(fresh)).status === 200);
    // no downtime: the previous pair is still accepted
    expect((await launch(old)).status).toBe(200);
    const ha = await p.kube.get<Obj>(R.hostApps, p.ns, p.hostApp);
    expect(ha?.status?.credentialsGeneration).toBe(1);
    expect(ha?.status?.previousCredentialsExpireAt).toMatch(/Z$/);
    // after the grace period: refused by the store, and dropped from the Secret by the operator
    const refused = await waitFor('the old pair refused', async () => {
      const l = await launch(old);
      return l.status === 401 ? l : undefined;
    });
    expect(['credentials-expired', 'unknown-key']).toContain(refused.code);
    expect((await launch(fresh)).status).toBe(200);
    await waitFor('the operator drops the previous pair', async () => {
      const s = await p.kube.get<Obj & { data?: Record<string, string> }>(
        R.Secrets,
        p.ns,
        `tessera-credentials-${p.hostApp}`,
      );
      return s?.data?.previousSdkKey === undefined;
    });
    expect((await launch(old)).code).toBe('unknown-key');
  });
});
