// Entry point of the compile Job container: `node services/compiler/src/job/main.ts`.
import { writeFile } from 'node:fs/promises';
import { ConfigError, loadConfig } from './config.ts';
import { serializeResult } from './result.ts';
import { EXIT_INFRA, runCompileJob } from './run.ts';

function log(event: string, fields: Record<string, unknown>): void {
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: event, ...fields })}\n`,
  );
}

async function main(): Promise<number> {
  const terminationLog = process.env.TESSERA_TERMINATION_LOG ?? '/dev/termination-log';
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    const message = e instanceof ConfigError ? e.message : String(e);
    log('config.invalid', { message });
    await writeFile(
      terminationLog,
      serializeResult({ ok: false, kind: 'infra', message: `compile job misconfigured: ${message}` }),
    ).catch(() => {});
    return EXIT_INFRA;
  }
  const { exitCode, result } = await runCompileJob(config, { log });
  try {
    await writeFile(config.terminationLog, serializeResult(result));
  } catch (e) {
    log('termination-log.unwritable', { path: config.terminationLog, message: (e as Error).message });
  }
  return exitCode;
}

process.exitCode = await main();
