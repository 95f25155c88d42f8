// Generates a synthetic mini-program: `pages` pages and `components` components, each with
// wxml (loops, conditionals, templates, events), wxss (rpx), js/ts and json, plus wxs modules.
export function generateApp(pages: number, components: number): Map<string, Uint8Array> {
  const enc = new TextEncoder();
  const files = new Map<string, string>();
  const comps = Array.from({ length: components }, (_, i) => `comp${i}`);
  files.set(
    'app.json',
    JSON.stringify({
      pages: Array.from({ length: pages }, (_, i) => `pages/p${i}/index`),
      window: { navigationBarTitleText: 'bench' },
    }),
  );
  files.set('app.js', 'App({ onLaunch() { this.globalData = { started: Date.now() }; } });');
  files.set(
    'app.wxss',
    '@import "styles/base.wxss";\npage { background: #fafafa; }\n.title { font-size: 36rpx; }',
  );
  files.set(
    'styles/base.wxss',
    '.row { display: flex; padding: 24rpx; }\n.col { flex: 1; margin: 0 12rpx; }',
  );
  files.set(
    'utils/fmt.wxs',
    'module.exports = { price: function (c) { return (c / 100).toFixed(2); }, up: function (s) { return s.toUpperCase(); } };',
  );
  files.set(
    'utils/util.js',
    'module.exports = { clamp: function (v, a, b) { return Math.min(b, Math.max(a, v)); } };',
  );
  files.set(
    'templates/cell.wxml',
    '<template name="cell"><view class="cell" data-id="{{id}}"><text>{{label}}</text></view></template>',
  );
  for (const [i, c] of comps.entries()) {
    const base = `components/${c}/index`;
    files.set(`${base}.json`, JSON.stringify({ component: true }));
    files.set(
      `${base}.js`,
      `Component({ properties: { value: Number, label: String }, methods: { onTap() { this.triggerEvent('change', { v: this.data.value + ${i} }); } } });`,
    );
    files.set(
      `${base}.wxss`,
      `.c${i} { padding: ${i + 1}rpx; border: 1rpx solid #eee; }\n.c${i} .label { color: #333; }`,
    );
    files.set(
      `${base}.wxml`,
      `<view class="c${i}" bindtap="onTap"><text class="label">{{label}}</text><slot/><view wx:if="{{value > 10}}">{{value}}</view><view wx:else>small</view></view>`,
    );
  }
  for (let p = 0; p < pages; p++) {
    const base = `pages/p${p}/index`;
    const using = Object.fromEntries(
      comps.slice(p % 10, (p % 10) + 6).map((c) => [c, `/components/${c}/index`]),
    );
    files.set(
      `${base}.json`,
      JSON.stringify({ navigationBarTitleText: `Page ${p}`, usingComponents: using }),
    );
    files.set(
      `${base}.${p % 2 ? 'ts' : 'js'}`,
      `${p % 2 ? 'interface Row { id: string; label: string; cents: number }\n' : ''}const util = require('../../utils/util.js');\nPage({\n  data: { rows: [], tab: 0, q: '' },\n  onLoad() {\n    const rows${p % 2 ? ': Row[]' : ''} = [];\n    for (let i = 0; i < 50; i++) rows.push({ id: 'r' + i, label: 'Row ' + i, cents: i * 100 });\n    this.setData({ rows });\n  },\n  onTab(e) { this.setData({ tab: util.clamp(e.currentTarget.dataset.tab, 0, 3) }); },\n  onInput(e) { this.setData({ q: e.detail.value }); },\n});\n`,
    );
    files.set(
      `${base}.wxss`,
      `@import "../../styles/base.wxss";\n.page${p} { min-height: 100vh; }\n.page${p} .header { height: ${88 + p}rpx; }\n.tab { width: 187.5rpx; }\n.tab.active { color: #07c160; }`,
    );
    const uses = Object.keys(using)
      .map(
        (c, k) =>
          `<${c} value="{{rows.length + ${k}}}" label="{{title}}" bind:change="onChange"><text>slot ${k}</text></${c}>`,
      )
      .join('\n  ');
    files.set(
      `${base}.wxml`,
      `<import src="/templates/cell.wxml"/>\n<wxs module="fmt" src="/utils/fmt.wxs"/>\n<view class="page${p}">\n  <view class="header"><text class="title">{{fmt.up(title || 'page ${p}')}}</text></view>\n  <view class="row">\n    <view wx:for="{{['a','b','c','d']}}" wx:key="*this" class="tab {{tab === index ? 'active' : ''}}" data-tab="{{index}}" bindtap="onTab">{{item}}</view>\n  </view>\n  <input value="{{q}}" bindinput="onInput" placeholder="search"/>\n  <block wx:for="{{rows}}" wx:key="id" wx:for-item="row">\n    <view wx:if="{{row.cents > 1000}}" class="col" style="height: {{row.cents / 100}}rpx">{{row.label}} ¥{{fmt.price(row.cents)}}</view>\n    <template wx:else is="cell" data="{{id: row.id, label: row.label}}"/>\n  </block>\n  ${uses}\n</view>\n`,
    );
  }
  return new Map([...files].map(([k, v]) => [k, enc.encode(v)]));
}
