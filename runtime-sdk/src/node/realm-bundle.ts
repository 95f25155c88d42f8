// The script for the restricted vm context: built into the published package
// (scripts/pack.ts defines it), else bundled from realm-entry.ts once per process.
import { fileURLToPath } from 'node:url';

declare const __TESSERA_NODE_REALM_SOURCE__: string | undefined;

let cached: Promise<string> | undefined;

export function realmBundle(): Promise<string> {
  if (typeof __TESSERA_NODE_REALM_SOURCE__ === 'string')
    return Promise.resolve(__TESSERA_NODE_REALM_SOURCE__);
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
