import type { Tenant } from '@tessera/crds';
import { describe, expect, it } from 'vitest';
import { canonicalQuantity, roleRules, tenantQuota, tenantRbac } from './tenant-objects.ts';

const t = (spec: Partial<Tenant['spec']> = {}) =>
  ({
    apiVersion: 'tessera.dev/v1alpha1',
    kind: 'Tenant',
    metadata: { name: 'acme', uid: 'u' },
    spec: { displayName: 'A', ...spec },
  }) as Tenant;

describe('tenant objects', () => {
  it('writes quantities in the API server canonical form', () => {
    expect([0, 7, 21, 100, 1000, 5000, 5500, 1_000_000, 120_000].map(canonicalQuantity)).toEqual([
      '0',
      '7',
      '21',
      '100',
      '1k',
      '5k',
      '5500',
      '1M',
      '120k',
    ]);
    const q = tenantQuota(
      t({ quotas: { miniPrograms: 100, versionsPerMiniProgram: 50, packageBytes: 1024 } }),
    ) as { spec: { hard: Record<string, string> } };
    expect(q.spec.hard['count/miniprogramversions.tessera.dev']).toBe('5k');
  });
  it('binds members to their role and omits empty subject lists', () => {
    const { bindings } = tenantRbac(
      t({ members: [{ kind: 'ServiceAccount', name: 'ci', role: 'developer' }] }),
    );
    const dev = bindings.find((b) => b.metadata?.name === 'tessera:developer') as { subjects?: unknown[] };
    expect(dev.subjects).toEqual([{ kind: 'ServiceAccount', name: 'ci', namespace: 'tessera-acme' }]);
    const viewer = bindings.find((b) => b.metadata?.name === 'tessera:viewer') as { subjects?: unknown[] };
    expect(viewer.subjects).toBeUndefined();
  });
  it('grants approve only to reviewers and tenant admins', () => {
    const approves = (r: Parameters<typeof roleRules>[0]) =>
      JSON.stringify(roleRules(r)).includes('"approve"');
    expect([
      approves('tenant-admin'),
      approves('developer'),
      approves('reviewer'),
      approves('viewer'),
    ]).toEqual([true, false, true, false]);
  });
  it('lets no tenant role write the status of any resource', () => {
    for (const role of ['tenant-admin', 'developer', 'reviewer', 'viewer'] as const) {
      for (const rule of roleRules(role) as Array<{ resources: string[]; verbs: string[] }>) {
        if (rule.resources.some((r) => r.endsWith('/status')))
          expect({ role, verbs: rule.verbs }).toEqual({ role, verbs: ['get', 'list', 'watch'] });
      }
    }
  });
  it('gives compile jobs only the store-checked source and artifact subresources', () => {
    const { roles, bindings } = tenantRbac(t({}));
    const role = roles.find((r) => r.metadata?.name === 'tessera:compiler') as { rules: unknown[] };
    expect(role.rules).toEqual([
      { apiGroups: ['tessera.dev'], resources: ['miniprogramversions/source'], verbs: ['get'] },
      { apiGroups: ['tessera.dev'], resources: ['miniprogramversions/artifact'], verbs: ['create'] },
    ]);
    const binding = bindings.find((b) => b.metadata?.name === 'tessera:compiler') as { subjects?: unknown[] };
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'tessera-compiler', namespace: 'tessera-acme' },
    ]);
  });
});

describe('review-role RBAC', () => {
  const tenant = t({
    reviewPolicy: { requiredRoles: ['compliance', 'legal', 'risk'] },
    members: [
      { kind: 'User', name: 'alice', role: 'reviewer', reviewerRole: 'compliance' },
      { kind: 'User', name: 'alice', role: 'reviewer', reviewerRole: 'legal' },
      { kind: 'Group', name: 'legal-team', role: 'reviewer', reviewerRole: 'legal' },
      { kind: 'User', name: 'rita', role: 'reviewer' },
      { kind: 'User', name: 'dev', role: 'developer' },
    ],
  });

  it('grants verb approve on reviewroles/<role> per review role, and nothing else', () => {
    const { roles } = tenantRbac(tenant);
    const review = roles.filter((r) => r.metadata?.name?.startsWith('tessera:review:'));
    expect(review.map((r) => r.metadata?.name)).toEqual([
      'tessera:review:compliance',
      'tessera:review:legal',
      'tessera:review:risk',
    ]);
    expect((review[1] as { rules: unknown[] }).rules).toEqual([
      {
        apiGroups: ['tessera.dev'],
        resources: ['reviewroles'],
        resourceNames: ['legal'],
        verbs: ['approve'],
      },
    ]);
  });

  it('binds only the reviewer members holding that reviewerRole; a role nobody holds binds nobody', () => {
    const { bindings } = tenantRbac(tenant);
    const subjects = (name: string) =>
      (bindings.find((b) => b.metadata?.name === name) as { subjects?: Array<{ name: string }> }).subjects;
    expect(subjects('tessera:review:compliance')?.map((s) => s.name)).toEqual(['alice']);
    expect(subjects('tessera:review:legal')?.map((s) => s.name)).toEqual(['alice', 'legal-team']);
    expect(subjects('tessera:review:risk')).toBeUndefined();
  });

  it('a reviewer member without reviewerRole holds no review role', () => {
    const { bindings } = tenantRbac(tenant);
    const review = bindings.filter((b) => b.metadata?.name?.startsWith('tessera:review:'));
    expect(JSON.stringify(review)).not.toContain('rita');
  });
});
