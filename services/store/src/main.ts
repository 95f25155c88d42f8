// Entrypoint: configuration from the environment (validated), then startStore.

import { KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';
import { superviseWorkers } from './cluster.ts';
import { startStore } from './store.ts';

const Env = z.object({
  /** absent: embedded PGlite (single replica); PGLITE_DIR persists it */
  DATABASE_URL: z.string().url('DATABASE_URL must be a postgres:// URL').optional(),
  PGLITE_DIR: z.string().optional(),
  REDIS_URL: z.string().url().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  STORE_ROUTE_GROUPS: z.string().default('device,ci,admin'),
  KUBERNETES: z.enum(['in-cluster', 'kubeconfig', 'off']).default('kubeconfig'),
  /** the store's finalizer on Tenants: their data is dropped before they are deleted */
  TENANT_FINALIZER: z.enum(['true', 'false']).default('true'),
  /** worker processes sharing the port (node:cluster); each is a full replica */
  STORE_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
});

const parsed = Env.safeParse(process.env);
if (!parsed.success) {
  console.error(
    `invalid store configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
  );
  process.exit(2);
}
const env = parsed.data;
if (env.STORE_WORKERS > 1 && (!env.DATABASE_URL || !env.REDIS_URL)) {
  console.error(
    'invalid store configuration: STORE_WORKERS > 1 needs DATABASE_URL and REDIS_URL (workers are replicas; the embedded stand-ins are single-replica only)',
  );
  process.exit(2);
}
// With STORE_WORKERS > 1 this process only supervises; the workers it forks run the store.
const supervisor =
  env.STORE_WORKERS > 1
    ? superviseWorkers(env.STORE_WORKERS, (message, fields) =>
        console.log(JSON.stringify({ level: 40, service: 'tessera-store', msg: message, ...fields })),
      )
    : null;
if (supervisor) {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => void supervisor.stop().then(() => process.exit(0)));
  }
} else {
  await runStore();
}

async function runStore(): Promise<void> {
  let kubeConfig: KubeConfig | undefined;
  if (env.KUBERNETES !== 'off') {
    kubeConfig = new KubeConfig();
    if (env.KUBERNETES === 'in-cluster') kubeConfig.loadFromCluster();
    else kubeConfig.loadFromDefault();
  }
  const groups = env.STORE_ROUTE_GROUPS.split(',').map((g) => g.trim()) as ('device' | 'ci' | 'admin')[];
  const store = await startStore({
    databaseUrl: env.DATABASE_URL,
    embeddedDataDir: env.PGLITE_DIR,
    redisUrl: env.REDIS_URL,
    kubeConfig,
    tenantFinalizer: env.TENANT_FINALIZER === 'true',
    host: env.HOST,
    port: env.PORT,
    groups,
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      void store.close().then(() => process.exit(0));
    });
  }
}
