// Where the CLI writes and how it waits; replaced in tests that run main() in-process.

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stdout is a terminal (a watch redraws in place) */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTTY: process.stdout.isTTY === true,
  env: process.env,
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};
