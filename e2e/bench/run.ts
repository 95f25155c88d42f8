// `npm run bench -w e2e`: the benchmarks that need a browser or a control plane, one after the
// other (each is bounded and prints its own figures and same-run baseline).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
let failed = 0;
for (const bench of ['sdk.ts', join('operator', 'operator-bench.ts')]) {
  console.log(`\n=== e2e/bench/${bench}`);
  const r = spawnSync(process.execPath, [join(here, bench)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
