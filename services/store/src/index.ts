export { appendAudit, verifyAudit } from './audit/chain.ts';
export type { KubeAuthorizer, KubeUser } from './auth/kube.ts';
export { ensureTenantSchema, tenantSchema } from './db/migrations.ts';
export { ReleaseState } from './release/state.ts';
export { type Store, type StoreOptions, startStore } from './store.ts';
