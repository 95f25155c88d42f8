// Hostile network (a rewriting proxy or a compromised store in front of the SDK): the launch
// answer points at another mini-program's package, or at another version of this one, or serves
// a package with one flipped byte in a page the launch does not need. The SDK refuses each at
// launch, before any of the package's code runs.

import { createNodeTessera } from '@tessera/runtime-sdk/node';
import { decodeContainer, parseIndex } from '@tessera/runtime-sdk/package';
import { JSDOM } from 'jsdom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FixtureStore,
  makeTenant,
  publish,
  startFixtureStore,
  type Tenant,
} from '../sdk/fixture-store.ts';
import { sampleSource } from '../sdk/sample-app.ts';

let store: FixtureStore;
let tenant: Tenant;
const source = (tag: string) => sampleSource({ api: 'http://127.0.0.1:9', evil: 'http://127.0.0.1:9', tag });

beforeAll(async () => {
  [store, tenant] = await Promise.all([startFixtureStore(), makeTenant()]);
  store.apps.set('wx-pay', await publish(tenant, 'wx-pay', '1.0.0', source('PAY')));
  // "wx-pay" answered with the package of another mini-program of the same tenant
  store.apps.set('wx-swapped', {
    ...(await publish(tenant, 'wx-other', '1.0.0', source('OTHER'))),
    appId: 'wx-swapped',
  });
  // the answer says 2.0.0, the package was signed as 1.0.0
  store.apps.set('wx-old', {
    ...(await publish(tenant, 'wx-old', '1.0.0', source('OLD'))),
    version: '2.0.0',
  });
  // one flipped byte inside pages/detail/detail.js, which the entry page does not need
  const flipped = await publish(tenant, 'wx-flipped', '1.0.0', source('FLIP'));
  const bytes = new Uint8Array(flipped.bytes);
  const parts = decodeContainer(bytes);
  const detail = parseIndex(parts.indexBytes).files.find((f) => f.path === 'pages/detail/detail.js');
  if (!detail) throw new Error('the sample has no pages/detail/detail.js');
  bytes[parts.data.byteOffset - bytes.byteOffset + detail.offset + detail.length - 20]! ^= 0x01;
  store.apps.set('wx-flipped', { ...flipped, tamperedBytes: bytes });
}, 60_000);

afterAll(async () => {
  await store?.close();
});

async function launch(appId: string) {
  const errors: string[] = [];
  const sdk = createNodeTessera({
    storeUrl: store.url,
    credentials: { sdkKey: store.sdkKey, sdkSecret: store.sdkSecret },
    publicKeys: [tenant.signing.publicKeySpki],
    userId: 'u1',
    onError: (e) => errors.push(`${e.where}: ${e.message}`),
  });
  const dom = new JSDOM('<!doctype html><body></body>');
  try {
    const app = await sdk.launch(appId, { document: dom.window.document });
    await app.settle();
    const text = app.pages().at(-1)?.root?.querySelector('#count')?.textContent ?? null;
    await app.close();
    return { ok: true as const, text, errors };
  } catch (e) {
    return {
      ok: false as const,
      error: e instanceof Error ? e.message : String(e),
      rendered: dom.window.document.body.innerHTML,
    };
  }
}

describe('the SDK runs only the package it asked for, every file verified', () => {
  it('launches the genuine package', async () => {
    expect(await launch('wx-pay')).toMatchObject({ ok: true, text: 'count 0' });
  });

  it("refuses another mini-program's package under this appId", async () => {
    const r = await launch('wx-swapped');
    expect(r).toMatchObject({
      ok: false,
      error:
        'the package of wx-swapped 1.0.0 is not the package asked for: its signed index says appId "wx-other", expected "wx-swapped"',
      rendered: '',
    });
  });

  it('refuses a package signed as another version than the answer says', async () => {
    const r = await launch('wx-old');
    expect(r).toMatchObject({ ok: false, rendered: '' });
    expect(r.ok ? '' : r.error).toMatch(/its signed index says version "1\.0\.0", expected "2\.0\.0"/);
  });

  it('refuses a flipped byte in a page the launch does not need, before anything runs', async () => {
    const r = await launch('wx-flipped');
    expect(r).toMatchObject({ ok: false, rendered: '' });
    expect(r.ok ? '' : r.error).toMatch(/file "pages\/detail\/detail\.js" failed authenticated decryption/);
  });
});
