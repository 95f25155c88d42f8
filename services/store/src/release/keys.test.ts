import { generateKek } from '@tessera/runtime-sdk/package';
import { describe, expect, it } from 'vitest';
import { readAllCredentials, readCredentials, readKeks, sdkKeysOf } from './keys.ts';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

describe('secrets', () => {
  it('reads KEKs stored as raw bytes or base64 text, skipping anything else', async () => {
    const a = await generateKek();
    const b = await generateKek();
    const keks = await readKeks({
      data: {
        kek: b64(a.rawBase64),
        'kek.previous': Buffer.from(a.rawBase64 === b.rawBase64 ? '' : b.rawBase64, 'base64').toString(
          'base64',
        ),
        'kek.bad': b64('short'),
        signingKey: b64('not a kek'),
      },
    });
    expect([...keks.keys()].sort()).toEqual([a.keyId, b.keyId].sort());
  });
  it('reads host-app credentials only with all labels and keys present', () => {
    const secret = {
      metadata: { namespace: 'ns', labels: { 'tessera.dev/host-app': 'web', 'tessera.dev/tenant': 'acme' } },
      data: { sdkKey: b64('k'), sdkSecret: b64('s') },
    };
    expect(readCredentials(secret)).toEqual({
      tenant: 'acme',
      namespace: 'ns',
      hostApp: 'web',
      sdkKey: 'k',
      sdkSecret: 's',
    });
    expect(readCredentials({ ...secret, data: { sdkKey: b64('k') } })).toBeNull();
    expect(readCredentials({ ...secret, metadata: { namespace: 'ns', labels: {} } })).toBeNull();
  });
  it('reads the previous pair after a rotation with its expiry, and ignores one without a readable expiry', () => {
    const secret = {
      metadata: { namespace: 'ns', labels: { 'tessera.dev/host-app': 'web', 'tessera.dev/tenant': 'acme' } },
      data: {
        sdkKey: b64('new'),
        sdkSecret: b64('s2'),
        previousSdkKey: b64('old'),
        previousSdkSecret: b64('s1'),
        previousExpiresAt: b64('2030-01-01T00:00:00Z'),
      },
    };
    const all = readAllCredentials(secret);
    expect(all.map((c) => [c.sdkKey, c.sdkSecret, c.expiresAt])).toEqual([
      ['new', 's2', undefined],
      ['old', 's1', Date.parse('2030-01-01T00:00:00Z')],
    ]);
    expect(sdkKeysOf(secret)).toEqual(['new', 'old']);
    const noExpiry = { ...secret, data: { ...secret.data, previousExpiresAt: b64('soon') } };
    expect(readAllCredentials(noExpiry).map((c) => c.sdkKey)).toEqual(['new']);
  });
});
