/**
 * The whole platform on one machine, wired as in a cluster: the store and the
 * operator run as their own Node processes (as they would in pods), and the
 * local pod runner plays kubelet so compile Jobs run for real. Used by
 * `make demo` and by the end-to-end tests.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { freePort } from '../harness/processes.ts';
import { type PodRunner, startPodRunner } from '../podrunner/index.ts';
import { writeOperatorStoreToken } from './operator-token.ts';
import { type ServiceProcess, startNodeService, waitForHttpOk } from './services.ts';

export interface PlatformOptions {
  /** Admin kubeconfig of the cluster (the harness's, or a real one). */
  kubeconfig: string;
  /** PostgreSQL URL for the store; without it the store runs on its embedded PGlite. */
  databaseUrl?: string;
  /** Redis URL; without it the store uses its single-replica in-process stand-ins. */
  redisUrl?: string;
  /** Logs and pod directories. */
  workDir: string;
  /** Namespace of the operator's leader-election Lease. */
  systemNamespace?: string;
  log?: (message: string) => void;
}

export interface Platform {
  storeUrl: string;
  operatorHealthUrl: string;
  store: ServiceProcess;
  operator: ServiceProcess;
  podRunner: PodRunner;
  stop(): Promise<void>;
}

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const log = options.log ?? (() => {});
  const systemNamespace = options.systemNamespace ?? 'tessera-system';
  const logDir = join(options.workDir, 'logs');
  await mkdir(logDir, { recursive: true });
  await ensureNamespace(options.kubeconfig, systemNamespace);

  const [storePort, operatorPort] = await Promise.all([freePort(), freePort()]);
  const storeUrl = `http://127.0.0.1:${storePort}`;
  const started: Array<{ stop(): Promise<void> }> = [];
  // The components do not depend on each other to stop (each needs only the API server, which
  // the caller stops after this), so they stop side by side: shutdown takes the slowest one.
  const stopAll = async () => {
    await Promise.all(started.splice(0).map((s) => s.stop().catch(() => undefined)));
  };
  try {
    const store = startNodeService(
      'store',
      'services/store/src/main.ts',
      {
        ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
        ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
        HOST: '127.0.0.1',
        PORT: String(storePort),
        KUBERNETES: 'kubeconfig',
        KUBECONFIG: options.kubeconfig,
      },
      logDir,
    );
    started.push(store);
    await waitForHttpOk(store, `${storeUrl}/healthz`);
    log(`store on ${storeUrl}`);

    const operatorHealthUrl = `http://127.0.0.1:${operatorPort}`;
    const operatorToken = join(logDir, 'operator-store-token');
    await writeOperatorStoreToken(options.kubeconfig, systemNamespace, operatorToken);
    const operator = startNodeService(
      'operator',
      'operator/src/main.ts',
      {
        KUBECONFIG: options.kubeconfig,
        TESSERA_STORE_URL: storeUrl,
        TESSERA_STORE_TOKEN_FILE: operatorToken,
        TESSERA_OPERATOR_NAMESPACE: systemNamespace,
        TESSERA_HEALTH_ADDR: `127.0.0.1:${operatorPort}`,
      },
      logDir,
    );
    started.push(operator);
    await waitForHttpOk(operator, `${operatorHealthUrl}/healthz`);
    log('operator started');

    const podRunner = await startPodRunner({
      kubeconfig: options.kubeconfig,
      nodeName: 'tessera-local',
      workDir: join(options.workDir, 'pods'),
    });
    started.push(podRunner);
    log('pod runner registered node tessera-local');

    return { storeUrl, operatorHealthUrl, store, operator, podRunner, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function ensureNamespace(kubeconfig: string, name: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  try {
    await core.createNamespace({ body: { metadata: { name } } });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
}
