export { type AuditWebhook, auditWebhookKubeconfig } from './audit.ts';
export {
  type Cluster,
  installCustomResourceDefinitions,
  type StartOptions,
  startCluster,
} from './cluster.ts';
export { CRD_DIR, REPO_ROOT, tool, toolsDir } from './paths.ts';
