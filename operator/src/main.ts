// Operator entrypoint: configuration from the environment (validated), SIGTERM/SIGINT graceful
// shutdown (finish in-flight reconciles, release the lease), exit 1 on lost leadership so the
// Deployment restarts the pod as a fresh standby.
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger, DEFAULT_CLIENT_RATE_LIMIT } from '@tessera/controller-runtime';
import { z } from 'zod';
import { storeArtifactReader } from './controllers/artifact-evidence.ts';
import { createOperator, DEFAULT_WORKERS } from './operator.ts';

const EnvSchema = z.object({
  TESSERA_STORE_URL: z.url({
    message: 'TESSERA_STORE_URL must be the store base URL, e.g. http://tessera-store:8080',
  }),
  // the operator's own token, sent to the store to read artifacts (projected tokens rotate: read per use)
  TESSERA_STORE_TOKEN_FILE: z.string().min(1).default('/var/run/secrets/kubernetes.io/serviceaccount/token'),
  TESSERA_OPERATOR_NAMESPACE: z.string().min(1).default('tessera-system'),
  TESSERA_LEASE_NAME: z.string().min(1).default('tessera-operator'),
  TESSERA_LEADER_ELECTION: z.enum(['true', 'false']).default('true'),
  TESSERA_LEASE_DURATION_MS: z.coerce.number().int().min(1000).default(15_000),
  TESSERA_RENEW_DEADLINE_MS: z.coerce.number().int().min(500).default(10_000),
  TESSERA_RETRY_PERIOD_MS: z.coerce.number().int().min(100).default(2_000),
  TESSERA_HEALTH_ADDR: z
    .string()
    .regex(/^[^:]*:\d+$/, 'TESSERA_HEALTH_ADDR must be host:port, e.g. 0.0.0.0:8081')
    .default('0.0.0.0:8081'),
  TESSERA_METRICS_AUTH: z.enum(['true', 'false']).default('false'),
  TESSERA_WORKERS: z.coerce.number().int().min(1).max(256).default(DEFAULT_WORKERS),
  TESSERA_CLIENT_QPS: z.coerce.number().min(0).default(DEFAULT_CLIENT_RATE_LIMIT.qps),
  TESSERA_CLIENT_BURST: z.coerce.number().int().min(1).default(DEFAULT_CLIENT_RATE_LIMIT.burst),
  TESSERA_SELECTOR: z.string().optional(),
  TESSERA_COMPILER_IMAGE: z.string().optional(),
  TESSERA_RESYNC_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(10 * 60_000),
  TESSERA_WATCH_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(300),
  TESSERA_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  POD_NAME: z.string().optional(),
  KUBECONFIG: z.string().optional(),
});

const parsed = EnvSchema.safeParse(process.env);
if (!parsed.success) {
  for (const issue of parsed.error.issues)
    console.error(`invalid configuration: ${issue.path.join('.')}: ${issue.message}`);
  process.exit(2);
}
const env = parsed.data;
const log = createLogger({ level: env.TESSERA_LOG_LEVEL, base: { component: 'tessera-operator' } });
const kc = new KubeConfig();
if (env.KUBECONFIG) kc.loadFromFile(env.KUBECONFIG);
else kc.loadFromCluster();

const [host, port] = [
  env.TESSERA_HEALTH_ADDR.slice(0, env.TESSERA_HEALTH_ADDR.lastIndexOf(':')),
  env.TESSERA_HEALTH_ADDR.slice(env.TESSERA_HEALTH_ADDR.lastIndexOf(':') + 1),
];
const operator = createOperator({
  kubeConfig: kc,
  logger: log,
  identity: env.POD_NAME ?? `${hostname()}-${process.pid}`,
  storeUrl: env.TESSERA_STORE_URL,
  artifacts: storeArtifactReader(env.TESSERA_STORE_URL, async () => {
    try {
      return (await readFile(env.TESSERA_STORE_TOKEN_FILE, 'utf8')).trim();
    } catch (e) {
      throw new Error(
        `TESSERA_STORE_TOKEN_FILE ${env.TESSERA_STORE_TOKEN_FILE} is unreadable (${(e as Error).message}); the operator reads artifacts from the store with it`,
      );
    }
  }),
  compilerImage: env.TESSERA_COMPILER_IMAGE,
  workers: env.TESSERA_WORKERS,
  // QPS 0 turns the client-side limit off (the API server's priority and fairness still applies).
  clientRateLimit:
    env.TESSERA_CLIENT_QPS > 0 ? { qps: env.TESSERA_CLIENT_QPS, burst: env.TESSERA_CLIENT_BURST } : false,
  selector: env.TESSERA_SELECTOR,
  health: {
    host: host || '0.0.0.0',
    port: Number(port),
    authenticateMetrics: env.TESSERA_METRICS_AUTH === 'true',
  },
  informer: { resyncMs: env.TESSERA_RESYNC_MS, watchTimeoutSeconds: env.TESSERA_WATCH_TIMEOUT_SECONDS },
  leaderElection:
    env.TESSERA_LEADER_ELECTION === 'true'
      ? {
          namespace: env.TESSERA_OPERATOR_NAMESPACE,
          name: env.TESSERA_LEASE_NAME,
          leaseDurationMs: env.TESSERA_LEASE_DURATION_MS,
          renewDeadlineMs: env.TESSERA_RENEW_DEADLINE_MS,
          retryPeriodMs: env.TESSERA_RETRY_PERIOD_MS,
        }
      : undefined,
});

operator.manager.metrics.collectProcessMetrics();

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info('signal received; shutting down gracefully', { signal });
  const force = setTimeout(() => process.exit(1), 30_000);
  force.unref();
  void operator.stop().then(() => process.exit(0));
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

await operator.start(() => {
  log.error('leadership lost; exiting so a fresh standby can take over');
  void operator.stop().finally(() => process.exit(1));
});
