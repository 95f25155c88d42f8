import { describe, expect, it } from 'vitest';
import { ItemExponentialRateLimiter } from './rate-limiter.ts';
import { WorkQueue } from './workqueue.ts';

const noLimit = () => new ItemExponentialRateLimiter(1, 1);

describe('WorkQueue', () => {
  it('queues a key at most once', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('a');
    q.add('b');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.length).toBe(0);
  });

  it('never hands a key in progress to a second worker, and re-queues it on done if it changed', async () => {
    const q = new WorkQueue();
    q.add('a');
    const first = await q.get();
    expect(first).toBe('a');
    q.add('a'); // changed while processing
    expect(q.length).toBe(0);
    let second: string | undefined;
    void q.get().then((k) => {
      second = k;
    });
    await Promise.resolve();
    expect(second).toBeUndefined();
    q.done('a');
    await Promise.resolve();
    expect(second).toBe('a');
  });

  it('does not re-queue a key on done when it did not change', async () => {
    const q = new WorkQueue();
    q.add('a');
    await q.get();
    q.done('a');
    expect(q.length).toBe(0);
  });

  it('wakes a waiting worker on add', async () => {
    const q = new WorkQueue();
    const p = q.get();
    q.add('x');
    expect(await p).toBe('x');
  });

  it('addAfter delays and keeps the earliest deadline', async () => {
    const q = new WorkQueue();
    q.addAfter('a', 60_000);
    q.addAfter('a', 5);
    expect(q.length).toBe(0);
    expect(await q.get()).toBe('a');
    q.done('a');
    await q.shutdown();
  });

  it('addRateLimited backs off exponentially per key and forget resets it', () => {
    const limiter = new ItemExponentialRateLimiter(5, 1000);
    expect([limiter.when('k'), limiter.when('k'), limiter.when('k'), limiter.when('k')]).toEqual([
      5, 10, 20, 40,
    ]);
    expect(limiter.when('other')).toBe(5);
    expect(limiter.numRequeues('k')).toBe(4);
    limiter.forget('k');
    expect(limiter.when('k')).toBe(5);
    for (let i = 0; i < 40; i++) limiter.when('k');
    expect(limiter.when('k')).toBe(1000);
  });

  it('counts requeues through the queue', async () => {
    const q = new WorkQueue({ rateLimiter: noLimit() });
    q.addRateLimited('a');
    q.addRateLimited('a');
    expect(q.numRequeues('a')).toBe(2);
    q.forget('a');
    expect(q.numRequeues('a')).toBe(0);
    expect(await q.get()).toBe('a');
    q.done('a');
    await q.shutdown();
  });

  it('shutdown releases idle workers and waits for in-flight keys', async () => {
    const q = new WorkQueue();
    q.add('a');
    await q.get();
    const idle = q.get();
    let drained = false;
    const s = q.shutdown().then(() => {
      drained = true;
    });
    expect(await idle).toBeUndefined();
    await Promise.resolve();
    expect(drained).toBe(false);
    q.add('b'); // ignored after shutdown
    q.done('a');
    await s;
    expect(drained).toBe(true);
    expect(await q.get()).toBeUndefined();
  });

  it('handles many keys and many duplicates without growing', async () => {
    const q = new WorkQueue();
    for (let round = 0; round < 5; round++) for (let i = 0; i < 10_000; i++) q.add(`k${i}`);
    expect(q.length).toBe(10_000);
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const k = (await q.get()) as string;
      seen.add(k);
      q.done(k);
    }
    expect(seen.size).toBe(10_000);
    expect(q.length).toBe(0);
  });

  it('accepts hostile keys verbatim', async () => {
    const q = new WorkQueue();
    const keys = ['', '/', 'a/b/c', '\u0000', 'x'.repeat(100_000), '__proto__', 'constructor'];
    for (const k of keys) q.add(k);
    const got: Array<string | undefined> = [];
    for (const _ of keys) got.push(await q.get());
    expect(got).toEqual(keys);
  });
});
