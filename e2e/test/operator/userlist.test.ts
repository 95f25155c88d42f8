// GrayRule users.configMapRef: an imported list of 100,000 user ids is validated, published as a
// content-addressed ConfigMap and referenced by digest from the signed release document; the
// store-side reader (@tessera/crds readPublishedUserList) and the gray engine resolve a listed
// user without the release document carrying the ids.
import { MiniProgramReleaseSchema, readPublishedUserList } from '@tessera/crds';
import { compileRelease, evaluate } from '@tessera/gray';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API,
  artifact,
  client,
  condition,
  deleteTenant,
  finishCompilePod,
  miniProgram,
  type Obj,
  R,
  RUN_LABEL,
  runId,
  startOperator,
  tenant,
  version,
  waitFor,
} from './helpers.ts';

const kube = client();
const run = runId('ul');
const ns = run;
const op = startOperator(run);
type CM = Obj & { data?: Record<string, string>; immutable?: boolean };
type UserList = { configMap: string; key: string; digest: string; count: number };

const IDS = 100_000;
const id = (i: number) => `u${i.toString(36)}`;

async function compile(mp: string, v: string, seed: string) {
  await kube.create(R.versions, version(ns, mp, v, run));
  const name = `${mp}-${v.replace(/\./g, '-')}`;
  const job = await waitFor(
    'job',
    async () => (await kube.get<Obj>(R.versions, ns, name))?.status?.compileJob as string | undefined,
  );
  await finishCompilePod(kube, ns, job, JSON.stringify({ ok: true, artifact: artifact(seed) }));
  await waitFor(
    `${name} compiled`,
    async () => (await kube.get<Obj>(R.versions, ns, name))?.status?.phase === 'Compiled',
  );
}

const sourceList = (data: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'vip-users', namespace: ns },
  data: { 'ids.txt': data },
});

async function release() {
  const cm = await kube.get<CM>(R.ConfigMaps, ns, 'tessera-release-shop-pay');
  return cm
    ? { cm, doc: MiniProgramReleaseSchema.parse(JSON.parse(cm.data?.['release.json'] ?? '{}')) }
    : undefined;
}

async function releasedList(): Promise<UserList | undefined> {
  return (await release())?.doc.grayRules.find((r) => r.name === 'vip')?.users?.list;
}

async function ruleEvents(reason: string) {
  const list = await kube.list<Obj & { reason?: string; message?: string }>(R.CoreEvents, {
    namespace: ns,
    fieldSelector: 'involvedObject.name=vip',
  });
  return list.items.filter((e) => e.reason === reason);
}

beforeAll(async () => {
  await op.start();
  await kube.create(R.tenants, tenant(ns, run));
  await waitFor(
    'tenant ready',
    async () => condition(await kube.get<Obj>(R.tenants, undefined, ns), 'Ready')?.status === 'True',
  );
  await kube.create(R.miniPrograms, miniProgram(ns, 'pay', run));
  await compile('pay', '1.0.0', '1');
  await compile('pay', '2.0.0', '2');
  await kube.patch(R.miniPrograms, ns, 'pay', { spec: { stableVersion: '1.0.0' } });
  await kube.create(R.hostApps, {
    apiVersion: API,
    kind: 'HostApp',
    metadata: { name: 'shop', namespace: ns, labels: { [RUN_LABEL]: run } },
    spec: {
      displayName: 'Shop',
      platforms: { web: { origins: ['https://shop.example.com'] } },
      miniPrograms: { names: ['pay'] },
    },
  });
});
afterAll(async () => {
  await op.stop();
  await deleteTenant(kube, ns);
});

