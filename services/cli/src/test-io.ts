// Test helper: runs main() in-process with an Io that captures stdout and stderr.
import type { Io } from './io.ts';
import { main } from './main.ts';

export async function runMain(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    isTTY: false,
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env: {},
    now: () => 0,
    sleep: async () => undefined,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
