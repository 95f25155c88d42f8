/**
 * `make demo`: the whole platform on embedded defaults. A local control plane,
 * the operator, the store (PGlite unless TESSERA_DATABASE_URL is set; Redis
 * only if TESSERA_REDIS_URL is set), the pod runner playing kubelet, the example
 * bank pushed through the real pipeline, and a host page whose SDK launches the
 * mini-programs. Ctrl-C stops everything it started.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startCluster } from '../harness/cluster.ts';
import { REPO_ROOT, STATE_DIR } from '../harness/paths.ts';
import { startPlatform } from '../platform/index.ts';
import { allowPageOrigin, provisionBank } from './provision.ts';
import { startHostPage } from './server.ts';

const run = promisify(execFile);
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const say = (message: string) => console.log(`[${elapsed().padStart(7)}] ${message}`);
const stops: Array<() => Promise<void>> = [];
let stopping = false;
let failed = false;

/** Past this, whatever has not stopped is killed (the cluster's exit handler kills its processes). */
const STOP_DEADLINE_MS = 4000;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log('\nstopping everything the demo started…');
    const deadline = setTimeout(() => {
      console.log(`still stopping after ${STOP_DEADLINE_MS / 1000} s: killing what is left`);
      process.exit(code);
    }, STOP_DEADLINE_MS);
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    clearTimeout(deadline);
    console.log(`stopped in ${((Date.now() - stopRequested) / 1000).toFixed(1)} s`);
  }
  process.exit(code);
}
let stopRequested = 0;
const requestStop = () => {
  stopRequested ||= Date.now();
  void stopAll(0);
};
process.on('SIGINT', requestStop);
process.on('SIGTERM', requestStop);

try {
  await mkdir(STATE_DIR, { recursive: true });
  const workDir = await mkdtemp(join(STATE_DIR, 'demo-'));
  // Logs stay for a post-mortem when the demo fails; a clean Ctrl-C removes them.
  stops.push(() => (failed ? Promise.resolve() : rm(workDir, { recursive: true, force: true })));

  if (!existsSync(join(REPO_ROOT, 'runtime-sdk', 'dist', 'tessera-web.iife.js'))) {
    say('building the runtime SDK for the browser');
    await run('npm', ['run', 'build', '-w', 'runtime-sdk'], { cwd: REPO_ROOT });
  }

  const cluster = await startCluster({ log: (m) => say(m) });
  stops.push(cluster.stop);

  const databaseUrl = process.env.TESSERA_DATABASE_URL;
  say(
    databaseUrl
      ? 'store database: PostgreSQL from TESSERA_DATABASE_URL'
      : 'store database: embedded PGlite (set TESSERA_DATABASE_URL=postgres://… for PostgreSQL)',
  );

  const platform = await startPlatform({
    kubeconfig: cluster.kubeconfigPath,
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(process.env.TESSERA_REDIS_URL ? { redisUrl: process.env.TESSERA_REDIS_URL } : {}),
    workDir,
    log: (m) => say(m),
  });
  stops.push(platform.stop);

  const bank = await provisionBank({
    kubeconfig: cluster.kubeconfigPath,
    storeUrl: platform.storeUrl,
    log: say,
  });
  const sdkVersion = JSON.parse(
    await readFile(join(REPO_ROOT, 'runtime-sdk', 'package.json'), 'utf8'),
  ).version;
  const page = await startHostPage({
    bank,
    storeUrl: platform.storeUrl,
    sdkVersion,
    port: Number(process.env.TESSERA_DEMO_PORT ?? 8080),
  });
  stops.push(page.close);
  await allowPageOrigin({ kubeconfig: cluster.kubeconfigPath, storeUrl: platform.storeUrl }, page.url);
  say(`demo page ready: ${page.url}`);
  printGuide(page.url, cluster.kubeconfigPath, workDir);
} catch (error) {
  failed = true;
  stopRequested = Date.now();
  console.error(`\nmake demo failed: ${(error as Error).message}`);
  console.error(`logs of the operator, store and pods are kept in ${STATE_DIR}/demo-*`);
  await stopAll(1);
}

function printGuide(url: string, kubeconfig: string, workDir: string): void {
  console.log(`
Tessera is running. Open ${url} in a browser.
The page is the "Example Bank Mobile" host app: two phones run the transfer and branches
mini-programs. Sign in as another user or region to see the gray rule at work.

In another terminal:
  export KUBECONFIG=${kubeconfig}
  export PATH=${join(REPO_ROOT, 'bin')}:${join(REPO_ROOT, 'node_modules', '.bin')}:$PATH
  kubectl get tessera -n tessera-bank            # everything, with status columns
  kubectl tessera status transfer -n tessera-bank

Try, then press "Sign in as this user and relaunch" on the page:
  kubectl tessera promote transfer 1.1.0 -n tessera-bank
      → every user gets transfer v1.1.0 (the phone caption shows the version)
  kubectl tessera rollback transfer -n tessera-bank
      → back to v1.0.0 for users outside the gray rule
  kubectl tessera rollout transfer 1.1.0 --percent 50 --name transfer-half -n tessera-bank
      → about half of the user ids get v1.1.0; the same user always gets the same answer
  kubectl tessera suspend transfer --reason "maintenance" -n tessera-bank
      → the transfer phone shows that the mini-program is unavailable; resume brings it back
  kubectl describe mpv transfer-1.1.0 -n tessera-bank

Logs of the operator, store and compile pods: ${workDir}
Press Ctrl-C to stop everything.`);
}
