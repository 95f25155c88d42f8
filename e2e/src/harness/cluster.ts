import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { installAdmissionPolicies } from './admission.ts';
import { type AuditFront, type AuditWebhook, startAuditWebhook } from './audit.ts';
import { generateCerts, kubeconfigYaml } from './certs.ts';
import { CRD_DIR, STATE_DIR, tool } from './paths.ts';
import { freePort, isAlive, killPidsNow, sleep, startProcess, stopPids } from './processes.ts';

const run = promisify(execFile);

export interface Cluster {
  /** Directory with certificates, data, logs and kubeconfigs; removed by stop(). */
  dir: string;
  /** Admin (system:masters) kubeconfig. */
  kubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  server: string;
  pids: number[];
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Run kube-controller-manager (Jobs, garbage collection, namespaces, service accounts). Default true. */
  controllerManager?: boolean;
  /** Apply crds/manifests and wait for Established. Default true. */
  installCrds?: boolean;
  /** Keep the processes running after this process exits (`make cluster-up`). Default false. */
  detached?: boolean;
  /** Send the API server's audit events (chart policy, batch mode) to a store. Default: off. Not with detached (the TLS front lives in this process). */
  auditWebhook?: AuditWebhook;
  /** Progress messages. */
  log?: (message: string) => void;
}

interface ClusterState {
  dir: string;
  kubeconfigPath: string;
  server: string;
  pids: number[];
  ownerPid: number;
  detached: boolean;
}

const CLUSTERS_DIR = join(STATE_DIR, 'clusters');

// Controllers the platform relies on; cloud, node and volume controllers are left out.
const CONTROLLERS = [
  'job-controller',
  'garbage-collector-controller',
  'namespace-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'resourcequota-controller',
  'ttl-after-finished-controller',
  'replicaset-controller',
  'deployment-controller',
  'root-ca-certificate-publisher-controller',
  'pod-garbage-collector-controller',
  'disruption-controller',
];

/**
 * Starts etcd, kube-apiserver and (optionally) kube-controller-manager on
 * loopback with random free ports and fresh certificates, writes an admin
 * kubeconfig and installs the Tessera CRDs.
 */
