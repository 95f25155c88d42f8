/**
 * The local pod runner as a command:
 *   node e2e/src/podrunner/cli.ts [--kubeconfig PATH] [--node-name NAME] [--work-dir DIR]
 *       [--image-map FILE.json] [--namespace NS]... [--no-bind]
 * Defaults: $KUBECONFIG, node "tessera-local", work dir under the OS temp dir, the built-in image
 * map (tessera/compiler* → the compile-job entrypoint). Stops on SIGINT/SIGTERM, killing its
 * processes and deleting its Node.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_IMAGE_MAP, loadImageMap } from './image-map.ts';
import { startPodRunner } from './runner.ts';

const USAGE =
  'usage: node e2e/src/podrunner/cli.ts [--kubeconfig PATH] [--node-name NAME] [--work-dir DIR] ' +
  '[--image-map FILE.json] [--namespace NS]... [--no-bind]';

async function main(): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse().values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const kubeconfig = values.kubeconfig ?? process.env.KUBECONFIG;
  if (!kubeconfig) {
    console.error(`no kubeconfig: pass --kubeconfig or set KUBECONFIG\n${USAGE}`);
    return 2;
  }
  const imageMap = values['image-map'] ? await loadImageMap(values['image-map']) : DEFAULT_IMAGE_MAP;
  const runner = await startPodRunner({
    kubeconfig,
    nodeName: values['node-name'] ?? 'tessera-local',
    workDir: values['work-dir'] ?? join(tmpdir(), 'tessera-podrunner'),
    imageMap,
    bind: {
      disabled: values['no-bind'] ?? false,
      ...(values.namespace ? { namespaces: values.namespace } : {}),
    },
    log: (message, fields) =>
      console.log(JSON.stringify({ time: new Date().toISOString(), message, ...fields })),
  });
  console.error(`pod runner: node ${runner.nodeName} is Ready; Ctrl-C stops it`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await runner.stop();
  return 0;
}

function parse() {
  return parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      'node-name': { type: 'string' },
      'work-dir': { type: 'string' },
      'image-map': { type: 'string' },
      namespace: { type: 'string', multiple: true },
      'no-bind': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
}

process.exitCode = await main().catch((error: unknown) => {
  console.error(`pod runner: ${(error as Error).message}`);
  return 1;
});
