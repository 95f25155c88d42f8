// Lease-based leader election (coordination.k8s.io/v1), following client-go:
//  - a candidate takes the lease when it is free or its holder has not renewed it for
//    leaseDuration, measured on the candidate's own clock from when it last saw the record change
//    (clocks of different nodes are never compared);
//  - the leader renews every retryPeriod; if it has not renewed successfully for renewDeadline
//    (< leaseDuration) it gives up leadership, so it stops reconciling before anyone else may
//    take over;
//  - release() on graceful shutdown hands the lease over at once.
import { sleep } from './backoff.ts';
import { isAlreadyExists, isConflict, type KubeClient } from './kube-client.ts';
import type { Logger } from './logger.ts';
import type { KubeObject } from './object.ts';
import { Leases } from './resources.ts';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}
type Lease = KubeObject & { spec?: LeaseSpec };

const microTime = (d: Date) => `${d.toISOString().slice(0, 23)}000Z`;

export class LeaderElector {
  readonly #client: KubeClient;
  readonly #log: Logger;
  readonly #o: Required<LeaderElectionOptions>;
  #observedKey = '';
  #observedAt = 0;
  #lastRenew = 0;
  #leading = false;

  constructor(client: KubeClient, log: Logger, options: LeaderElectionOptions) {
    this.#client = client;
    this.#log = log.child({ lease: `${options.namespace}/${options.name}`, identity: options.identity });
    this.#o = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...options };
    if (this.#o.renewDeadlineMs >= this.#o.leaseDurationMs) {
      throw new Error('leader election: renewDeadline must be shorter than leaseDuration');
    }
  }

  get leading(): boolean {
    return this.#leading;
  }

  /**
   * Blocks until this process leads (then calls onStarted), keeps renewing, and calls onStopped
   * once when leadership is lost. Resolves when leadership ends or the signal aborts.
   */
  async run(
    signal: AbortSignal,
    onStarted: (leadership: AbortSignal) => void,
    onStopped: () => void,
  ): Promise<void> {
    while (!signal.aborted && !(await this.#tryAcquireOrRenew())) {
      await sleep(this.#o.retryPeriodMs * (1 + Math.random() * 0.2), signal);
    }
    if (signal.aborted) return;
    this.#leading = true;
    this.#lastRenew = performance.now();
    this.#log.info('became leader');
    const leadership = new AbortController();
    onStarted(leadership.signal);
    const lose = (why: string) => {
      if (!this.#leading) return;
      this.#leading = false;
      this.#log.warn('lost leadership; stopping controllers', { why });
      leadership.abort();
      onStopped();
    };
    // The watchdog fires even while a renew request hangs.
    const watchdog = setInterval(
      () => {
        if (performance.now() - this.#lastRenew > this.#o.renewDeadlineMs) lose('renew deadline exceeded');
      },
      Math.min(500, this.#o.retryPeriodMs),
    );
    try {
      while (!signal.aborted && this.#leading) {
        await sleep(this.#o.retryPeriodMs, signal);
        if (signal.aborted || !this.#leading) break;
        const ok = await this.#tryAcquireOrRenew();
        if (ok) this.#lastRenew = performance.now();
        else if (this.#observedHolder !== this.#o.identity) lose('another holder took the lease');
      }
    } finally {
      clearInterval(watchdog);
    }
  }

  #observedHolder = '';

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity, leaseDurationMs } = this.#o;
    const now = new Date();
    const timeout = AbortSignal.timeout(Math.max(500, this.#o.renewDeadlineMs / 2));
    try {
      const lease = await Promise.race([
        this.#client.get<Lease>(Leases, namespace, name),
        new Promise<never>((_, reject) =>
          timeout.addEventListener('abort', () => reject(new Error('lease get timed out'))),
        ),
      ]);
      const durationSeconds = Math.max(1, Math.round(leaseDurationMs / 1000));
      if (!lease) {
        await this.#client.create<Lease>(Leases, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds: durationSeconds,
            acquireTime: microTime(now),
            renewTime: microTime(now),
            leaseTransitions: 0,
          },
        });
        this.#observe(identity, `${identity}|new`);
        return true;
      }
      const spec = lease.spec ?? {};
      const holder = spec.holderIdentity ?? '';
      const key = `${holder}|${spec.renewTime ?? ''}|${lease.metadata?.resourceVersion ?? ''}`;
      this.#observe(holder, key);
      const heldByOther = holder !== '' && holder !== identity;
      const observedDuration = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
      if (heldByOther && performance.now() - this.#observedAt < observedDuration) return false;
      const transitions = (spec.leaseTransitions ?? 0) + (holder === identity ? 0 : 1);
      const updated = await this.#client.update<Lease>(Leases, {
        ...lease,
        spec: {
          holderIdentity: identity,
          leaseDurationSeconds: durationSeconds,
          acquireTime: holder === identity && spec.acquireTime ? spec.acquireTime : microTime(now),
          renewTime: microTime(now),
          leaseTransitions: transitions,
        },
      });
      this.#observe(
        identity,
        `${identity}|${updated.spec?.renewTime ?? ''}|${updated.metadata?.resourceVersion ?? ''}`,
      );
      return true;
    } catch (e) {
      if (!isConflict(e) && !isAlreadyExists(e)) this.#log.warn('lease update failed', { error: e });
      return false;
    }
  }

  #observe(holder: string, key: string): void {
    this.#observedHolder = holder;
    if (key !== this.#observedKey) {
      this.#observedKey = key;
      this.#observedAt = performance.now();
    }
  }

  /** Give the lease up (graceful shutdown) so a standby takes over without waiting. */
  async release(): Promise<void> {
    if (!this.#leading) return;
    this.#leading = false;
    const { namespace, name, identity } = this.#o;
    try {
      const lease = await this.#client.get<Lease>(Leases, namespace, name);
      if (!lease || lease.spec?.holderIdentity !== identity) return;
      const now = microTime(new Date());
      await this.#client.update<Lease>(Leases, {
        ...lease,
        spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now },
      });
      this.#log.info('released leadership');
    } catch (e) {
      this.#log.warn('could not release the lease; a standby takes over when it expires', { error: e });
    }
  }
}
