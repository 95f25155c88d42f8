// Command-line parsing: a table of commands with their positionals and flags, parsed with
// node:util parseArgs in strict mode so a typo is a usage error, never silently ignored.

import { parseArgs } from 'node:util';
import { usageError } from './errors.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Shown in help, e.g. "<semver>". */
  value?: string;
  description: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Positional argument names in order; all are required. */
  positionals: string[];
  options: Record<string, OptionSpec>;
  /** Options that must be given. */
  required?: string[];
}

export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  kubeconfig: {
    type: 'string',
    value: '<path>',
    description: 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)',
  },
  context: { type: 'string', value: '<name>', description: 'kubeconfig context to use' },
  namespace: {
    type: 'string',
    short: 'n',
    value: '<ns>',
    description: 'namespace (default: the context namespace)',
  },
  output: {
    type: 'string',
    short: 'o',
    value: 'table|wide|json|yaml',
    description: 'output format (wide: tables with more columns)',
  },
  'store-url': {
    type: 'string',
    value: '<url>',
    description: 'store base URL (default: $TESSERA_STORE_URL, then discovery, see README)',
  },
  tenant: {
    type: 'string',
    value: '<name>',
    description: "tenant name (default: $TESSERA_TENANT, then the namespace's tessera.dev/tenant label)",
  },
  token: {
    type: 'string',
    value: '<token>',
    description: 'bearer token for the store (default: $TESSERA_TOKEN, then the kubeconfig user token)',
  },
  help: { type: 'boolean', short: 'h', description: 'show help' },
};

const TIMEOUT: OptionSpec = {
  type: 'string',
  value: '<duration>',
  description: 'how long to wait, e.g. 90s, 10m (default 10m)',
};

