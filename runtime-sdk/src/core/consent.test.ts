import { describe, expect, it } from 'vitest';
import type { HostMessage } from './bridge.ts';
import { Consent, type ConsentOptions, type ConsentRequest, consentKey } from './consent.ts';
import { Session } from './session.ts';
import { createScopedStorage, MemoryKeyValue } from './storage.ts';

const declared = [
  { scope: 'userLocation', purpose: 'Find the nearest branch' },
  { scope: 'clipboard', purpose: 'Copy the account number' },
];

function consent(answers: boolean[], backend = new MemoryKeyValue(), userId = 'u1') {
  const asked: ConsentRequest[] = [];
  const options: ConsentOptions = {
    appId: 'wx-bank',
    userId,
    declared,
    backend,
    prompt: async (req) => {
      asked.push(req);
      return answers.shift() ?? false;
    },
    settings: async ({ scopes }) => Object.fromEntries(scopes.map((s) => [s.scope, !s.granted])),
  };
  return { c: new Consent(options), options, asked, backend };
}

describe('Consent', () => {
  it('asks once with the declared purpose and remembers the answer per mini-program and user', async () => {
    const { c, asked, backend } = consent([true]);
    await c.authorize('scope.userLocation');
    await c.authorize('scope.userLocation');
    await c.require('userLocation');
    expect(asked).toEqual([{ appId: 'wx-bank', scope: 'userLocation', purpose: 'Find the nearest branch' }]);
    expect(c.authSetting()).toEqual({ 'scope.userLocation': true });
    // the same user on the next launch: no prompt
    const again = consent([], backend);
    await again.c.require('userLocation');
    expect(again.asked).toEqual([]);
    // another user of the same device is asked for themself
    const other = consent([false], backend, 'u2');
    await expect(other.c.require('userLocation')).rejects.toThrow('auth deny');
    expect(other.asked).toHaveLength(1);
    expect(JSON.parse(backend.get(consentKey('wx-bank', 'u2'))!)).toEqual({ userLocation: false });
  });

  it('a denial stands without asking again until openSetting changes it', async () => {
    const { c, asked } = consent([false, true]);
    await expect(c.authorize('scope.clipboard')).rejects.toThrow('auth deny');
    await expect(c.require('clipboard')).rejects.toThrow('auth deny');
    expect(asked).toHaveLength(1);
    // the settings page flips every switch: clipboard on, userLocation (undecided) on
    expect(await c.openSetting()).toEqual({ 'scope.clipboard': true, 'scope.userLocation': true });
    await c.require('clipboard');
    expect(asked).toHaveLength(1);
  });

  it('refuses undeclared and unknown scopes without asking', async () => {
    const { c, asked } = consent([true]);
    await expect(c.authorize('scope.camera')).rejects.toThrow(
      /scope\.camera is not declared by wx-bank; add it to its MiniProgram spec\.privacyScopes/,
    );
    await expect(c.authorize('scope.everything')).rejects.toThrow(/"scope\.everything" is not a scope/);
    expect(asked).toEqual([]);
  });

  it('concurrent requests share one prompt; a host without a prompt refuses', async () => {
    const { c, asked } = consent([true]);
    await Promise.all([
      c.require('userLocation'),
      c.require('userLocation'),
      c.authorize('scope.userLocation'),
    ]);
    expect(asked).toHaveLength(1);
    const silent = new Consent({ appId: 'a', userId: undefined, declared, backend: new MemoryKeyValue() });
    await expect(silent.require('userLocation')).rejects.toThrow(/no consent prompt/);
  });

  it('ignores a corrupted or foreign decision record', () => {
    const backend = new MemoryKeyValue();
    backend.set(consentKey('wx-bank', 'u1'), '{"userLocation":"yes","camera":true,"clipboard":true');
    expect(consent([], backend).c.decisions()).toEqual({});
    backend.set(consentKey('wx-bank', 'u1'), '{"userLocation":"yes","camera":true,"clipboard":true}');
    // camera was never declared, a string is not a decision
    expect(consent([], backend).c.decisions()).toEqual({ clipboard: true });
  });
});

describe('Session: APIs behind a privacy scope', () => {
  function session(answers: boolean[]) {
    const sent: HostMessage[] = [];
    const clipboard: string[] = [];
    const { options, asked } = consent(answers);
    const s = new Session({
      appId: 'wx-bank',
      userId: 'u1',
      domains: { request: [], download: [], upload: [], socket: [], webView: [] },
      permissions: [],
      hostApis: {},
      storage: createScopedStorage(new MemoryKeyValue(), 'wx-bank', 'u1', 1 << 20),
      consent: options,
      device: {
        getLocation: async () => ({ latitude: 31.2, longitude: 121.5 }),
        setClipboardData: async (d) => {
          clipboard.push(d);
        },
      },
    });
    s.attachLogic({ send: (m) => sent.push(m), terminate: () => {} });
    let id = 1;
    const call = async (name: string, args: Record<string, unknown> = {}) => {
      const callId = id++;
      s.fromLogic({ type: 'api', callId, name, args }, { create: () => ({}) as never });
      await expect.poll(() => sent.find((m) => m.type === 'api:result' && m.callId === callId)).toBeDefined();
      return sent.find((m) => m.type === 'api:result' && m.callId === callId) as HostMessage & {
        ok: boolean;
        value?: unknown;
        error?: string;
      };
    };
    return { call, asked, clipboard };
  }

  it('runs a gated API only after consent, with WeChat errMsg on refusal', async () => {
    const { call, asked, clipboard } = session([true, false]);
    expect(await call('getLocation', { type: 'wgs84' })).toMatchObject({
      ok: true,
      value: { latitude: 31.2, longitude: 121.5 },
    });
    expect(asked.map((a) => a.scope)).toEqual(['userLocation']);
    expect(await call('setClipboardData', { data: 'secret' })).toMatchObject({
      ok: false,
      error: 'setClipboardData:fail auth deny',
    });
    expect(clipboard).toEqual([]);
    expect(await call('getSetting')).toMatchObject({
      ok: true,
      value: { authSetting: { 'scope.userLocation': true, 'scope.clipboard': false } },
    });
    expect(await call('authorize', { scope: 'scope.camera' })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^authorize:fail scope scope\.camera is not declared/),
    });
    expect(await call('getClipboardData')).toMatchObject({
      ok: false,
      error: 'getClipboardData:fail auth deny',
    });
  });
});
