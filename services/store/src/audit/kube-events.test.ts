import { describe, expect, it } from 'vitest';
import { KubeAuditEventList, type MapOptions, mapKubeEvent } from './kube-events.ts';

const opts: MapOptions = {
  tenantOfNamespace: (ns) => (ns === 'acme-ns' ? 'acme' : undefined),
  isTenant: (name) => name === 'acme',
  selfUsernames: new Set(['system:serviceaccount:tessera:tessera-store']),
};

const event = (over: Record<string, unknown> = {}) =>
  KubeAuditEventList.parse({
    kind: 'EventList',
    apiVersion: 'audit.k8s.io/v1',
    items: [
      {
        auditID: 'a1',
        stage: 'ResponseComplete',
        verb: 'patch',
        requestURI: '/apis/tessera.dev/v1alpha1/namespaces/acme-ns/grayrules/beta',
        user: { username: 'alice', groups: ['devs', 'system:authenticated'] },
        sourceIPs: ['10.1.2.3', '10.0.0.1'],
        userAgent: 'kubectl/v1.33',
        objectRef: {
          resource: 'grayrules',
          namespace: 'acme-ns',
          name: 'beta',
          apiGroup: 'tessera.dev',
          apiVersion: 'v1alpha1',
        },
        responseStatus: { code: 200 },
        requestReceivedTimestamp: '2026-12-07T10:00:00.000000Z',
        stageTimestamp: '2026-12-07T10:00:00.010000Z',
        requestObject: { spec: { secret: 'never copied' } },
        ...over,
      },
    ],
  }).items[0]!;

describe('Kubernetes audit event → audit entry', () => {
  it('keeps who, what, when and from where of a write, in the namespace tenant chain', () => {
    const m = mapKubeEvent(event(), opts);
    expect(m).toEqual({
      chain: { tenant: 'acme' },
      auditId: 'a1',
      input: {
        actor: 'alice',
        action: 'kube.patch.grayrules',
        target: 'acme-ns/beta',
        remote: '10.1.2.3',
        details: expect.objectContaining({
          source: 'kubernetes',
          auditID: 'a1',
          verb: 'patch',
          resource: 'grayrules',
          namespace: 'acme-ns',
          name: 'beta',
          code: 200,
          user: 'alice',
          groups: ['devs', 'system:authenticated'],
          sourceIPs: ['10.1.2.3', '10.0.0.1'],
          userAgent: 'kubectl/v1.33',
          completed: '2026-12-07T10:00:00.010000Z',
        }),
      },
    });
    expect(JSON.stringify(m)).not.toContain('never copied');
  });

  it('names the impersonated user as the actor and keeps the real one', () => {
    const m = mapKubeEvent(
      event({
        impersonatedUser: { username: 'bob', groups: ['ops'] },
        user: { username: 'admin', groups: [] },
      }),
      opts,
    );
    expect(m?.input.actor).toBe('bob');
    expect(m?.input.details).toMatchObject({
      user: 'admin',
      impersonatedUser: 'bob',
      impersonatedGroups: ['ops'],
    });
  });

  it('records subresources and failed writes (with their response code)', () => {
    const m = mapKubeEvent(
      event({
        verb: 'update',
        objectRef: {
          resource: 'miniprograms',
          subresource: 'status',
          namespace: 'acme-ns',
          name: 'shop',
          apiGroup: 'tessera.dev',
        },
        responseStatus: { code: 409 },
      }),
      opts,
    );
    expect(m?.input.action).toBe('kube.update.miniprograms/status');
    expect(m?.input.details).toMatchObject({ subresource: 'status', code: 409 });
  });

  it('puts a Tenant in its own chain and unknown tenants and namespaces in the platform chain', () => {
    const tenant = (name: string) =>
      mapKubeEvent(event({ objectRef: { resource: 'tenants', name, apiGroup: 'tessera.dev' } }), opts);
    expect(tenant('acme')?.chain).toEqual({ tenant: 'acme' });
    expect(tenant('acme')?.input.target).toBe('acme');
    expect(tenant('newco')?.chain).toEqual({ platform: true });
    const deleted = mapKubeEvent(
      event({ verb: 'delete', objectRef: { resource: 'tenants', name: 'acme', apiGroup: 'tessera.dev' } }),
      opts,
    );
    expect(deleted?.chain).toEqual({ platform: true });
    const elsewhere = mapKubeEvent(
      event({ objectRef: { resource: 'hostapps', namespace: 'other', name: 'h', apiGroup: 'tessera.dev' } }),
      opts,
    );
    expect(elsewhere?.chain).toEqual({ platform: true });
  });

  it('drops reads, other groups, earlier stages and the store echo of its own writes', () => {
    expect(mapKubeEvent(event({ verb: 'get' }), opts)).toBeNull();
    expect(mapKubeEvent(event({ verb: 'watch' }), opts)).toBeNull();
    expect(mapKubeEvent(event({ stage: 'RequestReceived' }), opts)).toBeNull();
    expect(
      mapKubeEvent(
        event({ objectRef: { resource: 'secrets', namespace: 'acme-ns', name: 's', apiGroup: '' } }),
        opts,
      ),
    ).toBeNull();
    expect(
      mapKubeEvent(
        event({ user: { username: 'system:serviceaccount:tessera:tessera-store', groups: [] } }),
        opts,
      ),
    ).toBeNull();
  });

  it('refuses lists that are not audit.k8s.io/v1 EventLists, naming the problem', () => {
    const r = KubeAuditEventList.safeParse({ kind: 'PodList', apiVersion: 'v1', items: [] });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message).join(';')).toMatch(/EventList/);
    expect(
      KubeAuditEventList.safeParse({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [{}] }).success,
    ).toBe(false);
  });
});
