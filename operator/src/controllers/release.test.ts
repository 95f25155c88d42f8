import type { HostApp, MiniProgram, MiniProgramVersion } from '@tessera/crds';
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

  it('keeps older versions for SDKs below the stable minSdkVersion, and does not purge them', () => {
    const v = (version: string, minSdkVersion?: string, phase = 'Retired'): MiniProgramVersion =>
      ({
        metadata: { name: `branches-${version}`, namespace: 'tessera-bank' },
        spec: { miniProgram: 'branches', version, source: {}, ...(minSdkVersion ? { minSdkVersion } : {}) },
        status: { phase, artifact: { digest: `sha256:${version}` } },
      }) as unknown as MiniProgramVersion;
    const versions = [
      v('3.0.0', '3.0.0', 'Released'),
      v('2.5.0', '2.0.0'),
      v('2.1.0', '2.0.0'),
      v('1.9.0', '3.0.0'),
      v('1.2.0'),
      v('1.0.0'),
    ];
    const doc = buildRelease({
      tenant: 'bank',
      hostApp: hostApp(),
      miniProgram: miniProgram({ stableVersion: '3.0.0' }),
      versions,
      grayRules: [],
      isReleasable: () => true,
    });
    expect(doc.stable?.version).toBe('3.0.0');
    // newest with a lower minimum, then the newest with none
    expect(doc.fallbacks?.map((f) => [f.version, f.minSdkVersion])).toEqual([
      ['2.5.0', '2.0.0'],
      ['1.2.0', undefined],
    ]);
    expect(doc.revokedVersions).toEqual(['1.0.0', '1.9.0', '2.1.0']);
    // a stable version without a minimum needs no fallback
    const plain = buildRelease({
      tenant: 'bank',
      hostApp: hostApp(),
      miniProgram: miniProgram({ stableVersion: '1.2.0' }),
      versions,
      grayRules: [],
      isReleasable: () => true,
    });
    expect(plain.fallbacks).toBeUndefined();
  });
});
