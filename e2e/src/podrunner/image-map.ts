// Which local command stands in for which container image. The pod runner has no container
// runtime: a container whose image matches an entry runs `command` (plus the container's `args`
// when `passArgs` is true) as a local process. The container's own `command` is ignored because it
// names paths inside the image. First matching entry wins.
//
// Matching: `image` matches exactly, with any `:tag` or `@digest`, or, when it ends with `*`, as a
// prefix (`tessera/compiler*` matches `tessera/compiler`, `tessera/compiler:0.1.0`, ...). A registry
// prefix is not stripped: map `ghcr.io/acme/tessera-compiler*` explicitly.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { REPO_ROOT } from '../harness/paths.ts';

export const ImageMappingSchema = z.object({
  image: z.string().min(1),
  command: z.array(z.string().min(1)).min(1),
  passArgs: z.boolean().default(true),
});
export type ImageMapping = z.input<typeof ImageMappingSchema>;
export const ImageMapSchema = z.array(ImageMappingSchema);
export type ImageMap = ImageMapping[];

/**
 * The default table. The compile-job entrypoint is the only Tessera image that runs as a pod in
 * the local setup (the operator and the store run as plain processes there).
 */
export const DEFAULT_IMAGE_MAP: ImageMap = [
  {
    image: 'tessera/compiler*',
    command: [process.execPath, join(REPO_ROOT, 'services', 'compiler', 'src', 'job', 'main.ts')],
  },
];

export function matchesImage(pattern: string, image: string): boolean {
  if (pattern.endsWith('*')) return image.startsWith(pattern.slice(0, -1));
  return image === pattern || image.startsWith(`${pattern}:`) || image.startsWith(`${pattern}@`);
}

export interface ResolvedCommand {
  file: string;
  /** Arguments from the image map: host paths, used as they are. */
  args: string[];
  /** Arguments from the container spec: container paths, which the runner maps into the rootfs. */
  containerArgs: string[];
}

/** The local command for a container, or undefined when its image is not in the table. */
export function resolveCommand(
  map: ImageMap,
  image: string,
  containerArgs: string[] = [],
): ResolvedCommand | undefined {
  const entry = map.find((m) => matchesImage(m.image, image));
  if (!entry) return undefined;
  const [file, ...args] = entry.command;
  if (!file) return undefined;
  return { file, args, containerArgs: entry.passArgs === false ? [] : containerArgs };
}

/** Reads an image map from a JSON file (an array of `{image, command, passArgs?}`). */
export async function loadImageMap(path: string): Promise<ImageMap> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the image map ${path}: ${(error as Error).message}`);
  }
  const parsed = ImageMapSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `invalid image map ${path} at ${issue?.path.join('.') || '(root)'}: ${issue?.message}. ` +
        'Expected a JSON array of {"image": "name or prefix*", "command": ["program", "arg"...], "passArgs": true}.',
    );
  }
  return parsed.data;
}