export const COMMANDS: CommandSpec[] = [
  {
    name: 'push',
    summary: 'pack a source directory, upload it, create the MiniProgramVersion and wait for the compile',
    positionals: ['dir'],
    required: ['mini-program', 'version'],
    options: {
      'mini-program': { type: 'string', value: '<name>', description: 'MiniProgram the version belongs to' },
      version: {
        type: 'string',
        value: '<semver>',
        description: 'semantic version of this build, e.g. 1.4.0',
      },
      changelog: { type: 'string', value: '<text>', description: 'what changed, shown to reviewers' },
      'min-sdk-version': {
        type: 'string',
        value: '<semver>',
        description: 'oldest runtime SDK that can run it',
      },
      name: {
        type: 'string',
        value: '<name>',
        description: 'MiniProgramVersion object name (default <mini-program>-<version>)',
      },
      wait: {
        type: 'boolean',
        description: 'wait for the compile to finish (default; --no-wait to return at once)',
      },
      timeout: TIMEOUT,
    },
  },
  {
    name: 'approve',
    summary: 'approve a MiniProgramVersion as a review role you hold (not one you pushed)',
    positionals: ['version-name'],
    options: {
      role: {
        type: 'string',
        value: '<role>',
        description: "review role you approve as (default: the one role the tenant's policy still needs)",
      },
      comment: { type: 'string', value: '<text>', description: 'reviewer comment' },
    },
  },
  {
    name: 'reject',
    summary: 'reject a MiniProgramVersion as a review role; it can never be released (push a new version)',
    positionals: ['version-name'],
    options: {
      role: { type: 'string', value: '<role>', description: 'review role you reject as (required)' },
      comment: { type: 'string', value: '<text>', description: 'what must change (required)' },
    },
  },
  {
    name: 'promote',
    summary: 'release a version to everyone (set spec.stableVersion)',
    positionals: ['mini-program', 'version'],
    options: {
      force: { type: 'boolean', description: 'promote even if the version is not Compiled and Approved' },
    },
  },
  {
    name: 'rollout',
    summary: 'create or update a GrayRule giving a version to a percentage of (matching) users',
    positionals: ['mini-program', 'version'],
    required: ['percent'],
    options: {
      percent: {
        type: 'string',
        value: '<0-100>',
        description: 'share of matching users who get the version',
      },
      name: {
        type: 'string',
        value: '<name>',
        description: 'GrayRule name (default <mini-program>-<version>)',
      },
      match: {
        type: 'string',
        multiple: true,
        value: '<attr=Op:v1,v2>',
        description: 'condition all users must match, e.g. region=In:cn,hk (repeatable)',
      },
      priority: {
        type: 'string',
        value: '<0-1000>',
        description: 'lower numbers are evaluated first (default 100)',
      },
      paused: { type: 'boolean', description: 'create or set the rule paused (--no-paused to unpause)' },
    },
  },
  {
    name: 'rollback',
    summary: 'point spec.stableVersion back to the previously released version',
    positionals: ['mini-program'],
    options: {
      to: {
        type: 'string',
        value: '<version>',
        description: 'version to roll back to (default: the previous stable)',
      },
      force: { type: 'boolean', description: 'roll back even if the target is not Compiled and Approved' },
    },
  },
  {
    name: 'suspend',
    summary: 'take a mini-program down everywhere (spec.suspended=true)',
    positionals: ['mini-program'],
    options: { reason: { type: 'string', value: '<text>', description: 'reason shown to users' } },
  },
  {
    name: 'resume',
    summary: 'bring a suspended mini-program back (spec.suspended=false)',
    positionals: ['mini-program'],
    options: {},
  },
  {
    name: 'abort',
    summary: "abort a mini-program's gray rollout: its rules are paused, every user gets the stable version",
    positionals: ['mini-program'],
    options: {
      rule: {
        type: 'string',
        value: '<name>',
        description: 'only this GrayRule (default: every running rule of the mini-program)',
      },
      reason: { type: 'string', value: '<text>', description: 'why, shown by status and in the rule' },
    },
  },
  {
    name: 'retry',
    summary: 'resume an aborted rollout: the aborted rules run again where they stopped',
    positionals: ['mini-program'],
    options: {
      rule: {
        type: 'string',
        value: '<name>',
        description: 'only this GrayRule (default: every aborted rule of the mini-program)',
      },
    },
  },
  {
    name: 'rotate-credentials',
    summary: "rotate a host app's sdkKey/sdkSecret; the previous pair stays accepted for a grace period",
    positionals: ['host-app'],
    options: {
      grace: {
        type: 'string',
        value: '<duration>',
        description:
          'how long the previous pair stays accepted (e.g. 24h; default: the HostApp setting, 24h)',
      },
    },
  },
  {
    name: 'status',
    summary: "show a mini-program's versions, approvals, stable version and gray rules",
    positionals: ['mini-program'],
    options: {
      watch: {
        type: 'boolean',
        short: 'w',
        description: 'keep watching and show the status again whenever it changes (Ctrl-C stops)',
      },
    },
  },
  {
    name: 'completion',
    summary: 'print a shell completion script: source <(kubectl tessera completion bash)',
    positionals: ['shell'],
    options: {},
  },
  {
    name: 'audit',
    summary:
      "show the hash-chained audit log: a tenant's with --tenant, else the platform's (platform admins)",
    positionals: [],
    options: {
      verify: {
        type: 'boolean',
        description: 'recompute the hash chain and report the first broken entry (exit 2 when broken)',
      },
      since: {
        type: 'string',
        value: '<duration|time>',
        description: 'only entries from this long ago (e.g. 2h) or since an RFC 3339 time',
      },
    },
  },
  {
    name: 'compat',
    summary:
      'compile a local mini-program folder and report per page: compiled or failed (file:line, why), warnings, unsupported features',
    positionals: ['dir'],
    options: {
      recursive: {
        type: 'boolean',
        short: 'r',
        description:
          'check every mini-program under <dir> (folders with app.json or a project.config.json miniprogramRoot): one line per app and a total',
      },
    },
  },
  {
    name: 'logs',
    summary: 'show the compile result of a MiniProgramVersion: errors, warnings, termination message, events',
    positionals: ['version-name'],
    options: {},
  },
];

export type OptionValue = string | boolean | string[] | undefined;

export interface ParsedCommand {
  command: CommandSpec;
  positionals: string[];
  options: Record<string, OptionValue>;
  output: OutputFormat;
}

