import { COMMANDS, type CommandSpec, GLOBAL_OPTIONS, type OptionSpec } from './args.ts';

export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  usage error: unknown command or flag, missing or malformed argument
  2  your input was rejected: compile errors, invalid or immutable version, missing object,
     a promote/rollback refused because the version is not Compiled and Approved
  3  infrastructure or permission problem: API server or store unreachable, 401/403, 5xx
  4  timed out waiting (push --timeout)`;

function optionLines(options: Record<string, OptionSpec>): string[] {
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`;
    return [flag, o.description] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length));
  return rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`);
}

export function commandUsage(c: CommandSpec): string {
  const required = (c.required ?? []).map(
    (r) => `--${r} <${c.options[r]?.value?.replace(/[<>]/g, '') ?? r}>`,
  );
  return `kubectl tessera ${c.name} ${[...c.positionals.map((p) => `<${p}>`), ...required].join(' ')} [flags]`;
}

export function commandHelp(c: CommandSpec): string {
  return [
    `${c.summary}.`,
    '',
    `Usage: ${commandUsage(c)}`,
    ...(Object.keys(c.options).length > 0 ? ['', 'Flags:', ...optionLines(c.options)] : []),
    '',
    'Global flags:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    EXIT_CODES_HELP,
    '',
  ].join('\n');
}

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'kubectl tessera: ship and release Tessera mini-programs (also runnable as "tessera").',
    '',
    'Usage: kubectl tessera <command> [arguments] [flags]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global flags (every command):',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'It uses your kubeconfig and RBAC like kubectl. Progress goes to stderr; results to stdout.',
    'Run "kubectl tessera <command> --help" for a command\'s flags.',
    '',
    EXIT_CODES_HELP,
    '',
  ].join('\n');
}
