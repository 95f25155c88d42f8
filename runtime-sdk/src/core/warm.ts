// A zod schema builds its internals lazily on its first parse: 2–4 ms each for the launch
// answer and the manifest, on the launch path (the Node host; the web build's zod-lite has
// nothing to build). Parsing empty skeletons of them
// (every nested object present, so its parser is built too) pays that while the SDK waits.
import { AppManifestSchema } from '../package/manifest.ts';
import { LaunchResponseSchema } from '../protocol/launch.ts';

export function warmValidators(): void {
  LaunchResponseSchema.safeParse({
    artifact: {},
    wrappedKey: {},
    domains: {},
    subpackages: [{ wrappedKey: {} }],
    updatePolicy: {},
  });
  AppManifestSchema.safeParse({
    pages: [''],
    subpackages: [{}],
    window: {},
    tabBar: { list: [{}] },
    entries: [{ usingComponents: { a: '' }, window: {} }],
    preloadRule: { a: {} },
  });
}
