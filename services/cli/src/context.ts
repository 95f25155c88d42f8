// What every command gets: the parsed command line, the user's Kubernetes connection (created
// on first use, so usage errors never need a kubeconfig), and where to write.

import { booleanOption, listOption, type ParsedCommand, stringOption } from './args.ts';
import type { Io } from './io.ts';
import { KubeClient } from './kube/client.ts';
import { formatDocument } from './render/output.ts';

export class CommandContext {
  readonly parsed: ParsedCommand;
  readonly io: Io;
  #kube: KubeClient | undefined;

  constructor(parsed: ParsedCommand, io: Io) {
    this.parsed = parsed;
    this.io = io;
  }

  get kube(): KubeClient {
    this.#kube ??= new KubeClient({
      kubeconfig: this.string('kubeconfig'),
      context: this.string('context'),
      namespace: this.string('namespace'),
    });
    return this.#kube;
  }

  get namespace(): string {
    return this.kube.namespace;
  }

  arg(i: number): string {
    return this.parsed.positionals[i] ?? '';
  }

  string(name: string): string | undefined {
    return stringOption(this.parsed, name);
  }

  list(name: string): string[] {
    return listOption(this.parsed, name);
  }

  flag(name: string): boolean | undefined {
    return booleanOption(this.parsed, name);
  }

  /** Progress and diagnostics go to stderr so stdout stays machine-readable. */
  info(line: string): void {
    this.io.stderr(`${line}\n`);
  }

  /** The command's result: `doc` for --output json|yaml, `table(wide)` for people. */
  result(doc: unknown, table: (wide: boolean) => string): void {
    this.io.stdout(this.format(doc, table));
  }

  format(doc: unknown, table: (wide: boolean) => string): string {
    const f = this.parsed.output;
    return f === 'table' || f === 'wide'
      ? `${table(f === 'wide').replace(/\n+$/, '')}\n`
      : formatDocument(doc, f);
  }
}
