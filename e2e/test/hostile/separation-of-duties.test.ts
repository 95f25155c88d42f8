// Separation of duties in approvals, as reviewers who try to cut corners meet it: a tenant whose
// policy needs compliance, legal and risk, reviewers bound to those roles through
// Tenant.spec.members[].reviewerRole (the operator's tessera:review:<role> Roles), the real store
// checking them with SubjectAccessReviews and the pusher recorded by its source upload, and the
// real operator counting approvals. One identity holding two roles covers one; the pusher cannot
// approve; a reviewer without the role gets an actionable 403; a rejection with a comment shows
// in status and events and keeps the version from being released.

import { createHash } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeConfig } from '../../src/harness/testing.ts';
import { condition, type Obj, R, waitFor } from '../operator/helpers.ts';
import { type HostilePlatform, sampleApp, startHostilePlatform } from './platform.ts';

const REQUIRED = ['compliance', 'legal', 'risk'];
const reviewer = (name: string, reviewerRole?: string) => ({
  kind: 'ServiceAccount',
  name,
  role: 'reviewer',
  ...(reviewerRole ? { reviewerRole } : {}),
});

let p: HostilePlatform;
const tokens: Record<string, string> = {};
const subject = (sa: string) => `system:serviceaccount:${p.ns}:${sa}`;

async function serviceAccountToken(ns: string, name: string): Promise<string> {
  const core = loadKubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name } } });
  const tr = await core.createNamespacedServiceAccountToken({
    name,
    namespace: ns,
    body: { spec: { expirationSeconds: 3600 } } as never,
  });
  return tr.status?.token ?? '';
}

