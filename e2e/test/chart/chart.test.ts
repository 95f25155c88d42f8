// The Helm chart: lint, render, validate against the harness API server, reject bad values with a
// clear message, least-privilege RBAC proven with impersonation, hardened containers.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Manager, OperatorMetrics, serverPort, silentLogger } from '@tessera/controller-runtime';
import { compilerRoleRules, reviewRoleRules, roleRules } from '@tessera/operator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { POLICY_DIR } from '../../src/harness/admission.ts';
import { CRD_DIR, REPO_ROOT, tool } from '../../src/harness/paths.ts';
import { freePort } from '../../src/harness/processes.ts';
import { createTestNamespace, kubeconfigPath, kubectl, loadKubeConfig } from '../../src/harness/testing.ts';
import { startNodeService, waitForHttpOk } from '../../src/platform/services.ts';

const run = promisify(execFile);
const CHART = join(REPO_ROOT, 'charts', 'tessera');

interface Rendered {
  kind: string;
  apiVersion: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
  rules?: Array<{
    apiGroups?: string[];
    resources?: string[];
    nonResourceURLs?: string[];
    verbs?: string[];
    resourceNames?: string[];
  }>;
  roleRef?: { kind: string; name: string };
}

async function helm(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(tool('helm'), args, { maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function render(namespace: string, ...set: string[]): Promise<{ text: string; objects: Rendered[] }> {
  const r = await helm([
    'template',
    'chart-test',
    CHART,
    '--namespace',
    namespace,
    ...set.flatMap((s) => ['--set', s]),
  ]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const objects = parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as Rendered | null)
    .filter((o): o is Rendered => o !== null);
  return { text: r.stdout, objects };
}

let ns: Awaited<ReturnType<typeof createTestNamespace>>;
let rendered: Rendered[];

beforeAll(async () => {
  ns = await createTestNamespace('chart');
  rendered = (await render(ns.name)).objects;
});

afterAll(async () => {
  await kubectl([
    'delete',
    'clusterrole,clusterrolebinding',
    '-l',
    'app.kubernetes.io/instance=chart-test',
    '--wait=false',
  ]);
  await ns?.remove();
});

describe('helm chart', () => {
  it('passes helm lint', async () => {
    const r = await helm(['lint', CHART]);
    expect(r.stdout).toContain('0 chart(s) failed');
    expect(r.code).toBe(0);
  });

  it('renders what the chart promises', () => {
    const kinds = rendered.map((o) => `${o.kind}/${o.metadata.name}`);
    for (const expected of [
      'Deployment/chart-test-tessera-operator',
      'Deployment/chart-test-tessera-store',
      'Service/chart-test-tessera-store',
      'HorizontalPodAutoscaler/chart-test-tessera-store',
      'PodDisruptionBudget/chart-test-tessera-store',
      'NetworkPolicy/chart-test-tessera-store',
      'NetworkPolicy/chart-test-tessera-operator',
      'ClusterRole/chart-test-tessera-operator',
      'Role/chart-test-tessera-operator-leader-election',
    ])
      expect(kinds).toContain(expected);
    const operator = rendered.find(
      (o) => o.metadata.name === 'chart-test-tessera-operator' && o.kind === 'Deployment',
    );
    expect(operator?.spec?.replicas).toBe(2);
    const env = JSON.stringify(operator?.spec);
    expect(env).toContain('"name":"TESSERA_LEADER_ELECTION","value":"true"');
    // the compile Job image the operator starts has the name the operator and pod runner expect
    expect(env).toContain('"name":"TESSERA_COMPILER_IMAGE","value":"tessera/compiler:0.1.0"');
    expect(kinds).not.toContain('ServiceMonitor/chart-test-tessera');
    // webhook egress: public addresses only, private and metadata ranges excepted
    const storePolicy = rendered.find(
      (o) => o.metadata.name === 'chart-test-tessera-store' && o.kind === 'NetworkPolicy',
    );
    const egress = (storePolicy?.spec?.egress ?? []) as { to?: { ipBlock?: { except?: string[] } }[] }[];
    const webhookEgress = egress.flatMap((rule) => rule.to ?? []).find((peer) => peer.ipBlock);
    expect(webhookEgress?.ipBlock?.except).toEqual(
      expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']),
    );
  });

  it('is accepted by the API server (server-side dry run, CRDs included)', async () => {
    const r = await helm(['template', 'chart-test', CHART, '--namespace', ns.name, '--include-crds']);
    expect(r.code).toBe(0);
    const applied = await kubectl(
      [
        'apply',
        '--server-side',
        '--force-conflicts',
        '--field-manager=chart-test',
        '--dry-run=server',
        '-f',
        '-',
      ],
      r.stdout,
    );
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain(
      'deployment.apps/chart-test-tessera-store serverside-applied (server dry run)',
    );
    expect(applied.stdout).toContain('customresourcedefinition.apiextensions.k8s.io/tenants.tessera.dev');
  });

  it('ships the CRDs of crds/manifests unchanged', () => {
    const source = readdirSync(CRD_DIR)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    expect(readdirSync(join(CHART, 'crds')).sort()).toEqual(source);
    for (const file of source)
      expect(readFileSync(join(CHART, 'crds', file), 'utf8'), `${file} is stale: run make crds`).toBe(
        readFileSync(join(CRD_DIR, file), 'utf8'),
      );
  });

  it('ships the status-owners admission policy the harness installs, naming its operator and store', () => {
    const policy = rendered.find((o) => o.kind === 'ValidatingAdmissionPolicy');
    expect(policy).toEqual(parse(readFileSync(join(POLICY_DIR, 'tessera-status-owners.yaml'), 'utf8')));
    const binding = rendered.find((o) => o.kind === 'ValidatingAdmissionPolicyBinding');
    expect(binding?.spec).toMatchObject({
      policyName: 'tessera-status-owners',
      validationActions: ['Deny'],
      paramRef: { name: 'chart-test-tessera-status-owners', parameterNotFoundAction: 'Deny' },
    });
    const params = rendered.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === 'chart-test-tessera-status-owners',
    ) as unknown as { data: Record<string, string> };
    expect(params.data).toEqual({
      operators: `system:serviceaccount:${ns.name}:chart-test-tessera-operator`,
      approvers: `system:serviceaccount:${ns.name}:chart-test-tessera-store`,
    });
  });

  it.each([
    [['operator.replicas=two'], "at '/operator/replicas': got string, want integer"],
    [['database.existingSecret='], "at '/database/existingSecret': minLength: got 0, want 1"],
    [['database.existingSecret=null'], "at '/database': missing property 'existingSecret'"],
    [['redis.key=a/b'], "at '/redis/key'"],
    [['operator.leaderElection.enabled=false'], "at '/operator/leaderElection/enabled': value must be true"],
    [['containerSecurityContext.readOnlyRootFilesystem=false'], 'readOnlyRootFilesystem'],
    [['podSecurityContext.runAsNonRoot=false'], "at '/podSecurityContext/runAsNonRoot'"],
    [['operator.resplicas=2'], "additional properties 'resplicas' not allowed"],
    [['store.port=70000'], "at '/store/port'"],
    [['image.pullPolicy=Sometimes'], "at '/image/pullPolicy'"],
    [
      ['store.autoscaling.minReplicas=5', 'store.autoscaling.maxReplicas=2'],
      'store.autoscaling.minReplicas must not be greater than store.autoscaling.maxReplicas',
    ],
  ])('rejects bad values %j with a clear message', async (set, message) => {
    const r = await helm(['template', 'chart-test', CHART, ...set.flatMap((s) => ['--set', s])]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(message);
  });

  it('has no wildcard RBAC, no cluster-admin and no escalation verbs', () => {
    const roles = rendered.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role');
    expect(roles.length).toBeGreaterThanOrEqual(3);
    for (const role of roles) {
      for (const rule of role.rules ?? []) {
        const where = `${role.kind}/${role.metadata.name}`;
        expect(rule.verbs, where).not.toContain('*');
        expect(rule.resources ?? [], where).not.toContain('*');
        expect(rule.nonResourceURLs ?? [], where).not.toContain('*');
        expect(rule.apiGroups ?? [], where).not.toContain('*');
        expect(rule.verbs, where).not.toContain('escalate');
        expect(rule.verbs, where).not.toContain('impersonate');
        if (rule.verbs?.includes('bind'))
          expect(rule.resourceNames?.length, `${where}: bind without resourceNames`).toBeGreaterThan(0);
      }
    }
    for (const binding of rendered.filter((o) => o.kind.endsWith('Binding')))
      expect(['cluster-admin', 'admin', 'edit']).not.toContain(binding.roleRef?.name);
  });

  it('lets the operator create tenant roles but nothing beyond its own permissions (impersonation)', async () => {
    const rbac = rendered.filter((o) => o.apiVersion.startsWith('rbac.') || o.kind === 'ServiceAccount');
    const applied = await kubectl(
      ['apply', '--server-side', '--field-manager=chart-test', '-f', '-'],
      rbac.map((o) => JSON.stringify(o)).join('\n'),
    );
    expect(applied.stderr).toBe('');
    const operator = ['--as', `system:serviceaccount:${ns.name}:chart-test-tessera-operator`, '-n', ns.name];
    const asOperator = (object: Record<string, unknown>) =>
      kubectl(
        [...operator, 'create', '-f', '-'],
        JSON.stringify({ metadata: { namespace: ns.name }, ...object }),
      );
    // the tenant-admin and compiler Roles exactly as the operator writes them
    const tenantAdmin = await asOperator({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'tessera:tenant-admin', namespace: ns.name },
      rules: roleRules('tenant-admin'),
    });
    const compiler = await asOperator({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'tessera:compiler', namespace: ns.name },
      rules: compilerRoleRules(),
    });
    expect(compiler.stderr).toBe('');
    // a review role (tessera:review:<role>), exactly as the operator writes it
    const review = await asOperator({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'tessera:review:compliance', namespace: ns.name },
      rules: reviewRoleRules('compliance'),
    });
    expect(review.stderr).toBe('');
    expect(tenantAdmin.stderr).toBe('');
    const binding = await kubectl([
      ...operator,
      'create',
      'rolebinding',
      'admins',
      '--role=tessera:tenant-admin',
      '--user=alice',
    ]);
    expect(binding.stderr).toBe('');
    const alice = await kubectl([
      'auth',
      'can-i',
      'approve',
      'miniprogramversions.tessera.dev',
      '--as=alice',
      '-n',
      ns.name,
    ]);
    expect(alice.stdout.trim()).toBe('yes');

    // anything the operator does not hold itself is refused: no escalation through RBAC objects
    const deployments = await asOperator({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'too-much' },
      rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['create'] }],
    });
    expect(deployments.stderr).toContain('forbidden');
    const admin = await kubectl([
      ...operator,
      'create',
      'rolebinding',
      'root',
      '--clusterrole=cluster-admin',
      '--user=mallory',
    ]);
    expect(admin.stderr).toContain('forbidden');
    const clusterRole = await kubectl([
      ...operator,
      'create',
      'clusterrole',
      'mine',
      '--verb=get',
      '--resource=pods',
    ]);
    expect(clusterRole.stderr).toContain('forbidden');
    const can = async (as: string[], ...args: string[]) =>
      (await kubectl([...as, 'auth', 'can-i', ...args])).stdout.trim();
    expect(await can(operator, 'create', 'deployments.apps')).toBe('no');
    expect(await can(operator, 'create', 'leases.coordination.k8s.io')).toBe('yes');
    expect(await can(operator, 'create', 'leases.coordination.k8s.io', '-n', 'kube-system')).toBe('no');
    // imported gray-rule user lists are plain ConfigMaps in tenant namespaces (metadata watched cluster-wide)
    expect(await can(operator, 'watch', 'configmaps', '-A')).toBe('yes');
    expect(await can(operator, 'get', 'configmaps', '-n', 'any-tenant')).toBe('yes');

    const store = ['--as', `system:serviceaccount:${ns.name}:chart-test-tessera-store`];
    expect(await can(store, 'patch', 'miniprogramversions.tessera.dev', '--subresource=status', '-A')).toBe(
      'yes',
    );
    expect(await can(store, 'create', 'tokenreviews.authentication.k8s.io')).toBe('yes');
    expect(await can(store, 'create', 'subjectaccessreviews.authorization.k8s.io')).toBe('yes');
    expect(await can(store, 'watch', 'configmaps', '-A')).toBe('yes');
    expect(await can(store, 'update', 'miniprogramversions.tessera.dev', '-A')).toBe('no');
    expect(await can(store, 'create', 'configmaps', '-A')).toBe('no');
  });

  it('hardens every container', () => {
    const workloads = rendered.filter((o) => o.kind === 'Deployment');
    expect(workloads).toHaveLength(2);
    for (const w of workloads) {
      const pod = (w.spec as { template: { spec: Record<string, unknown> } }).template.spec;
      const podSc = pod.securityContext as Record<string, unknown>;
      expect(podSc.runAsNonRoot).toBe(true);
      expect(podSc.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      const containers = [
        ...((pod.containers as Array<Record<string, unknown>>) ?? []),
        ...((pod.initContainers as Array<Record<string, unknown>>) ?? []),
      ];
      for (const c of containers) {
        const sc = c.securityContext as Record<string, unknown>;
        expect(sc.allowPrivilegeEscalation, `${w.metadata.name}/${c.name}`).toBe(false);
        expect(sc.readOnlyRootFilesystem).toBe(true);
        expect(sc.runAsNonRoot).toBe(true);
        expect(sc.capabilities).toEqual({ drop: ['ALL'] });
        expect(sc.seccompProfile).toEqual({ type: 'RuntimeDefault' });
        const resources = c.resources as {
          requests: Record<string, unknown>;
          limits: Record<string, unknown>;
        };
        expect(Object.keys(resources.requests)).toEqual(expect.arrayContaining(['cpu', 'memory']));
        expect(Object.keys(resources.limits)).toEqual(expect.arrayContaining(['cpu', 'memory']));
        expect(c.livenessProbe).toBeDefined();
        expect(c.readinessProbe).toBeDefined();
      }
    }
  });

  it('reads database and Redis URLs from the named Secrets', async () => {
    const { objects } = await render(ns.name, 'database.existingSecret=pg-prod', 'database.key=dsn');
    const store = objects.find((o) => o.kind === 'Deployment' && o.metadata.name.endsWith('-store'));
    const text = JSON.stringify(store);
    expect(text).toContain(
      '{"name":"DATABASE_URL","valueFrom":{"secretKeyRef":{"name":"pg-prod","key":"dsn"}}}',
    );
    expect(text).toContain(
      '{"name":"REDIS_URL","valueFrom":{"secretKeyRef":{"name":"tessera-redis","key":"url"}}}',
    );
  });

  it('renders the audit webhook: store token from the Secret, policy and kubeconfig for the API server', async () => {
    const off = JSON.stringify(
      rendered.find((o) => o.kind === 'Deployment' && o.metadata.name.endsWith('-store')),
    );
    expect(off).not.toContain('TESSERA_AUDIT_WEBHOOK_TOKEN');
    expect(off).toContain(`system:serviceaccount:${ns.name}:chart-test-tessera-store`);
    const { objects } = await render(
      ns.name,
      'auditWebhook.enabled=true',
      'auditWebhook.existingSecret=audit-token',
      'auditWebhook.url=https://store.example.com/',
    );
    const store = objects.find((o) => o.kind === 'Deployment' && o.metadata.name.endsWith('-store'));
    expect(JSON.stringify(store)).toContain(
      '{"name":"TESSERA_AUDIT_WEBHOOK_TOKEN","valueFrom":{"secretKeyRef":{"name":"audit-token","key":"token"}}}',
    );
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-audit-webhook')) as
      | (Rendered & { data: Record<string, string> })
      | undefined;
    expect(cm?.data['audit-policy.yaml']?.trim()).toBe(
      readFileSync(join(CHART, 'files', 'audit-policy.yaml'), 'utf8').trim(),
    );
    const kubeconfig = parse(cm?.data['webhook.kubeconfig'] ?? '') as {
      clusters: Array<{ cluster: { server: string } }>;
      users: Array<{ user: { token: string } }>;
    };
    expect(kubeconfig.clusters[0]?.cluster.server).toBe('https://store.example.com/v1/audit/kube-events');
    expect(kubeconfig.users[0]?.user.token).toBe('TOKEN_FROM_SECRET');
    const missing = await helm(['template', 'x', CHART, '--set', 'auditWebhook.enabled=true']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('auditWebhook.existingSecret is required');
    const plain = await helm([
      'template',
      'x',
      CHART,
      '--set',
      'auditWebhook.enabled=true',
      '--set',
      'auditWebhook.existingSecret=s',
      '--set',
      'auditWebhook.url=http://store',
    ]);
    expect(plain.code).not.toBe(0);
    expect(plain.stderr).toContain("at '/auditWebhook/url'");
  });

  it('renders a ServiceMonitor and a fixed replica count when asked', async () => {
    const { objects } = await render(
      ns.name,
      'serviceMonitor.enabled=true',
      'store.autoscaling.enabled=false',
      'store.replicas=3',
    );
    expect(objects.some((o) => o.kind === 'ServiceMonitor')).toBe(true);
    expect(objects.some((o) => o.kind === 'HorizontalPodAutoscaler')).toBe(false);
    const store = objects.find((o) => o.kind === 'Deployment' && o.metadata.name.endsWith('-store'));
    expect(store?.spec?.replicas).toBe(3);
  });

  it('the kind dev dependencies are valid and hold the Secrets the chart reads by default', async () => {
    const file = join(REPO_ROOT, 'charts', 'kind', 'dev-dependencies.yaml');
    const applied = await kubectl(['apply', '-n', ns.name, '--dry-run=server', '-f', file]);
    expect(applied.stderr).toBe('');
    const secrets = parseAllDocuments(readFileSync(file, 'utf8'))
      .map((d) => d.toJS() as Rendered & { stringData?: Record<string, string> })
      .filter((o) => o.kind === 'Secret');
    const values = parse((await helm(['show', 'values', CHART])).stdout) as Record<
      string,
      { existingSecret: string; key: string }
    >;
    for (const which of ['database', 'redis']) {
      const ref = values[which];
      const secret = secrets.find((x) => x.metadata.name === ref?.existingSecret);
      expect(secret?.stringData?.[ref?.key ?? '']).toMatch(/^(postgres|redis):\/\//);
    }
  });

  it('ships helm test hooks that ask the store and the operator whether they are ready', async () => {
    const hooks = rendered.filter((o) => o.kind === 'Pod') as Array<
      Rendered & { metadata: { annotations?: Record<string, string>; labels?: Record<string, string> } }
    >;
    expect(hooks.map((o) => o.metadata.name).sort()).toEqual([
      'chart-test-tessera-operator-test',
      'chart-test-tessera-store-test',
    ]);
    for (const pod of hooks) {
      expect(pod.metadata.annotations?.['helm.sh/hook']).toBe('test');
      expect(pod.metadata.labels?.['app.kubernetes.io/component']).toBe('helm-test');
      const spec = pod.spec as {
        containers: Array<{ securityContext: Record<string, unknown>; command: string[] }>;
      };
      for (const c of spec.containers) {
        expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
        expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
        expect(c.command[0]).toBe('node');
      }
    }
    // the operator's NetworkPolicy admits the test pods to the health port
    const policy = rendered.find(
      (o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'chart-test-tessera-operator',
    );
    expect(JSON.stringify(policy?.spec)).toContain('"app.kubernetes.io/component":"helm-test"');
  });

  it('runs the helm test scripts against a real store and operator: pass when ready, fail when not', async () => {
    const pods = rendered.filter((o) => o.kind === 'Pod');
    const script = (name: string) => {
      const pod = pods.find((o) => o.metadata.name === name);
      const c = (pod?.spec as { containers: Array<{ command: string[] }> } | undefined)?.containers[0];
      return c?.command ?? [];
    };
    const runHook = async (command: string[], env: Record<string, string>) => {
      try {
        await run(process.execPath, command.slice(1), { env: { ...process.env, ...env }, timeout: 30_000 });
        return 0;
      } catch (e) {
        return (e as { code?: number }).code ?? 1;
      }
    };
    const work = await mkdtemp(join(tmpdir(), 'helm-test-'));
    const storePort = await freePort();
    const store = startNodeService(
      'store',
      'services/store/src/main.ts',
      { HOST: '127.0.0.1', PORT: String(storePort), KUBERNETES: 'kubeconfig', KUBECONFIG: kubeconfigPath() },
      work,
    );
    const manager = new Manager({
      kubeConfig: loadKubeConfig(),
      logger: silentLogger,
      health: { host: '127.0.0.1', port: 0 },
    });
    try {
      await waitForHttpOk(store, `http://127.0.0.1:${storePort}/readyz`);
      await manager.start();
      const operatorUrl = `http://127.0.0.1:${serverPort(manager.server as NonNullable<typeof manager.server>)}`;
      expect(
        await runHook(script('chart-test-tessera-store-test'), {
          STORE_URL: `http://127.0.0.1:${storePort}`,
        }),
      ).toBe(0);
      expect(await runHook(script('chart-test-tessera-operator-test'), { OPERATOR_URL: operatorUrl })).toBe(
        0,
      );
      const nothing = `http://127.0.0.1:${await freePort()}`;
      expect(await runHook(script('chart-test-tessera-store-test'), { STORE_URL: nothing })).not.toBe(0);
      expect(await runHook(script('chart-test-tessera-operator-test'), { OPERATOR_URL: nothing })).not.toBe(
        0,
      );
    } finally {
      await manager.stop();
      await store.stop();
      await rm(work, { recursive: true, force: true });
    }
  }, 120_000);

  it('prints NOTES whose commands name real objects and whose Tenant the API server accepts', async () => {
    const r = await helm(['install', 'chart-test', CHART, '--namespace', ns.name, '--dry-run=client']);
    expect(r.code).toBe(0);
    const notes = r.stdout.slice(r.stdout.indexOf('NOTES:'));
    for (const name of ['deployment/chart-test-tessera-store', 'deployment/chart-test-tessera-operator']) {
      expect(notes).toContain(name);
      const [kind, objectName] = name.split('/');
      expect(rendered.some((o) => o.kind.toLowerCase() === kind && o.metadata.name === objectName)).toBe(
        true,
      );
    }
    expect(notes).toContain('service/chart-test-tessera-store 8080:80');
    expect(notes).toContain('helm test chart-test -n');
    expect(notes).toContain('--clusterrole=chart-test-tessera-metrics-reader');
    const heredoc = /<<'YAML'\n([\s\S]*?)\n\s*YAML\n/.exec(notes)?.[1];
    expect(heredoc).toBeDefined();
    const tenant = (heredoc ?? '').replace(/^ {2}/gm, '');
    const applied = await kubectl(['apply', '--server-side', '--dry-run=server', '-f', '-'], tenant);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('tenant.tessera.dev/demo serverside-applied (server dry run)');
  });

  it('renders alerts and a dashboard on metric names the operator and the store export', async () => {
    const { objects, text } = await render(
      ns.name,
      'prometheusRule.enabled=true',
      'grafanaDashboard.enabled=true',
      'serviceMonitor.enabled=true',
    );
    expect(objects.map((o) => o.kind)).toEqual(expect.arrayContaining(['PrometheusRule', 'ConfigMap']));
    expect(text).toContain('bearerTokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token');
    const known = new Set<string>(['up']);
    const operatorMetrics = new OperatorMetrics();
    operatorMetrics.collectProcessMetrics();
    for (const m of await operatorMetrics.registry.getMetricsAsJSON()) known.add(m.name);
    const storeSrc = join(REPO_ROOT, 'services', 'store', 'src');
    for (const f of await readdir(storeSrc, { recursive: true })) {
      if (!f.endsWith('.ts')) continue;
      for (const m of readFileSync(join(storeSrc, f), 'utf8').matchAll(/'(tessera_store_[a-z_]+)'/g))
        known.add(m[1] as string);
    }
    for (const p of ['process_resident_memory_bytes']) known.add(`tessera_store_${p}`);
    const rule = objects.find((o) => o.kind === 'PrometheusRule') as unknown as {
      spec: { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
    };
    const dashboard = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-dashboard'),
    ) as unknown as {
      data: Record<string, string>;
    };
    const panels = (
      JSON.parse(dashboard.data['tessera.json'] ?? '{}') as {
        panels: Array<{ targets?: Array<{ expr: string }> }>;
      }
    ).panels;
    const exprs = [
      ...rule.spec.groups.flatMap((g) => g.rules.map((x) => x.expr)),
      ...panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
    ];
    expect(exprs.length).toBeGreaterThan(20);
    const functions = new Set(['sum', 'rate', 'max', 'by', 'histogram_quantile', 'absent', 'increase', 'le']);
    for (const expr of exprs) {
      const names = (
        expr
          .replace(/\{[^}]*\}/g, '')
          .replace(/\[[^\]]*\]/g, '')
          .match(/[a-z_][a-z0-9_]*/g) ?? []
      ).filter(
        (n) =>
          !functions.has(n) &&
          !['controller', 'result', 'name', 'verb', 'route', 'status', 'keys', 'pod'].includes(n),
      );
      for (const n of names)
        expect(known, `${n} in ${expr}`).toContain(n.replace(/_(bucket|count|sum)$/, ''));
    }
  });

  it('exposes the store on a fixed nodePort only when asked', async () => {
    const { objects } = await render(ns.name, 'store.service.type=NodePort', 'store.service.nodePort=30080');
    expect(
      JSON.stringify(objects.find((o) => o.kind === 'Service' && o.metadata.name.endsWith('-store'))),
    ).toContain('"nodePort":30080');
    const r = await helm(['template', 'chart-test', CHART, '--set', 'store.service.nodePort=80']);
    expect(r.stderr).toContain("at '/store/service/nodePort'");
  });
});
