// Headless Chromium for the SDK tests and benchmarks: the Debian /usr/bin/chromium driven by
// playwright-core (never a downloaded browser), a fresh profile directory per launch, and no
// background network traffic.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.TESSERA_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  context: BrowserContext;
  userDataDir: string;
  close(): Promise<void>;
}

/** Launches headless Chromium with a fresh --user-data-dir (a persistent context, so IndexedDB survives page reloads). */
export async function launchBrowser(options: { ignoreHttpsErrors?: boolean } = {}): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install the Debian "chromium" package or set TESSERA_CHROMIUM`,
    );
  }
  const userDataDir = await mkdtemp(join(tmpdir(), 'tessera-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 375, height: 667 },
    // Only for loopback servers with throw-away certificates.
    ignoreHTTPSErrors: options.ignoreHttpsErrors === true,
  });
  return {
    context,
    userDataDir,
    async close() {
      await context.close().catch(() => {});
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
