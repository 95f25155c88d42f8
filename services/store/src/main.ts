// Entrypoint: configuration from the environment (validated), then startStore.

import { KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';
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
});

const parsed = Env.safeParse(process.env);
if (!parsed.success) {
  console.error(
    `invalid store configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
  );
  process.exit(2);
}
const env = parsed.data;
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
