/**
 * `make cluster-up` / `make cluster-down`: a harness control plane a person can
 * point kubectl at. Usage: node e2e/src/harness/cli.ts up|down|status
 */
import { findDetachedCluster, startCluster, stopDetachedClusters } from './cluster.ts';

const command = process.argv[2];
if (command === 'up') {
  const existing = await findDetachedCluster();
  if (existing) {
    console.error('a cluster started by make cluster-up is already running');
    console.log(`export KUBECONFIG=${existing.kubeconfigPath}`);
  } else {
    const started = Date.now();
    const cluster = await startCluster({ detached: true, log: (m) => console.error(`  ${m}`) });
    console.error(`control plane ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(`export KUBECONFIG=${cluster.kubeconfigPath}`);
  }
} else if (command === 'down') {
  const n = await stopDetachedClusters();
  console.log(n > 0 ? `stopped ${n} cluster(s)` : 'no cluster running');
} else if (command === 'status') {
  const existing = await findDetachedCluster();
  console.log(existing ? `running: export KUBECONFIG=${existing.kubeconfigPath}` : 'no cluster running');
  process.exitCode = existing ? 0 : 1;
} else {
  console.error('usage: node e2e/src/harness/cli.ts up|down|status');
  process.exitCode = 2;
}
