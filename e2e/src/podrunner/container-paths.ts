// How a process without its own filesystem namespace finds its mounts. Each container gets a
// directory <podDir>/rootfs/<container> that stands for its root: a mount at /var/run/x is
// <rootfs>/var/run/x, the termination message file /dev/termination-log is
// <rootfs>/dev/termination-log. The runner then
//   - rewrites env values, args and workingDir that are absolute paths at or below a mountPath or
//     the terminationMessagePath into the rootfs (TESSERA_KEYS_DIR=/var/run/tessera/keys becomes
//     <rootfs>/var/run/tessera/keys), and
//   - exports TESSERA_MOUNT_ROOT=<rootfs> and TESSERA_TERMINATION_LOG=<rootfs>/<path>,
//     so a program that hard-codes a container path can prefix it with TESSERA_MOUNT_ROOT.
// Any other value is passed through untouched.
import { join } from 'node:path';
import type { Container } from './pod-schema.ts';

export const DEFAULT_TERMINATION_MESSAGE_PATH = '/dev/termination-log';
export const MOUNT_ROOT_ENV = 'TESSERA_MOUNT_ROOT';
export const TERMINATION_MESSAGE_ENV = 'TESSERA_TERMINATION_LOG';

export class ContainerPaths {
  readonly rootfs: string;
  readonly #prefixes: string[];

  constructor(rootfs: string, container: Container) {
    this.rootfs = rootfs;
    const prefixes = (container.volumeMounts ?? []).map((m) => trimSlash(m.mountPath));
    prefixes.push(this.terminationMessageContainerPath(container));
    // longest first so nested mounts win
    this.#prefixes = prefixes
      .filter((p) => p.startsWith('/') && p !== '/')
      .sort((a, b) => b.length - a.length);
  }

  terminationMessageContainerPath(container: Container): string {
    return container.terminationMessagePath || DEFAULT_TERMINATION_MESSAGE_PATH;
  }

  /** Host path of an absolute container path. */
  host(containerPath: string): string {
    return join(this.rootfs, containerPath);
  }

  /** Rewrites a value that is a mounted container path (or below one); anything else unchanged. */
  rewrite(value: string): string {
    for (const prefix of this.#prefixes) {
      if (value === prefix || value.startsWith(`${prefix}/`)) return this.host(value);
    }
    return value;
  }

  rewriteEnv(env: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, this.rewrite(v)]));
  }
}

const trimSlash = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);
