// Bundles realm-entry.ts (once per process) into a script for the restricted vm context.
import { fileURLToPath } from 'node:url';

let cached: Promise<string> | undefined;

export function realmBundle(): Promise<string> {
  cached ??= (async () => {
    const { build } = await import('esbuild');
    const r = await build({
      entryPoints: [fileURLToPath(new URL('./realm-entry.ts', import.meta.url))],
      bundle: true,
      format: 'iife',
      globalName: '__tesseraRealm',
      platform: 'neutral',
      target: 'es2022',
      write: false,
      minify: true,
      logLevel: 'error',
    });
    return r.outputFiles[0]!.text;
  })();
  return cached;
}
