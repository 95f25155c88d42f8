// Shell completion. `kubectl tessera completion bash|zsh|fish` prints a script for the shell; the
// scripts, and kubectl itself (which runs `kubectl_complete-tessera` for `kubectl tessera <TAB>`),
// ask the hidden `__complete` command for candidates in cobra's protocol: one candidate a line,
// then ":<directive>" (4: no file names; 16: directories only).

import { COMMANDS, type CommandSpec, findCommand, GLOBAL_OPTIONS, OUTPUT_FORMATS } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { usageError } from '../errors.ts';
import type { Io } from '../io.ts';

export const DIRECTIVE = { default: 0, noFiles: 4, dirsOnly: 16 } as const;

/** Names the completer can look up in the cluster; each failure or timeout is "no candidates". */
export interface Lookup {
  miniPrograms(): Promise<string[]>;
  versionNames(): Promise<string[]>;
  versionsOf(miniProgram: string): Promise<string[]>;
  namespaces(): Promise<string[]>;
  contexts(): Promise<string[]>;
}

export interface Completion {
  candidates: string[];
  directive: number;
}

const SHELLS = ['bash', 'zsh', 'fish'] as const;

function flagNames(spec: CommandSpec | undefined): string[] {
  const options = { ...GLOBAL_OPTIONS, ...(spec?.options ?? {}) };
  return Object.keys(options).map((n) => `--${n}`);
}

function takesValue(flag: string, spec: CommandSpec | undefined): string | undefined {
  const options = { ...GLOBAL_OPTIONS, ...(spec?.options ?? {}) };
  const byShort = Object.entries(options).find(([, o]) => o.short && `-${o.short}` === flag);
  const name = flag.startsWith('--') ? flag.slice(2) : byShort?.[0];
  return name && options[name]?.type === 'string' ? name : undefined;
}

/** Candidates for the last word of `args` (the words after the program name, last one partial). */
export async function complete(args: readonly string[], lookup: Lookup): Promise<Completion> {
  const words = args.slice(0, -1);
  const partial = args.at(-1) ?? '';
  let command: CommandSpec | undefined;
  const positionals: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    if (w.startsWith('-')) {
      if (!w.includes('=') && takesValue(w, command)) i++;
      continue;
    }
    if (!command) command = findCommand(w);
    else positionals.push(w);
  }
  const previous = words.at(-1);
  const flagWithValue = previous && !previous.includes('=') ? takesValue(previous, command) : undefined;
  const none: Completion = { candidates: [], directive: DIRECTIVE.noFiles };
  const some = async (names: Promise<string[]> | string[]) => ({
    candidates: (await names).filter((n) => n.startsWith(partial)).sort(),
    directive: DIRECTIVE.noFiles,
  });
  if (flagWithValue) {
    if (flagWithValue === 'output') return some([...OUTPUT_FORMATS]);
    if (flagWithValue === 'namespace') return some(lookup.namespaces());
    if (flagWithValue === 'context') return some(lookup.contexts());
    if (flagWithValue === 'kubeconfig') return { candidates: [], directive: DIRECTIVE.default };
    return none;
  }
  if (partial.startsWith('-')) return some(flagNames(command));
  if (!command) return some([...COMMANDS.map((c) => c.name), 'help']);
  const slot = command.positionals[positionals.length];
  switch (slot) {
    case 'mini-program':
      return some(lookup.miniPrograms());
    case 'version-name':
      return some(lookup.versionNames());
    case 'version':
      return positionals[0] ? some(lookup.versionsOf(positionals[0])) : none;
    case 'shell':
      return some([...SHELLS]);
    case 'dir':
      return { candidates: [], directive: DIRECTIVE.dirsOnly };
    default:
      return none;
  }
}

/** `__complete`: cobra's protocol, never an error (a failed lookup completes nothing). */
export async function answerCompletion(args: readonly string[], io: Io, lookup: Lookup): Promise<void> {
  const result = await complete(args, lookup);
  io.stdout(`${result.candidates.map((c) => `${c}\n`).join('')}:${result.directive}\n`);
}

const BASH = `# kubectl tessera completion for bash: source <(kubectl tessera completion bash)
_kubectl_tessera() {
  local cur=\${COMP_WORDS[COMP_CWORD]} out directive
  out=$(kubectl-tessera __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return
  directive=\${out##*:}
  out=\${out%:*}
  if (( directive & 16 )); then
    COMPREPLY=($(compgen -d -- "$cur"))
  elif (( directive & 4 )); then
    local IFS=$'\\n'
    COMPREPLY=($(compgen -W "$out" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -F _kubectl_tessera kubectl-tessera tessera
`;

const ZSH = `#compdef kubectl-tessera tessera
# kubectl tessera completion for zsh: source <(kubectl tessera completion zsh)
_kubectl_tessera() {
  local out directive
  local -a candidates
  out=$(kubectl-tessera __complete "\${(@)words[2,CURRENT]}" 2>/dev/null) || return
  directive=\${out##*:}
  candidates=("\${(@f)\${out%:*}}")
  if (( directive & 16 )); then
    _path_files -/
  elif (( directive & 4 )); then
    compadd -- \${candidates:#}
  else
    _files
  fi
}
compdef _kubectl_tessera kubectl-tessera tessera
`;

const FISH = `# kubectl tessera completion for fish: kubectl tessera completion fish | source
function __kubectl_tessera_complete
    set -l args (commandline -opc)[2..-1] (commandline -ct)
    set -l out (kubectl-tessera __complete $args 2>/dev/null)
    or return
    set -l directive (string replace -r '^:' '' -- $out[-1])
    set -e out[-1]
    if test (math "bitand($directive, 16)") -ne 0
        __fish_complete_directories (commandline -ct)
    else
        printf '%s\\n' $out
    end
end
complete -c kubectl-tessera -f -a '(__kubectl_tessera_complete)'
complete -c tessera -f -a '(__kubectl_tessera_complete)'
`;

export function completionScript(shell: string): string {
  if (shell === 'bash') return BASH;
  if (shell === 'zsh') return ZSH;
  if (shell === 'fish') return FISH;
  throw usageError(`completion supports ${SHELLS.join(', ')}; got "${shell}"`);
}

export async function completion(ctx: CommandContext): Promise<void> {
  ctx.io.stdout(completionScript(ctx.arg(0)));
}
