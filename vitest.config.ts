import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests beside the code in every workspace, and the
// infrastructure tests in e2e/ that run against a real control plane,
// PostgreSQL, Redis and Chromium (started once by the global setup).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            '{crds,crds/gray,operator,operator/runtime,runtime-sdk}/src/**/*.test.ts',
            'services/*/src/**/*.test.ts',
          ],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/test/**/*.test.ts'],
          globalSetup: ['e2e/src/harness/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
    ],
  },
});