export type ParseResult =
  | { kind: 'help'; command?: CommandSpec }
  | { kind: 'version' }
  | { kind: 'command'; parsed: ParsedCommand };

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** Index of the command word: the first argument that is neither a flag nor a global flag's value. */
function commandIndex(argv: readonly string[]): number {
  const takesValue = new Set<string>();
  for (const [name, o] of Object.entries(GLOBAL_OPTIONS)) {
    if (o.type !== 'string') continue;
    takesValue.add(`--${name}`);
    if (o.short) takesValue.add(`-${o.short}`);
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') return i + 1 < argv.length ? i + 1 : -1;
    if (!a.startsWith('-')) return i;
    if (takesValue.has(a)) i++;
  }
  return -1;
}

export function parseCommandLine(argv: readonly string[]): ParseResult {
  const at = commandIndex(argv);
  const first = at < 0 ? undefined : argv[at];
  if (argv.length === 0 || (first === undefined && (argv.includes('--help') || argv.includes('-h')))) {
    return { kind: 'help' };
  }
  if (argv[0] === '--version' || first === 'version') return { kind: 'version' };
  if (first === 'help') {
    const target = argv[at + 1];
    const command = target ? findCommand(target) : undefined;
    return command ? { kind: 'help', command } : { kind: 'help' };
  }
  if (first === undefined) throw usageError(`no command given; run "kubectl tessera --help"`);
  const command = findCommand(first);
  if (!command) {
    throw usageError(`unknown command "${first}"; commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
  }
  const rest = [...argv];
  rest.splice(at, 1);
  const optionSpecs = { ...GLOBAL_OPTIONS, ...command.options };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: Object.fromEntries(
        Object.entries(optionSpecs).map(([k, o]) => [
          k,
          { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
        ]),
      ),
      allowPositionals: true,
      allowNegative: true,
      strict: true,
    });
  } catch (e) {
    throw usageError(`${command.name}: ${(e as Error).message}`);
  }
  const options = parsed.values as Record<string, OptionValue>;
  if (options.help === true) return { kind: 'help', command };
  if (parsed.positionals.length !== command.positionals.length) {
    throw usageError(
      `${command.name} takes ${command.positionals.map((p) => `<${p}>`).join(' ')}; got ${
        parsed.positionals.length === 0 ? 'none' : parsed.positionals.join(' ')
      }`,
    );
  }
  for (const r of command.required ?? []) {
    if (options[r] === undefined) throw usageError(`${command.name}: --${r} is required`);
  }
  const output = options.output ?? 'table';
  if (typeof output !== 'string' || !(OUTPUT_FORMATS as readonly string[]).includes(output)) {
    throw usageError(`--output must be one of ${OUTPUT_FORMATS.join(', ')}`);
  }
  return {
    kind: 'command',
    parsed: { command, positionals: parsed.positionals, options, output: output as OutputFormat },
  };
}

export function stringOption(p: ParsedCommand, name: string): string | undefined {
  const v = p.options[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw usageError(`--${name} takes a value`);
  return v;
}

export function listOption(p: ParsedCommand, name: string): string[] {
  const v = p.options[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function booleanOption(p: ParsedCommand, name: string): boolean | undefined {
  const v = p.options[name];
  return typeof v === 'boolean' ? v : undefined;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses "90s", "10m", "1h30m" or a bare number of seconds into milliseconds. */
export function parseDuration(text: string): number {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * (UNITS[m[2] ?? 's'] ?? 1000);
    end = re.lastIndex;
  }
  if (end !== text.length || text.length === 0) {
    throw usageError(`invalid duration "${text}"; use e.g. 90s, 10m or 1h`);
  }
  return total;
}

export function parsePercent(text: string): number {
  const n = Number(text.replace(/%$/, ''));
  if (!Number.isFinite(n) || n < 0 || n > 100 || text.trim() === '') {
    throw usageError(
      `--percent must be a number from 0 to 100 (fractions such as 0.5 allowed); got "${text}"`,
    );
  }
  return n;
}
