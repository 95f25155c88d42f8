import { verifyDetached } from '@tessera/runtime-sdk/package';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  client,
  condition,
  deleteTenant,
  type Obj,
  R,
  runId,
  startOperator,
  tenant,
  waitFor,
} from './helpers.ts';

const kube = client();
const run = runId('tn');
const op = startOperator(run);
const name = run;
const other = `${run}-b`;

beforeAll(async () => {
  await op.start();
});
afterAll(async () => {
  await op.stop();
  await deleteTenant(kube, name);
  await deleteTenant(kube, other);
});

describe('Tenant controller', () => {
  it('creates namespace, roles, bindings, quota, compiler account and keys, and reports public keys', async () => {
    await kube.create(
      R.tenants,
      tenant(name, run, {
        members: [
          { kind: 'User', name: 'alice', role: 'tenant-admin' },
          { kind: 'Group', name: 'qa', role: 'reviewer', reviewerRole: 'compliance' },
        ],
        quotas: { miniPrograms: 7, versionsPerMiniProgram: 3 },
      }),
    );
    const t = await waitFor('tenant Ready', async () => {
      const o = await kube.get<Obj>(R.tenants, undefined, name);
      return condition(o, 'Ready')?.status === 'True' ? o : undefined;
    });
    expect(t.status?.namespace).toBe(name);
    const ns = await kube.get<Obj>(R.Namespaces, undefined, name);
    expect(ns?.metadata?.labels?.['tessera.dev/tenant']).toBe(name);
    expect(ns?.metadata?.ownerReferences?.[0]?.uid).toBe(t.metadata?.uid);
    for (const role of ['tenant-admin', 'developer', 'reviewer', 'viewer']) {
      expect(await kube.get(R.Roles, name, `tessera:${role}`)).toBeDefined();
    }
    const admins = await kube.get<Obj & { subjects?: Array<{ name: string }> }>(
      R.RoleBindings,
      name,
      'tessera:tenant-admin',
    );
    expect(admins?.subjects?.map((s) => s.name)).toEqual(['alice']);
    const reviewers = await kube.get<Obj & { subjects?: Array<{ name: string; kind: string }> }>(
      R.RoleBindings,
      name,
      'tessera:reviewer',
    );
    expect(reviewers?.subjects).toMatchObject([{ kind: 'Group', name: 'qa' }]);
    const quota = await kube.get<Obj>(R.ResourceQuotas, name, 'tessera-quota');
    expect(quota?.spec?.hard).toMatchObject({
      'count/miniprograms.tessera.dev': '7',
      'count/miniprogramversions.tessera.dev': '21',
    });
    const sa = await kube.get<Obj & { automountServiceAccountToken?: boolean }>(
      R.ServiceAccounts,
      name,
      'tessera-compiler',
    );
    expect(sa?.automountServiceAccountToken).toBe(false);

    const secret = await kube.get<Obj & { data: Record<string, string> }>(
      R.Secrets,
      name,
      'tessera-tenant-keys',
    );
    expect(Buffer.from(secret?.data.kek ?? '', 'base64')).toHaveLength(32);
    const keys = t.status?.publicKeys as Array<{ keyId: string; publicKey: string; state: string }>;
    expect(keys).toHaveLength(1);
    expect(keys[0]?.state).toBe('current');
    // status carries public material only
    expect(JSON.stringify(t.status)).not.toContain(secret?.data['signing-key.pk8']);
    // a signature made with the Secret's private key verifies with the published key
    const { signDetached } = await import('@tessera/runtime-sdk/package');
    const bytes = new TextEncoder().encode('release');
    const sig = await signDetached(bytes, {
      keyId: keys[0]?.keyId ?? '',
      key: secret?.data['signing-key.pk8'] ?? '',
    });
    expect(await verifyDetached(bytes, sig.signature, [keys[0]?.publicKey ?? ''])).toBe(keys[0]?.keyId);
  });

  it('rotates keys on keyGeneration and keeps the previous public key published', async () => {
    const before = await kube.get<Obj & { data: Record<string, string> }>(
      R.Secrets,
      name,
      'tessera-tenant-keys',
    );
    await kube.patch(R.tenants, undefined, name, { spec: { crypto: { keyGeneration: 1 } } });
    const t = await waitFor('two public keys', async () => {
      const o = await kube.get<Obj>(R.tenants, undefined, name);
      const k = o?.status?.publicKeys as unknown[] | undefined;
      return k?.length === 2 ? o : undefined;
    });
    const keys = t.status?.publicKeys as Array<{ publicKey: string; state: string }>;
    expect(keys.map((k) => k.state)).toEqual(['current', 'previous']);
    expect(keys[1]?.publicKey).toBe(before?.data['signing-key.spki']);
    const after = await kube.get<Obj & { data: Record<string, string> }>(
      R.Secrets,
      name,
      'tessera-tenant-keys',
    );
    expect(after?.data['previous-kek']).toBe(before?.data.kek);
  });

  it('binds reviewers to their review role and removes a review role nobody holds any more', async () => {
    type Binding = Obj & { subjects?: Array<{ name: string; kind: string }> };
    const compliance = await waitFor('tessera:review:compliance', () =>
      kube.get<Binding>(R.RoleBindings, name, 'tessera:review:compliance'),
    );
    expect(compliance.subjects).toMatchObject([{ kind: 'Group', name: 'qa' }]);
    await kube.patch(R.tenants, undefined, name, {
      spec: {
        members: [
          { kind: 'User', name: 'alice', role: 'tenant-admin' },
          { kind: 'Group', name: 'qa', role: 'reviewer', reviewerRole: 'legal' },
        ],
      },
    });
    const legal = await waitFor('tessera:review:legal', () =>
      kube.get<Binding>(R.RoleBindings, name, 'tessera:review:legal'),
    );
    expect(legal.subjects).toMatchObject([{ kind: 'Group', name: 'qa' }]);
    await waitFor('tessera:review:compliance removed', async () => {
      const [binding, role] = await Promise.all([
        kube.get(R.RoleBindings, name, 'tessera:review:compliance'),
        kube.get(R.Roles, name, 'tessera:review:compliance'),
      ]);
      return !binding && !role;
    });
  });

  it('repairs a deleted child and never regenerates existing keys', async () => {
    const before = await kube.get<Obj & { data: Record<string, string> }>(
      R.Secrets,
      name,
      'tessera-tenant-keys',
    );
    await kube.delete(R.Roles, name, 'tessera:viewer');
    await waitFor('viewer role recreated', () => kube.get(R.Roles, name, 'tessera:viewer'));
    const after = await kube.get<Obj & { data: Record<string, string> }>(
      R.Secrets,
      name,
      'tessera-tenant-keys',
    );
    expect(after?.data.kek).toBe(before?.data.kek);
  });

  it('refuses a second tenant claiming the same namespace', async () => {
    await kube.create(R.tenants, { ...tenant(other, run), spec: { displayName: 'b', namespace: name } });
    const t = await waitFor('conflict condition', async () => {
      const o = await kube.get<Obj>(R.tenants, undefined, other);
      return condition(o, 'Ready')?.reason === 'NamespaceConflict' ? o : undefined;
    });
    expect(condition(t, 'Ready')?.message).toContain(name);
  });

  it('rejects a malformed tenant at the API server (schema from @tessera/crds)', async () => {
    await expect(
      kube.create(R.tenants, {
        ...tenant(`${run}-bad`, run),
        spec: { displayName: 'x', namespace: 'Not_A_Label' },
      }),
    ).rejects.toThrow(/namespace/);
  });
});
