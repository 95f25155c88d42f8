import { describe, expect, it } from 'vitest';
import { lockdown, lockScriptUrls } from './lockdown.ts';

describe('lockdown', () => {
  it('removes blocked globals from the object and its whole prototype chain', () => {
    const proto = { fetch: () => 'net', importScripts: () => 'load', keep: 1 };
    const g = Object.create(proto) as Record<string, unknown>;
    g.indexedDB = {};
    Object.defineProperty(g, 'caches', { value: {}, configurable: false, writable: false });
    g.navigator = Object.create({ storage: {}, sendBeacon: () => true, userAgent: 'x' });
    lockdown(g);
    expect(g.fetch).toBeUndefined();
    expect(g.importScripts).toBeUndefined();
    expect(g.indexedDB).toBeUndefined();
    expect(g.keep).toBe(1);
    const nav = g.navigator as Record<string, unknown>;
    expect(nav.storage).toBeUndefined();
    expect(nav.sendBeacon).toBeUndefined();
    expect(nav.userAgent).toBe('x');
    // A non-configurable property cannot be removed; the realm's CSP still blocks its use.
    expect(g.caches).toEqual({});
  });
});

describe('lockScriptUrls', () => {
  it('takes createObjectURL and revokeObjectURL off URL, keeping the constructor', () => {
    const FakeUrl = Object.assign(function URL() {}, {
      createObjectURL: () => 'blob:x',
      revokeObjectURL: () => {},
      canParse: () => true,
    });
    const g = { URL: FakeUrl };
    lockScriptUrls(g);
    expect((g.URL as unknown as Record<string, unknown>).createObjectURL).toBeUndefined();
    expect((g.URL as unknown as Record<string, unknown>).revokeObjectURL).toBeUndefined();
    expect(g.URL.canParse()).toBe(true);
  });
});