/** The store's answer to a review decision by `sa`. */
async function decide(
  sa: string,
  versionName: string,
  kind: 'approvals' | 'rejections',
  body: Record<string, unknown>,
): Promise<{ status: number; body: { detail?: string; code?: string; subject?: string } }> {
  const r = await fetch(`${p.store.url}/v1/tenants/${p.ns}/versions/${versionName}/${kind}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens[sa]}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as never };
}

/** Uploads `files` as the pusher and returns the source digest a version names. */
async function pushSource(marker: string): Promise<string> {
  const archive = Buffer.from(`source archive ${marker} ${p.run}`);
  const hex = createHash('sha256').update(archive).digest('hex');
  const r = await fetch(`${p.store.url}/v1/tenants/${p.ns}/sources/${hex}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${tokens.pusher}` },
    body: archive,
  });
  expect(r.status, await r.text()).toBe(201);
  return `sha256:${hex}`;
}

/** A compiled version of `shop` whose source the pusher uploaded. */
async function pushedVersion(semver: string): Promise<string> {
  const digest = await pushSource(semver);
  const pkg = await p.build(sampleApp(`shop ${semver}`));
  expect((await p.upload(pkg)).status).toBeLessThan(300);
  await p.compiled('shop', semver, pkg, { upload: { digest } });
  return `shop-${semver.replace(/\./g, '-')}`;
}

const approved = async (name: string) => condition(await p.kube.get<Obj>(R.versions, p.ns, name), 'Approved');

beforeAll(async () => {
  p = await startHostilePlatform(
    'duties',
    { platforms: { web: { origins: ['https://shop.example'] } } },
    ['shop'],
    {
      tenantSpec: {
        reviewPolicy: { requiredRoles: REQUIRED },
        members: [
          { kind: 'ServiceAccount', name: 'pusher', role: 'developer' },
          // the pusher is also a risk reviewer: it still may not approve its own version
          reviewer('pusher', 'risk'),
          // alice holds two review roles; she counts for one
          reviewer('alice', 'compliance'),
          reviewer('alice', 'legal'),
          reviewer('bob', 'legal'),
          reviewer('carol', 'risk'),
          // a reviewer without a review role approves for none
          reviewer('mallory'),
        ],
      },
    },
  );
  for (const sa of ['pusher', 'alice', 'bob', 'carol', 'mallory'])
    tokens[sa] = await serviceAccountToken(p.ns, sa);
  // the store learns the tenant from the operator's key Secret
  await waitFor('store knows the tenant', async () => {
    const r = await fetch(`${p.store.url}/v1/tenants/${p.ns}/audit`, {
      headers: { authorization: `Bearer ${tokens.alice}` },
    });
    return r.status !== 404;
  });
}, 180_000);

afterAll(async () => {
  await p?.close();
});

describe('separation of duties', () => {
  it('binds each review role to its members through operator-made RBAC', async () => {
    const binding = await waitFor('tessera:review:legal', () =>
      p.kube.get<Obj & { subjects?: Array<{ name: string }> }>(R.RoleBindings, p.ns, 'tessera:review:legal'),
    );
    expect(binding.subjects?.map((s) => s.name)).toEqual(['alice', 'bob']);
    const role = await p.kube.get<Obj & { rules?: unknown[] }>(R.Roles, p.ns, 'tessera:review:legal');
    expect(role?.rules).toEqual([
      {
        apiGroups: ['tessera.dev'],
        resources: ['reviewroles'],
        resourceNames: ['legal'],
        verbs: ['approve'],
      },
    ]);
  });

  it('refuses a reviewer without the role, the pusher, and a second role for one identity', async () => {
    const name = await pushedVersion('1.0.0');

    const mallory = await decide('mallory', name, 'approvals', { role: 'compliance' });
    expect(mallory.status).toBe(403);
    expect(mallory.body.detail).toBe(
      `${subject('mallory')} does not hold the review role compliance in namespace ${p.ns} (verb approve on reviewroles/compliance); a platform admin grants it by adding a Tenant member with role reviewer and reviewerRole compliance`,
    );

    const pusher = await decide('pusher', name, 'approvals', { role: 'risk' });
    expect(pusher.status).toBe(403);
    expect(pusher.body.detail).toBe(
      `${subject('pusher')} pushed the source of ${name} and may not approve it; ask another reviewer holding risk`,
    );

    expect((await decide('alice', name, 'approvals', { role: 'compliance', comment: 'ok' })).status).toBe(
      201,
    );
    const twice = await decide('alice', name, 'approvals', { role: 'legal' });
    expect(twice.status).toBe(403);
    expect(twice.body.detail).toContain('one identity decides for one review role');

    await waitFor('waiting for legal and risk', async () => {
      const c = await approved(name);
      return c?.status === 'False' && c.message === 'waiting for approval by: legal, risk';
    });

    // a different person for each remaining role satisfies the policy
    expect((await decide('bob', name, 'approvals', { role: 'legal' })).status).toBe(201);
    expect((await decide('carol', name, 'approvals', { role: 'risk' })).status).toBe(201);
    await waitFor('approved', async () => (await approved(name))?.status === 'True');

    const v = await p.kube.get<Obj>(R.versions, p.ns, name);
    const approvals = (v?.status?.approvals ?? []) as Array<{ role: string; subject: string }>;
    expect(approvals.map((a) => [a.role, a.subject])).toEqual([
      ['compliance', subject('alice')],
      ['legal', subject('bob')],
      ['risk', subject('carol')],
    ]);
  }, 120_000);

  it('a rejection with a comment shows in status and events, blocks approvals and the release', async () => {
    const name = await pushedVersion('2.0.0');
    expect((await decide('alice', name, 'approvals', { role: 'compliance' })).status).toBe(201);

    const noComment = await decide('carol', name, 'rejections', { role: 'risk' });
    expect(noComment.status).toBe(400);

    const comment = 'no fraud-risk assessment for the new payment page';
    const rejected = await decide('carol', name, 'rejections', { role: 'risk', comment });
    expect(rejected.status).toBe(201);

    const message = `rejected by ${subject('carol')} as risk: ${comment}; push a new version`;
    await waitFor('Approved=False Rejected', async () => {
      const c = await approved(name);
      return c?.reason === 'Rejected' && c.message === message;
    });
    const events = await waitFor('Rejected event', async () => {
      const list = await p.kube.list<Obj & { reason?: string; message?: string; type?: string }>(
        R.CoreEvents,
        { namespace: p.ns, fieldSelector: `involvedObject.name=${name}` },
      );
      const found = list.items.filter((e) => e.reason === 'Rejected');
      return found.length > 0 ? found : undefined;
    });
    expect(events[0]?.type).toBe('Warning');
    expect(events[0]?.message).toBe(message);

    const after = await decide('bob', name, 'approvals', { role: 'legal' });
    expect(after.status).toBe(409);
    expect(after.body.code).toBe('version-rejected');
    expect(after.body.detail).toContain('push a new version');

    // naming it as the stable version does not release it
    const mp = await p.kube.get<Obj>(R.miniPrograms, p.ns, 'shop');
    await p.kube.update(R.miniPrograms, { ...mp, spec: { ...mp?.spec, stableVersion: '2.0.0' } } as Obj);
    await waitFor('Released=False Rejected', async () => {
      const c = condition(await p.kube.get<Obj>(R.versions, p.ns, name), 'Released');
      return c?.status === 'False' && c.reason === 'Rejected';
    });

    // the audit log says who decided what, for which role
    const audit = await fetch(`${p.store.url}/v1/tenants/${p.ns}/audit?limit=1000`, {
      headers: { authorization: `Bearer ${tokens.alice}` },
    });
    const entries = ((await audit.json()) as { entries: Array<Record<string, unknown>> }).entries;
    expect(entries.filter((e) => e.target === `${p.ns}/${name}`)).toEqual([
      expect.objectContaining({
        actor: subject('alice'),
        action: 'version.approve',
        details: { role: 'compliance', decision: 'Approved' },
      }),
      expect.objectContaining({
        actor: subject('carol'),
        action: 'version.reject',
        details: { role: 'risk', decision: 'Rejected', comment },
      }),
    ]);
  }, 120_000);
});
