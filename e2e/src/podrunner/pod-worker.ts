// One pod on the local node, from bind to deletion: prepares volumes and environment, runs each
// container as a local process (its own process group, output to a log file), restarts per
// restartPolicy, enforces activeDeadlineSeconds, reports status, honours deletion and removes its
// files.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { ContainerPaths, MOUNT_ROOT_ENV, TERMINATION_MESSAGE_ENV } from './container-paths.ts';
import { expandReferences, resolveEnv } from './env.ts';
import { type ImageMap, resolveCommand } from './image-map.ts';
import { isNotFound, type KubeRest } from './kube-rest.ts';
import type { LogTarget } from './log-server.ts';
import type { Container, Pod } from './pod-schema.ts';
import { type ContainerState, nowRfc3339, type PodStatusInput, podStatusPatch } from './pod-status.ts';
import { apiSources, PodConfigError } from './sources.ts';
import { terminationMessage } from './termination.ts';
import { materializeVolumes, mountVolumes, type TokenFile, writeAtomic } from './volumes.ts';

export interface WorkerContext {
  rest: KubeRest;
  nodeName: string;
  imageMap: ImageMap;
  workDir: string;
  /** First restart delay of a crashed container; doubles per restart up to 5 minutes. */
  restartBackoffMs: number;
  /** Delay between attempts to prepare a pod whose Secret, ConfigMap or image is missing. */
  setupRetryMs: number;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

interface Prepared {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  paths: ContainerPaths;
  logFile: string;
}

interface ContainerRun {
  spec: Container;
  state: ContainerState;
  lastState?: ContainerState | undefined;
  restartCount: number;
  prepared?: Prepared;
  child?: ChildProcess | undefined;
  exited?: Promise<void>;
  containerID?: string | undefined;
  /** Exited and will not be started again. */
  done: boolean;
  restartTimer?: NodeJS.Timeout | undefined;
}

const MAX_BACKOFF_MS = 300_000;
const MAX_GRACE_SECONDS = 30;

export class PodWorker {
  readonly key: string;
  readonly dir: string;
  #pod: Pod;
  readonly #ctx: WorkerContext;
  readonly #containers: ContainerRun[];
  readonly #transitions = new Map<string, string>();
  #phase: PodStatusInput['phase'] = 'Pending';
  #reason: string | undefined;
  #message: string | undefined;
  #sandboxReady = false;
  #startTime = nowRfc3339();
  #stage: 'setup' | 'running' | 'finished' | 'deleting' | 'gone' = 'setup';
  #timers: NodeJS.Timeout[] = [];
  #writes: Promise<void> = Promise.resolve();
  #lastWritten = '';
  #tokens: TokenFile[] = [];