export async function startCluster(options: StartOptions = {}): Promise<Cluster> {
  const { controllerManager = true, installCrds = true, detached = false } = options;
  const log = options.log ?? (() => {});
  await reapStaleClusters();
  await mkdir(CLUSTERS_DIR, { recursive: true });
  const dir = await mkdtemp(join(CLUSTERS_DIR, 'c-'));
  const pids: number[] = [];
  const state: ClusterState = {
    dir,
    kubeconfigPath: join(dir, 'admin.kubeconfig'),
    server: '',
    pids,
    ownerPid: process.pid,
    detached,
  };
  const saveState = () => writeFile(join(dir, 'cluster.json'), JSON.stringify(state, null, 2));
  const onExit = () => killPidsNow(pids);
  if (!detached) process.on('exit', onExit);

  let auditFront: AuditFront | undefined;
  const stop = async () => {
    process.off('exit', onExit);
    await stopPids(pids);
    await auditFront?.close();
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const etcdBin = tool('etcd');
    const apiserverBin = tool('kube-apiserver');
    const [certs, etcdPort, peerPort, apiPort, kcmPort] = await Promise.all([
      generateCerts(dir),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    if (options.auditWebhook) auditFront = await startAuditWebhook(dir, certs, options.auditWebhook);
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const etcd = startProcess(
      etcdBin,
      [
        '--name=harness',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=harness=${peerUrl}`,
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ],
      join(dir, 'etcd.log'),
      detached,
    );
    pids.push(etcd.pid!);
    await saveState();
    log(`etcd on ${etcdUrl}`);

    state.server = `https://127.0.0.1:${apiPort}`;
    const apiserver = startProcess(
      apiserverBin,
      [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        `--cert-dir=${join(dir, 'apiserver-certs')}`,
        `--tls-cert-file=${certs.servingCert}`,
        `--tls-private-key-file=${certs.servingKey}`,
        `--client-ca-file=${certs.caCert}`,
        `--service-account-key-file=${certs.serviceAccountPub}`,
        `--service-account-signing-key-file=${certs.serviceAccountKey}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        '--service-cluster-ip-range=10.0.0.0/24',
        '--authorization-mode=RBAC',
        '--allow-privileged=true',
        '--enable-priority-and-fairness=false',
        '--endpoint-reconciler-type=none',
        '--profiling=false',
        '--v=0',
        ...(auditFront?.flags ?? []),
      ],
      join(dir, 'kube-apiserver.log'),
      detached,
    );
    pids.push(apiserver.pid!);
    await saveState();

    await writeFile(
      state.kubeconfigPath,
      kubeconfigYaml(state.server, certs.caCert, certs.adminCert, certs.adminKey, 'tessera-admin'),
    );
    await waitForReady(state.server, certs, () => [etcd.exitCode, apiserver.exitCode], dir);
    log(`kube-apiserver on ${state.server}`);

    // CRDs first: the controller manager's quota and garbage-collector discovery then sees
    // them at start instead of on a later resync (until then, quota status stays unknown).
    if (installCrds) {
      await installCustomResourceDefinitions(state.kubeconfigPath);
      await installAdmissionPolicies(state.kubeconfigPath);
      log('CRDs established');
    }

    if (controllerManager) {
      const kcmKubeconfig = join(dir, 'kcm.kubeconfig');
      await writeFile(
        kcmKubeconfig,
        kubeconfigYaml(
          state.server,
          certs.caCert,
          certs.controllerManagerCert,
          certs.controllerManagerKey,
          'system:kube-controller-manager',
        ),
      );
      const kcm = startProcess(
        tool('kube-controller-manager'),
        [
          `--kubeconfig=${kcmKubeconfig}`,
          `--authentication-kubeconfig=${kcmKubeconfig}`,
          `--authorization-kubeconfig=${kcmKubeconfig}`,
          '--bind-address=127.0.0.1',
          `--secure-port=${kcmPort}`,
          `--cert-dir=${join(dir, 'kcm-certs')}`,
          '--leader-elect=false',
          `--controllers=${CONTROLLERS.join(',')}`,
          `--service-account-private-key-file=${certs.serviceAccountKey}`,
          `--root-ca-file=${certs.caCert}`,
          '--use-service-account-credentials=false',
          '--concurrent-job-syncs=10',
          '--concurrent-gc-syncs=20',
          '--resource-quota-sync-period=15s',
          '--profiling=false',
          '--v=0',
        ],
        join(dir, 'kube-controller-manager.log'),
        detached,
      );
      pids.push(kcm.pid!);
      await saveState();
      log('kube-controller-manager started');
    }

    return { dir, kubeconfigPath: state.kubeconfigPath, server: state.server, pids, stop };
  } catch (error) {
    const logs = await tailLogs(dir);
    await stop();
    throw new Error(`control plane failed to start: ${(error as Error).message}\n${logs}`);
  }
}

/** Applies crds/manifests with server-side apply and waits until the API server serves them. */
export async function installCustomResourceDefinitions(kubeconfig: string): Promise<void> {
  const kubectl = tool('kubectl');
  await run(kubectl, [
    '--kubeconfig',
    kubeconfig,
    'apply',
    '--server-side',
    '--force-conflicts',
    '-f',
    CRD_DIR,
  ]);
  await run(kubectl, [
    '--kubeconfig',
    kubeconfig,
    'wait',
    '--for=condition=Established',
    'crd',
    '-l',
    'app.kubernetes.io/name=tessera',
    '--timeout=60s',
  ]);
}

async function waitForReady(
  server: string,
  certs: { caCert: string; adminCert: string; adminKey: string },
  exitCodes: () => Array<number | null>,
  dir: string,
): Promise<void> {
  const [ca, cert, key] = await Promise.all([
    readFile(certs.caCert),
    readFile(certs.adminCert),
    readFile(certs.adminKey),
  ]);
  const deadline = Date.now() + 90_000;
  let last = '';
  while (Date.now() < deadline) {
    if (exitCodes().some((c) => c !== null))
      throw new Error(`a control plane process exited (logs in ${dir})`);
    last = await new Promise<string>((resolve) => {
      const req = request(`${server}/readyz`, { ca, cert, key, timeout: 2000 }, (res) => {
        res.resume();
        resolve(String(res.statusCode));
      });
      req.on('error', (e) => resolve(e.message));
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.end();
    });
    if (last === '200') return;
    await sleep(100);
  }
  throw new Error(`kube-apiserver not ready after 90 s (last answer: ${last})`);
}

async function tailLogs(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const name of ['etcd.log', 'kube-apiserver.log', 'kube-controller-manager.log']) {
    const text = await readFile(join(dir, name), 'utf8').catch(() => '');
    if (text) parts.push(`--- ${name} (last lines)\n${text.split('\n').slice(-15).join('\n')}`);
  }
  return parts.join('\n');
}

/** Stops clusters whose owning process died without cleaning up (a killed test run). */
export async function reapStaleClusters(): Promise<void> {
  if (!existsSync(CLUSTERS_DIR)) return;
  for (const name of await readdir(CLUSTERS_DIR)) {
    const state = await readState(join(CLUSTERS_DIR, name));
    if (!state || state.detached || isAlive(state.ownerPid)) continue;
    await stopPids(state.pids);
    await rm(state.dir, { recursive: true, force: true });
  }
}

/**
 * Stops the detached clusters of this checkout (`make cluster-up`). Clusters owned by a
 * running process (a test run, the demo) are left to their owner.
 */
export async function stopDetachedClusters(): Promise<number> {
  if (!existsSync(CLUSTERS_DIR)) return 0;
  let stopped = 0;
  for (const name of await readdir(CLUSTERS_DIR)) {
    const dir = join(CLUSTERS_DIR, name);
    const state = await readState(dir);
    if (state && !state.detached && isAlive(state.ownerPid)) continue;
    if (state) {
      await stopPids(state.pids);
      stopped++;
    }
    await rm(dir, { recursive: true, force: true });
  }
  return stopped;
}

/** The most recent detached cluster, if one is running. */
export async function findDetachedCluster(): Promise<ClusterState | undefined> {
  if (!existsSync(CLUSTERS_DIR)) return undefined;
  for (const name of await readdir(CLUSTERS_DIR)) {
    const state = await readState(join(CLUSTERS_DIR, name));
    if (state?.detached && state.pids.every(isAlive)) return state;
  }
  return undefined;
}

async function readState(dir: string): Promise<ClusterState | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}
