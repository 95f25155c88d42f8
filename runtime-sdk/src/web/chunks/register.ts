// What a chunk's script does when it runs: hands its module to chunk-loader.ts.
export function register(name: string, module: unknown): void {
  const fn = (globalThis as Record<symbol, unknown>)[Symbol.for('tessera.chunk')];
  if (typeof fn === 'function') fn(name, module);
}