  constructor(ctx: WorkerContext, pod: Pod) {
    this.#ctx = ctx;
    this.#pod = pod;
    this.key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    this.dir = join(ctx.workDir, `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`);
    if (pod.status?.startTime) this.#startTime = pod.status.startTime;
    this.#containers = pod.spec.containers.map((spec) => ({
      spec,
      state: { waiting: { reason: 'ContainerCreating' } },
      restartCount: 0,
      done: false,
    }));
  }

  get uid(): string {
    return this.#pod.metadata.uid;
  }

  get namespace(): string {
    return this.#pod.metadata.namespace;
  }

  get name(): string {
    return this.#pod.metadata.name;
  }

  /** The log file of a container, for the log server; running() is false once it stopped for good. */
  logTarget(container: string): LogTarget | undefined {
    const c = this.#containers.find((x) => x.spec.name === container);
    if (!c || this.#stage === 'gone') return undefined;
    return {
      file: join(this.dir, 'logs', `${container}.log`),
      running: () => !c.done && (this.#stage === 'running' || this.#stage === 'setup'),
    };
  }

  /** Starts the pod; call once. */
  start(): void {
    if (this.#pod.spec.initContainers?.length) {
      this.#finish(
        'Failed',
        'UnsupportedByPodRunner',
        'init containers are not supported by the local pod runner',
      );
      return;
    }
    const deadline = this.#pod.spec.activeDeadlineSeconds;
    if (deadline !== undefined) {
      const remaining = Date.parse(this.#startTime) + deadline * 1000 - Date.now();
      this.#timers.push(setTimeout(() => void this.#deadlineExceeded(), Math.max(remaining, 0)));
    }
    this.#writeStatus();
    void this.#setup();
  }

  /** A newer version of the pod object (from the watch). */
  update(pod: Pod): void {
    this.#pod = pod;
    if (pod.metadata.deletionTimestamp && this.#stage !== 'deleting' && this.#stage !== 'gone')
      void this.#delete();
  }

  /** The pod object is gone from the API server: kill everything and remove its files. */
  async gone(): Promise<void> {
    if (this.#stage === 'gone') return;
    this.#stage = 'gone';
    this.#clearTimers();
    await this.#killAll(0);
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Runner shutdown: kill the processes and remove the files; the pod object is left as it is. */
  async shutdown(): Promise<void> {
    await this.gone();
  }

  async #setup(): Promise<void> {
    if (this.#stage !== 'setup') return;
    try {
      const pod = this.#pod;
      const sources = apiSources(this.#ctx.rest, {
        namespace: pod.metadata.namespace,
        name: pod.metadata.name,
        uid: pod.metadata.uid,
        serviceAccountName: pod.spec.serviceAccountName ?? 'default',
      });
      const commands = this.#containers.map((c) => {
        const image = c.spec.image ?? '';
        const resolved = resolveCommand(this.#ctx.imageMap, image, c.spec.args);
        if (!resolved)
          throw new PodConfigError(
            'ContainerCreating',
            `image ${JSON.stringify(image)} is not in the local pod runner's image map`,
          );
        return resolved;
      });
      await rm(join(this.dir, 'volumes'), { recursive: true, force: true });
      await rm(join(this.dir, 'rootfs'), { recursive: true, force: true });
      await mkdir(join(this.dir, 'logs'), { recursive: true });
      this.#tokens = await materializeVolumes(pod, this.dir, sources, this.#ctx.nodeName);
      for (const [i, c] of this.#containers.entries()) {
        const command = commands[i]!;
        const rootfs = join(this.dir, 'rootfs', c.spec.name);
        await mkdir(rootfs, { recursive: true });
        await mountVolumes(pod, c.spec, this.dir, rootfs);
        const paths = new ContainerPaths(rootfs, c.spec);
        const podEnv = await resolveEnv(pod, c.spec, sources, this.#ctx.nodeName);
        const messageFile = paths.host(paths.terminationMessageContainerPath(c.spec));
        await mkdir(dirname(messageFile), { recursive: true });
        const env = {
          ...baseEnv(this.#ctx.rest, pod),
          ...paths.rewriteEnv(podEnv),
          [MOUNT_ROOT_ENV]: rootfs,
          [TERMINATION_MESSAGE_ENV]: messageFile,
        };
        const cwd = c.spec.workingDir ? paths.host(c.spec.workingDir) : rootfs;
        await mkdir(cwd, { recursive: true });
        c.prepared = {
          file: command.file,
          args: [
            ...command.args,
            ...command.containerArgs.map((a) => paths.rewrite(expandReferences(a, podEnv))),
          ],
          env,
          cwd,
          paths,
          logFile: join(this.dir, 'logs', `${c.spec.name}.log`),
        };
      }
    } catch (error) {
      if (this.#stage !== 'setup') return;
      const reason = error instanceof PodConfigError ? error.reason : 'ContainerCreating';
      const message = (error as Error).message;
      this.#ctx.log('pod setup failed; retrying', { pod: this.key, message });
      for (const c of this.#containers) c.state = { waiting: { reason, message } };
      this.#writeStatus();
      this.#timers.push(setTimeout(() => void this.#setup(), this.#ctx.setupRetryMs));
      return;
    }
    if (this.#stage !== 'setup') return;
    this.#stage = 'running';
    this.#sandboxReady = true;
    this.#scheduleTokenRefresh();
    for (const c of this.#containers) this.#run(c);
    this.#phase = 'Running';
    this.#writeStatus();
  }

  #run(c: ContainerRun): void {
    const p = c.prepared;
    if (!p || this.#stage !== 'running') return;
    const log = openSync(p.logFile, 'a');
    const startedAt = nowRfc3339();
    const containerID = `podrunner://${this.uid}-${c.spec.name}-${c.restartCount}`;
    c.containerID = containerID;
    let child: ChildProcess;
    try {
      child = spawn(p.file, p.args, { cwd: p.cwd, env: p.env, stdio: ['ignore', log, log], detached: true });
    } finally {
      closeSync(log);
    }
    c.child = child;
    c.state = { running: { startedAt } };
    c.exited = new Promise<void>((resolve) => {
      let settled = false;
      const settle = (exitCode: number, signal: number | undefined, reason: string, message?: string) => {
        if (settled) return;
        settled = true;
        c.child = undefined;
        void this.#exited(c, { exitCode, signal, reason, message, startedAt, containerID }).finally(resolve);
      };
      child.once('error', (error) => settle(128, undefined, 'StartError', error.message));
      child.once('exit', (code, sig) => {
        const signal = sig ? constants.signals[sig] : undefined;
        const exitCode = code ?? 128 + (signal ?? 0);
        settle(exitCode, signal, exitCode === 0 ? 'Completed' : 'Error');
      });
    });
    this.#ctx.log('container started', { pod: this.key, container: c.spec.name, pid: child.pid });
  }

  async #exited(
    c: ContainerRun,
    r: {
      exitCode: number;
      signal: number | undefined;
      reason: string;
      message: string | undefined;
      startedAt: string;
      containerID: string;
    },
  ): Promise<void> {
    const p = c.prepared;
    const message =
      r.message ??
      (p
        ? await terminationMessage({
            messageFile: p.paths.host(p.paths.terminationMessageContainerPath(c.spec)),
            logFile: p.logFile,
            policy: c.spec.terminationMessagePolicy,
            exitCode: r.exitCode,
          })
        : undefined);
    c.state = {
      terminated: {
        exitCode: r.exitCode,
        ...(r.signal ? { signal: r.signal } : {}),
        reason: r.reason,
        ...(message ? { message } : {}),
        startedAt: r.startedAt,
        finishedAt: nowRfc3339(),
        containerID: r.containerID,
      },
    };
    this.#ctx.log('container exited', { pod: this.key, container: c.spec.name, exitCode: r.exitCode });
    if (this.#stage !== 'running') return;
    const policy = this.#pod.spec.restartPolicy ?? 'Always';
    const restart = policy === 'Always' || (policy === 'OnFailure' && r.exitCode !== 0);
    if (restart) {
      const delay = Math.min(this.#ctx.restartBackoffMs * 2 ** c.restartCount, MAX_BACKOFF_MS);
      c.lastState = c.state;
      c.state = {
        waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.round(delay / 1000)}s restarting` },
      };
      c.restartTimer = setTimeout(() => {
        c.restartCount++;
        this.#run(c);
        this.#writeStatus();
      }, delay);
      this.#writeStatus();
      return;
    }
    c.done = true;
    if (this.#containers.every((x) => x.done)) {
      const failed = this.#containers.some(
        (x) => 'terminated' in x.state && x.state.terminated.exitCode !== 0,
      );
      this.#finish(failed ? 'Failed' : 'Succeeded');
    } else this.#writeStatus();
  }

  #finish(phase: 'Succeeded' | 'Failed', reason?: string, message?: string): void {
    this.#stage = 'finished';
    this.#phase = phase;
    this.#reason = reason;
    this.#message = message;
    this.#clearTimers();
    this.#writeStatus();
    // the volumes may hold secrets; the logs stay until the pod object is deleted
    void rm(join(this.dir, 'volumes'), { recursive: true, force: true });
    void rm(join(this.dir, 'rootfs'), { recursive: true, force: true });
  }

  async #deadlineExceeded(): Promise<void> {
    if (this.#stage !== 'running' && this.#stage !== 'setup') return;
    this.#stage = 'finished';
    this.#ctx.log('active deadline exceeded', { pod: this.key });
    await this.#killAll(this.#graceSeconds());
    this.#markUnfinishedTerminated();
    this.#finish(
      'Failed',
      'DeadlineExceeded',
      'Pod was active on the node longer than the specified deadline',
    );
  }

  async #delete(): Promise<void> {
    const wasTerminal = this.#stage === 'finished';
    this.#stage = 'deleting';
    this.#clearTimers();
    const grace = Math.min(
      this.#pod.metadata.deletionGracePeriodSeconds ?? this.#graceSeconds(),
      MAX_GRACE_SECONDS,
    );
    await this.#killAll(grace);
    if (!wasTerminal) {
      // like the kubelet, a deleted pod that had not finished ends Failed so controllers count it
      this.#markUnfinishedTerminated();
      this.#phase = this.#containers.every(
        (c) => 'terminated' in c.state && c.state.terminated.exitCode === 0,
      )
        ? 'Succeeded'
        : 'Failed';
      this.#writeStatus();
    }
    await this.#writes;
    try {
      await this.#ctx.rest.delete(
        `/api/v1/namespaces/${encodeURIComponent(this.#pod.metadata.namespace)}/pods/${encodeURIComponent(this.#pod.metadata.name)}`,
        { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, preconditions: { uid: this.uid } },
      );
    } catch (error) {
      if (!isNotFound(error))
        this.#ctx.log('finalizing pod deletion failed', { pod: this.key, error: String(error) });
    }
    await rm(join(this.dir, 'volumes'), { recursive: true, force: true });
    await rm(join(this.dir, 'rootfs'), { recursive: true, force: true });
  }

  #graceSeconds(): number {
    return Math.min(this.#pod.spec.terminationGracePeriodSeconds ?? MAX_GRACE_SECONDS, MAX_GRACE_SECONDS);
  }

  #markUnfinishedTerminated(): void {
    for (const c of this.#containers) {
      if ('terminated' in c.state) continue;
      c.state = {
        terminated: {
          exitCode: 137,
          reason: 'ContainerStatusUnknown',
          message: 'The container was killed before it finished',
          finishedAt: nowRfc3339(),
        },
      };
    }
  }

  /** SIGTERM every container's process group, SIGKILL after `graceSeconds`. */
  async #killAll(graceSeconds: number): Promise<void> {
    const running = this.#containers.filter((c) => c.child?.pid !== undefined);
    for (const c of this.#containers) clearTimeout(c.restartTimer);
    if (running.length === 0) return;
    for (const c of running) signalGroup(c.child!.pid!, graceSeconds > 0 ? 'SIGTERM' : 'SIGKILL');
    const exited = Promise.all(running.map((c) => c.exited));
    if (graceSeconds > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, graceSeconds * 1000)))]);
      clearTimeout(timer);
      for (const c of running) if (c.child?.pid !== undefined) signalGroup(c.child.pid, 'SIGKILL');
    }
    await exited;
  }

  #scheduleTokenRefresh(): void {
    for (const token of this.#tokens) {
      // refresh at 80% of the lifetime, as the kubelet does
      const lifetime = token.expiresAt.getTime() - Date.now();
      const timer = setTimeout(
        async () => {
          if (this.#stage !== 'running') return;
          try {
            const sources = apiSources(this.#ctx.rest, {
              namespace: this.#pod.metadata.namespace,
              name: this.#pod.metadata.name,
              uid: this.uid,
              serviceAccountName: this.#pod.spec.serviceAccountName ?? 'default',
            });
            const issued = await sources.token(token.audience, token.expirationSeconds);
            await writeAtomic(token.file, issued.token, token.mode);
            token.expiresAt = issued.expiresAt;
          } catch (error) {
            this.#ctx.log('token refresh failed', { pod: this.key, error: String(error) });
          }
          this.#scheduleTokenRefresh();
        },
        Math.max(lifetime * 0.8, 1000),
      );
      timer.unref();
      this.#timers.push(timer);
    }
  }

  #clearTimers(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers = [];
    for (const c of this.#containers) clearTimeout(c.restartTimer);
  }

  /** Queues a status write; identical consecutive statuses are written once. */
  #writeStatus(): void {
    const patch = podStatusPatch(
      {
        phase: this.#phase,
        startTime: this.#startTime,
        reason: this.#reason,
        message: this.#message,
        sandboxReady: this.#sandboxReady,
        containers: this.#containers.map((c) => ({
          name: c.spec.name,
          image: c.spec.image ?? '',
          state: c.state,
          lastState: c.lastState,
          restartCount: c.restartCount,
          containerID: c.containerID,
        })),
      },
      this.#transitions,
    );
    const body = JSON.stringify(patch);
    const { namespace, name } = this.#pod.metadata;
    this.#writes = this.#writes.then(async () => {
      if (body === this.#lastWritten || this.#stage === 'gone') return;
      try {
        await this.#ctx.rest.patch(
          `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/status`,
          patch,
          'strategic',
        );
        this.#lastWritten = body;
      } catch (error) {
        if (!isNotFound(error))
          this.#ctx.log('pod status write failed', { pod: this.key, error: String(error) });
      }
    });
  }
}

function baseEnv(rest: KubeRest, pod: Pod): Record<string, string> {
  const nodeBin = dirname(process.execPath);
  return {
    PATH: [nodeBin, ...(process.env.PATH ?? '').split(delimiter).filter((p) => p && p !== nodeBin)].join(
      delimiter,
    ),
    HOME: tmpdir(),
    HOSTNAME: pod.metadata.name,
    KUBERNETES_SERVICE_HOST: rest.server.hostname,
    KUBERNETES_SERVICE_PORT: rest.server.port || '443',
  };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}
