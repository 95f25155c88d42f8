// A mini-program written the way WeChat projects are, compiled, encrypted, signed and launched in
// the Node host: an npm component and module from miniprogram_npm/ (Build npm's layout, with a
// package.json "miniprogram" folder), require of JSON, a wxs module exporting a function with
// getDate, a repeated attribute, model:value two-way binding on an input, and componentGenerics
// filled with generic: or left to their default.

import { createNodeTessera } from '@tessera/runtime-sdk/node';
import { JSDOM } from 'jsdom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureStore, makeTenant, publish, startFixtureStore, type Tenant } from './fixture-store.ts';

let store: FixtureStore;
let tenant: Tenant;

const SOURCE: Record<string, string> = {
  'app.json': JSON.stringify({ pages: ['pages/index/index'], renderer: 'webview' }),
  'app.js': 'App({});',
  'pages/index/index.json': JSON.stringify({
    usingComponents: {
      'ui-badge': '@acme/ui/badge/badge',
      'g-list': '/components/list/list',
      'star-cell': '/components/star/star',
      'my-field': '/components/field/field',
    },
  }),
  'pages/index/index.wxml':
    '<wxs module="year">module.exports = function (ms) { return getDate(ms).getUTCFullYear(); };</wxs>' +
    '<view id="greet" class="a" class="b">{{greeting}}</view>' +
    '<ui-badge id="badge" count="{{3}}" />' +
    '<input id="name" model:value="{{name}}" />' +
    '<view id="echo">[{{name}}]</view>' +
    '<view id="year">{{ year(0) }}</view>' +
    '<g-list id="filled" generic:cell="star-cell" /><g-list id="plain" />' +
    '<my-field id="field" model:value="{{title}}" /><view id="title">[{{title}}]</view>',
  'pages/index/index.js':
    'import { greet } from "@acme/greet"; const cfg = require("./config.json"); Page({ data: { greeting: greet(cfg.who), name: "", title: "t" } });',
  'pages/index/config.json': '{"who": "npm"}',
  'components/list/list.json': JSON.stringify({
    component: true,
    componentGenerics: { cell: { default: '../dot/dot' } },
  }),
  'components/list/list.wxml': '<cell />',
  'components/list/list.js': 'Component({});',
  'components/field/field.json': '{"component": true}',
  'components/field/field.wxml': '<input model:value="{{value}}" />',
  'components/field/field.js': 'Component({ properties: { value: String } });',
  'components/star/star.json': '{"component": true}',
  'components/star/star.wxml': '<view>star</view>',
  'components/star/star.js': 'Component({});',
  'components/dot/dot.json': '{"component": true}',
  'components/dot/dot.wxml': '<view>dot</view>',
  'components/dot/dot.js': 'Component({});',
  'miniprogram_npm/@acme/greet/index.js': 'exports.greet = (who) => "hello " + who;',
  'miniprogram_npm/@acme/ui/package.json': JSON.stringify({ name: '@acme/ui', miniprogram: 'dist' }),
  'miniprogram_npm/@acme/ui/dist/badge/badge.json': '{"component": true}',
  'miniprogram_npm/@acme/ui/dist/badge/badge.wxml': '<view class="badge">badge {{count}}</view>',
  'miniprogram_npm/@acme/ui/dist/badge/badge.js': 'Component({ properties: { count: Number } });',
};

beforeAll(async () => {
  store = await startFixtureStore();
  tenant = await makeTenant();
  store.apps.set('wx-compat', await publish(tenant, 'wx-compat', '1.0.0', SOURCE));
}, 60_000);

afterAll(async () => {
  await store?.close();
});

describe('WeChat-style project in the Node host', () => {
  it('runs npm components and modules, JSON requires, wxs functions, model:value and generics', async () => {
    const errors: string[] = [];
    const dom = new JSDOM('<!doctype html><body></body>');
    const app = await createNodeTessera({
      storeUrl: store.url,
      credentials: { sdkKey: store.sdkKey, sdkSecret: store.sdkSecret },
      publicKeys: [tenant.signing.publicKeySpki],
      userId: 'compat-user',
      onError: (e) => errors.push(`${e.where}: ${e.message}`),
    }).launch('wx-compat', { document: dom.window.document });
    try {
      const root = () => app.pages().at(-1)?.root;
      const text = (sel: string) => async () => {
        await app.settle();
        return root()?.querySelector(sel)?.textContent;
      };
      await expect.poll(text('#greet'), { timeout: 10_000 }).toBe('hello npm');
      expect(root()?.querySelector('#greet')?.className).toMatch(/\bb\b/);
      expect(root()?.querySelector('#greet')?.className).not.toMatch(/\ba\b/);
      await expect.poll(text('#badge'), { timeout: 10_000 }).toBe('badge 3');
      expect(await text('#year')()).toBe('1970');
      // componentGenerics: filled by generic:cell, else the default
      await expect.poll(text('#filled'), { timeout: 10_000 }).toBe('star');
      await expect.poll(text('#plain'), { timeout: 10_000 }).toBe('dot');
      const input = root()?.querySelector('#name input') as HTMLInputElement;
      input.value = 'Ann';
      input.dispatchEvent(new dom.window.Event('input'));
      await expect.poll(text('#echo'), { timeout: 10_000 }).toBe('[Ann]');
      // model: through a custom component: its input → its property → the page's data
      const inner = root()?.querySelector('#field input') as HTMLInputElement;
      expect(inner.value).toBe('t');
      inner.value = 'Bob';
      inner.dispatchEvent(new dom.window.Event('input'));
      await expect.poll(text('#title'), { timeout: 10_000 }).toBe('[Bob]');
      expect(errors).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