describe('GrayRule users.configMapRef', () => {
  it('publishes a 100,000-id list by digest; the release stays small and resolves listed users', async () => {
    // Unsorted, with duplicates, blank lines and a comment: the published form is normalised.
    const ids = Array.from({ length: IDS }, (_, i) => id(IDS - 1 - i));
    await kube.create(R.ConfigMaps, sourceList(`# imported\n${ids.join('\n')}\n\n${id(7)}\n`));
    await kube.create(R.grayRules, {
      apiVersion: API,
      kind: 'GrayRule',
      metadata: { name: 'vip', namespace: ns, labels: { [RUN_LABEL]: run } },
      spec: {
        miniProgram: 'pay',
        version: '2.0.0',
        users: { ids: ['inline-user'], configMapRef: { name: 'vip-users', key: 'ids.txt' } },
      },
    });
    const rule = await waitFor('list published', async () => {
      const o = await kube.get<Obj>(R.grayRules, ns, 'vip');
      return condition(o, 'UsersLoaded')?.status === 'True' ? o : undefined;
    });
    const status = rule.status?.userList as UserList;
    expect(status.count).toBe(IDS);

    const listed = await waitFor('release references the list', releasedList);
    expect(listed).toEqual({
      configMap: status.configMap,
      key: status.key,
      digest: status.digest,
      count: IDS,
    });
    const rel = (await release())?.doc;
    expect(rel?.grayRules.find((r) => r.name === 'vip')?.users?.ids).toEqual(['inline-user']);
    expect(((await release())?.cm.data?.['release.json'] ?? '').length).toBeLessThan(8192);

    const published = (await kube.get<CM>(R.ConfigMaps, ns, listed.configMap)) as CM;
    expect(published.immutable).toBe(true);
    expect(published.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'GrayRule', name: 'vip' });
    const loaded = await readPublishedUserList(published.data?.[listed.key], listed.digest);
    expect(loaded).toHaveLength(IDS);
    expect(loaded).toEqual([...loaded].sort());
    await expect(
      readPublishedUserList(`${published.data?.[listed.key]}\nintruder`, listed.digest),
    ).rejects.toThrow(/does not match/);

    // The consumer: the gray engine with the loaded list as a set (what the store builds).
    const compiled = compileRelease({
      miniProgram: 'pay',
      stableVersion: rel?.stable?.version,
      rules: (rel?.grayRules ?? []).map((r) => ({
        ...r,
        miniProgram: 'pay',
        userIds: r.users?.ids,
        userSet: r.users?.list ? new Set(loaded) : undefined,
      })),
    });
    const now = Date.now();
    expect(evaluate(compiled, { userId: id(4242), now })).toMatchObject({
      kind: 'user-list',
      version: '2.0.0',
    });
    expect(evaluate(compiled, { userId: 'inline-user', now })).toMatchObject({ kind: 'user-list' });
    expect(evaluate(compiled, { userId: 'stranger', now })).toEqual({ kind: 'stable', version: '1.0.0' });
    expect(await ruleEvents('UserListPublished')).not.toHaveLength(0);
  });

  it('writes a deleted published list again', async () => {
    const current = (await releasedList()) as UserList;
    const before = (await kube.get<CM>(R.ConfigMaps, ns, current.configMap)) as CM;
    await kube.delete(R.ConfigMaps, ns, current.configMap);
    const again = await waitFor('published list re-created', async () => {
      const cm = await kube.get<CM>(R.ConfigMaps, ns, current.configMap);
      return cm && cm.metadata?.uid !== before.metadata?.uid ? cm : undefined;
    });
    expect(again.immutable).toBe(true);
    expect(await readPublishedUserList(again.data?.[current.key], current.digest)).toHaveLength(IDS);
    expect((await releasedList())?.digest).toBe(current.digest);
  });

  it('re-publishes when the source list changes and keeps the last valid list while it is invalid', async () => {
    const first = (await releasedList()) as UserList;
    await kube.patch(R.ConfigMaps, ns, 'vip-users', { data: { 'ids.txt': 'alice\nbob\n' } });
    const second = await waitFor('new list in release', async () => {
      const l = await releasedList();
      return l && l.digest !== first.digest ? l : undefined;
    });
    expect(second.count).toBe(2);
    const secondCm = (await kube.get<CM>(R.ConfigMaps, ns, second.configMap)) as CM;
    expect(await readPublishedUserList(secondCm.data?.[second.key], second.digest)).toEqual(['alice', 'bob']);

    await kube.patch(R.ConfigMaps, ns, 'vip-users', { data: { 'ids.txt': 'carol\nnot an id\n' } });
    const broken = await waitFor('invalid list reported', async () => {
      const o = await kube.get<Obj>(R.grayRules, ns, 'vip');
      return condition(o, 'UsersLoaded')?.reason === 'UserListInvalid' ? o : undefined;
    });
    expect(condition(broken, 'UsersLoaded')?.message).toMatch(/line 2: .*whitespace/);
    expect(condition(broken, 'UsersLoaded')?.message).toContain(second.digest);
    expect((broken.status?.userList as UserList | undefined)?.digest).toBe(second.digest);
    expect((await releasedList())?.digest).toBe(second.digest);
    await waitFor('warning event', async () => (await ruleEvents('UserListInvalid')).length > 0);

    // Lists neither current nor previous are deleted.
    await waitFor(
      'first list deleted',
      async () => (await kube.get(R.ConfigMaps, ns, first.configMap)) === undefined,
    );
  });

  it('withdraws the list when the source ConfigMap is deleted', async () => {
    await kube.delete(R.ConfigMaps, ns, 'vip-users');
    const rule = await waitFor('missing list reported', async () => {
      const o = await kube.get<Obj>(R.grayRules, ns, 'vip');
      return condition(o, 'UsersLoaded')?.reason === 'UserListNotFound' ? o : undefined;
    });
    expect(condition(rule, 'UsersLoaded')?.message).toContain(`${ns}/vip-users`);
    expect(rule.status?.userList).toBeUndefined();
    await waitFor('list gone from release', async () => (await releasedList()) === undefined);
    expect((await release())?.doc.grayRules.find((r) => r.name === 'vip')?.users?.ids).toEqual([
      'inline-user',
    ]);
  });
});
