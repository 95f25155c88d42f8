// Entry point of kubectl-tessera: parse, run one command, map every failure to a documented
// exit code and a one-paragraph message on stderr.

import { readFileSync } from 'node:fs';
import { parseCommandLine } from './args.ts';
import type { CommandContext } from './context.ts';
import { CliError, EXIT } from './errors.ts';
import { commandHelp, mainHelp } from './help.ts';
import { type Io, processIo } from './io.ts';

type Handler = (ctx: CommandContext) => Promise<void>;

// Loaded on demand: the Kubernetes client costs half a second to import, which --help and usage
// errors should not pay.
const HANDLERS: Record<string, () => Promise<Handler>> = {
  push: async () => (await import('./commands/push.ts')).push,
  approve: async () => (await import('./commands/approve.ts')).approve,
  reject: async () => (await import('./commands/approve.ts')).reject,
  promote: async () => (await import('./commands/release.ts')).promote,
  rollback: async () => (await import('./commands/release.ts')).rollback,
  rollout: async () => (await import('./commands/rollout.ts')).rollout,
  suspend: async () => (await import('./commands/suspend.ts')).suspend,
  resume: async () => (await import('./commands/suspend.ts')).resume,
  abort: async () => (await import('./commands/abort.ts')).abort,
  retry: async () => (await import('./commands/abort.ts')).retry,
  status: async () => (await import('./commands/status.ts')).status,
  completion: async () => (await import('./commands/completion.ts')).completion,
  audit: async () => (await import('./commands/audit.ts')).audit,
  logs: async () => (await import('./commands/logs.ts')).logs,
  compat: async () => (await import('./commands/compat.ts')).compat,
  'rotate-credentials': async () => (await import('./commands/credentials.ts')).rotateCredentials,
};

function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? 'unknown';
}

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  if (argv[0] === '__complete') {
    const [{ answerCompletion }, { clusterLookup }] = await Promise.all([
      import('./commands/completion.ts'),
      import('./completion-lookup.ts'),
    ]);
    await answerCompletion(argv.slice(1), io, clusterLookup(argv.slice(1)));
    return EXIT.ok;
  }
  try {
    const parsed = parseCommandLine(argv);
    if (parsed.kind === 'help') {
      io.stdout(parsed.command ? commandHelp(parsed.command) : mainHelp());
      return EXIT.ok;
    }
    if (parsed.kind === 'version') {
      io.stdout(`kubectl-tessera ${cliVersion()}\n`);
      return EXIT.ok;
    }
    const load = HANDLERS[parsed.parsed.command.name];
    if (!load) throw new CliError(EXIT.usage, `command ${parsed.parsed.command.name} is not implemented`);
    const [handler, { CommandContext }] = await Promise.all([load(), import('./context.ts')]);
    await handler(new CommandContext(parsed.parsed, io));
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CliError) {
      io.stderr(`error: ${e.message}\n`);
      if (e.exitCode === EXIT.usage) io.stderr('run "kubectl tessera --help" for usage\n');
      return e.exitCode;
    }
    io.stderr(`error: unexpected failure: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT.infra;
  }
}
