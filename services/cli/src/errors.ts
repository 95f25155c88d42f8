// One error type for everything the CLI reports to the user. The exit code tells a CI pipeline
// what kind of failure it was, so it can decide whether to retry (3, 4) or to fail the build (1, 2).

export const EXIT = {
  ok: 0,
  /** The command line is wrong: unknown command or flag, missing argument. */
  usage: 1,
  /** The user's input was rejected: compile errors, invalid version, missing object, refused promote. */
  input: 2,
  /** Infrastructure or permission problem: API server or store unreachable, 401/403, 5xx. */
  infra: 3,
  /** A wait (--wait, --timeout) ran out of time. */
  timeout: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  readonly exitCode: ExitCode;
  constructor(exitCode: ExitCode, message: string) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

export const usageError = (message: string) => new CliError(EXIT.usage, message);
export const inputError = (message: string) => new CliError(EXIT.input, message);
export const infraError = (message: string) => new CliError(EXIT.infra, message);
export const timeoutError = (message: string) => new CliError(EXIT.timeout, message);
