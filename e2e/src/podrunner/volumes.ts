// Materializes a pod's volumes as real files under the pod directory:
//   <podDir>/volumes/<volume>/...   the data (Secret and ConfigMap keys, tokens, downward API)
//   <podDir>/rootfs/<container>/<mountPath>  a symlink to the volume (or its subPath)
// The process sees its mounts through paths rewritten into <podDir>/rootfs/<container>
// (see container-paths.ts).
import { existsSync } from 'node:fs';
import { chmod, mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fieldValue } from './fields.ts';
import type { Container, Pod, Volume } from './pod-schema.ts';
import { type DataMap, PodConfigError, type PodSources } from './sources.ts';

const DEFAULT_MODE = 0o644;
const DEFAULT_TOKEN_SECONDS = 3600;
const MIN_TOKEN_SECONDS = 600;

export interface TokenFile {
  file: string;
  audience: string | undefined;
  expirationSeconds: number;
  expiresAt: Date;
  mode: number;
}

/** A relative path that stays inside its volume: no absolute paths, no `..`, no empty segments. */
export function safeRelativePath(path: string, what: string): string {
  const parts = path.split('/');
  if (path.startsWith('/') || parts.some((p) => p === '' || p === '..' || p === '.'))
    throw new PodConfigError('ContainerCreating', `${what}: path ${JSON.stringify(path)} escapes the volume`);
  return path;
}

export async function writeAtomic(file: string, data: Buffer | string, mode: number): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, data, { mode });
  await chmod(tmp, mode);
  await rename(tmp, file);
}

async function writeItems(
  dir: string,
  data: DataMap,
  items: Array<{ key: string; path: string; mode?: number | undefined }> | undefined,
  mode: number,
  what: string,
  optional: boolean,
): Promise<void> {
  const selected = items ?? Object.keys(data).map((key) => ({ key, path: key, mode: undefined }));
  for (const item of selected) {
    const value = data[item.key];
    if (value === undefined) {
      if (optional) continue;
      throw new PodConfigError('ContainerCreating', `${what}: key ${JSON.stringify(item.key)} not found`);
    }
    await writeAtomic(join(dir, safeRelativePath(item.path, what)), value, item.mode ?? mode);
  }
}

async function referenced(
  kind: 'secret' | 'configmap',
  name: string | undefined,
  optional: boolean | undefined,
  sources: PodSources,
  volume: string,
): Promise<DataMap | undefined> {
  const data = kind === 'secret' ? await sources.secret(name ?? '') : await sources.configMap(name ?? '');
  if (!data && !optional)
    throw new PodConfigError(
      'ContainerCreating',
      `MountVolume.SetUp failed for volume "${volume}": ${kind} "${name}" not found`,
    );
  return data;
}

/** Writes every volume of the pod; returns the token files to refresh before they expire. */
export async function materializeVolumes(
  pod: Pod,
  podDir: string,
  sources: PodSources,
  nodeName: string,
): Promise<TokenFile[]> {
  const tokens: TokenFile[] = [];
  for (const volume of pod.spec.volumes ?? []) {
    const dir = join(podDir, 'volumes', safeRelativePath(volume.name, 'volume name'));
    await mkdir(dir, { recursive: true, mode: 0o755 });
    await materializeVolume(pod, volume, dir, sources, nodeName, tokens);
  }
  return tokens;
}

async function materializeVolume(
  pod: Pod,
  volume: Volume,
  dir: string,
  sources: PodSources,
  nodeName: string,
  tokens: TokenFile[],
): Promise<void> {
  const what = `volume "${volume.name}"`;
  if (volume.emptyDir) return;
  if (volume.secret) {
    const s = volume.secret;
    const data = await referenced('secret', s.secretName, s.optional, sources, volume.name);
    if (data) await writeItems(dir, data, s.items, s.defaultMode ?? DEFAULT_MODE, what, false);
    return;
  }
  if (volume.configMap) {
    const c = volume.configMap;
    const data = await referenced('configmap', c.name, c.optional, sources, volume.name);
    if (data) await writeItems(dir, data, c.items, c.defaultMode ?? DEFAULT_MODE, what, false);
    return;
  }
  if (volume.downwardAPI) {
    await writeDownward(
      pod,
      volume.downwardAPI.items,
      dir,
      volume.downwardAPI.defaultMode ?? DEFAULT_MODE,
      nodeName,
    );
    return;
  }
  if (volume.projected) {
    const mode = volume.projected.defaultMode ?? DEFAULT_MODE;
    for (const source of volume.projected.sources ?? []) {
      if (source.secret) {
        const data = await referenced(
          'secret',
          source.secret.name,
          source.secret.optional,
          sources,
          volume.name,
        );
        if (data) await writeItems(dir, data, source.secret.items, mode, what, false);
      } else if (source.configMap) {
        const c = source.configMap;
        const data = await referenced('configmap', c.name, c.optional, sources, volume.name);
        if (data) await writeItems(dir, data, c.items, mode, what, false);
      } else if (source.downwardAPI) {
        await writeDownward(pod, source.downwardAPI.items, dir, mode, nodeName);
      } else if (source.serviceAccountToken) {
        const t = source.serviceAccountToken;
        const expirationSeconds = Math.max(t.expirationSeconds ?? DEFAULT_TOKEN_SECONDS, MIN_TOKEN_SECONDS);
        const issued = await sources.token(t.audience, expirationSeconds);
        const file = join(dir, safeRelativePath(t.path, what));
        await writeAtomic(file, issued.token, mode);
        tokens.push({ file, audience: t.audience, expirationSeconds, expiresAt: issued.expiresAt, mode });
      }
    }
    return;
  }
  throw new PodConfigError(
    'ContainerCreating',
    `${what}: only emptyDir, secret, configMap, downwardAPI and projected volumes are supported by the local pod runner`,
  );
}

async function writeDownward(
  pod: Pod,
  items: Array<{
    path: string;
    fieldRef?: { fieldPath: string } | undefined;
    mode?: number | undefined;
  }> = [],
  dir: string,
  mode: number,
  nodeName: string,
): Promise<void> {
  for (const item of items) {
    if (!item.fieldRef) continue;
    const value = fieldValue(pod, item.fieldRef.fieldPath, nodeName);
    await writeAtomic(join(dir, safeRelativePath(item.path, 'downwardAPI item')), value, item.mode ?? mode);
  }
}

/** Creates <rootfs>/<mountPath> symlinks to the volume directories for one container. */
export async function mountVolumes(pod: Pod, container: Container, podDir: string, rootfs: string) {
  const known = new Set((pod.spec.volumes ?? []).map((v) => v.name));
  for (const mount of container.volumeMounts ?? []) {
    if (!known.has(mount.name))
      throw new PodConfigError('CreateContainerConfigError', `volume mount "${mount.name}" has no volume`);
    if (!mount.mountPath.startsWith('/'))
      throw new PodConfigError('CreateContainerConfigError', `mountPath ${mount.mountPath} is not absolute`);
    let target = join(podDir, 'volumes', mount.name);
    if (mount.subPath) {
      target = join(target, safeRelativePath(mount.subPath, `subPath of ${mount.name}`));
      if (!existsSync(target)) await mkdir(target, { recursive: true });
    }
    const link = join(rootfs, safeRelativePath(mount.mountPath.slice(1).replace(/\/+$/, ''), 'mountPath'));
    await mkdir(dirname(link), { recursive: true });
    await symlink(target, link);
  }
}
