import type { HostApp } from '@tessera/crds';
import { describe, expect, it } from 'vitest';
import {
  CREDENTIAL_FILES,
  CREDENTIALS_GENERATION_ANNOTATION,
  credentialsChange,
  previousExpiry,
  secretCredentialsGeneration,
} from './hostapp-credentials.ts';
import type { SecretLike } from './types.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const hostApp = (generation: number, previousGraceSeconds = 3600) =>
  ({
    apiVersion: 'tessera.dev/v1alpha1',
    kind: 'HostApp',
    metadata: { name: 'web', namespace: 'ns' },
    spec: {
      displayName: 'Web',
      platforms: {},
      miniPrograms: {},
      credentials: { generation, previousGraceSeconds },
    },
  }) as unknown as HostApp;
const secret = (generation: number): SecretLike => ({
  metadata: {
    name: 'tessera-credentials-web',
    namespace: 'ns',
    resourceVersion: '7',
    annotations: { [CREDENTIALS_GENERATION_ANNOTATION]: String(generation) },
  },
  data: { sdkKey: b64('ak_old'), sdkSecret: b64('old-secret') },
});

describe('host-app credential rotation', () => {
  it('does nothing while the generation is current', () => {
    expect(credentialsChange(hostApp(0), secret(0)).kind).toBe('none');
  });

  it('rotates to a fresh pair and keeps the old one for the grace period', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const change = credentialsChange(hostApp(1), secret(0), now);
    if (change.kind !== 'rotate') throw new Error(change.kind);
    const d = change.secret.data ?? {};
    expect(Buffer.from(d.sdkKey ?? '', 'base64').toString()).toMatch(/^ak_[0-9a-f]{24}$/);
    expect(d.sdkKey).not.toBe(b64('ak_old'));
    expect(d[CREDENTIAL_FILES.previousSdkKey]).toBe(b64('ak_old'));
    expect(d[CREDENTIAL_FILES.previousSdkSecret]).toBe(b64('old-secret'));
    expect(change.expiresAt).toBe('2026-01-01T01:00:00Z');
    expect(previousExpiry(change.secret)).toBe(Date.parse('2026-01-01T01:00:00Z'));
    expect(secretCredentialsGeneration(change.secret)).toBe(1);
    // the PUT carries the resourceVersion it read: a concurrent rotation conflicts instead of racing
    expect(change.secret.metadata?.resourceVersion).toBe('7');
    // once rotated, nothing more happens until the grace period ends; then the old pair goes
    expect(credentialsChange(hostApp(1), change.secret, now).kind).toBe('none');
    const later = credentialsChange(hostApp(1), change.secret, new Date('2026-01-01T01:00:01Z'));
    if (later.kind !== 'drop-previous') throw new Error(later.kind);
    expect(Object.keys(later.secret.data ?? {}).sort()).toEqual(['sdkKey', 'sdkSecret']);
  });

  it('a zero grace period drops the old pair at once', () => {
    const change = credentialsChange(hostApp(1, 0), secret(0));
    if (change.kind !== 'rotate') throw new Error(change.kind);
    expect(Object.keys(change.secret.data ?? {}).sort()).toEqual(['sdkKey', 'sdkSecret']);
  });
});
