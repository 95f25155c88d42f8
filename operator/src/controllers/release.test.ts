import type { HostApp, MiniProgram } from '@tessera/crds';
import { describe, expect, it } from 'vitest';
import { buildRelease } from './release.ts';

const hostApp = (spec: Partial<HostApp['spec']> = {}): HostApp =>
  ({
    apiVersion: 'tessera.dev/v1alpha1',
    kind: 'HostApp',
    metadata: { name: 'mobile', namespace: 'tessera-bank' },
    spec: { displayName: 'Mobile', platforms: { web: { origins: ['https://m.example.com'] } }, ...spec },
  }) as HostApp;

const miniProgram = (spec: Partial<MiniProgram['spec']> = {}): MiniProgram =>
  ({
    apiVersion: 'tessera.dev/v1alpha1',
    kind: 'MiniProgram',
    metadata: { name: 'branches', namespace: 'tessera-bank', generation: 3 },
    spec: { appId: 'wx-branches', displayName: 'Branches', suspended: false, ...spec },
  }) as MiniProgram;

const build = (mp: MiniProgram, ha: HostApp) =>
  buildRelease({
    tenant: 'bank',
    hostApp: ha,
    miniProgram: mp,
    versions: [],
    grayRules: [],
    isReleasable: () => true,
  });

describe('buildRelease', () => {
  it("carries the mini-program's privacy scopes and the host app's branding to SDKs", () => {
    const privacyScopes = [{ scope: 'userLocation' as const, purpose: 'Find the nearest branch' }];
    const branding = { primaryColor: '#c8102e', capsule: { visible: true, style: 'light' as const } };
    const doc = build(miniProgram({ privacyScopes }), hostApp({ branding }));
    expect(doc.privacyScopes).toEqual(privacyScopes);
    expect(doc.branding).toEqual(branding);
  });

  it('leaves both out when nothing is set', () => {
    const doc = build(miniProgram(), hostApp());
    expect('privacyScopes' in doc).toBe(false);
    expect('branding' in doc).toBe(false);
  });
});
