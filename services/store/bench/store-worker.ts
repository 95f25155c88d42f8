// A benchmark server process forked by bench/workers.ts (node:cluster; every worker shares the
// port). BENCH_WORKER_MODE=hello: the baseline (bare node:http). BENCH_WORKER_MODE=store: a
// store replica whose release state is built from the fixture file, as an informer would.
// Sends { url } to the primary once listening.

import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { startStore } from '../src/store.ts';
import { type Fixture, stateFromFixture } from './fixture.ts';

const { BENCH_WORKER_MODE, BENCH_FIXTURE = '', DATABASE_URL, REDIS_URL } = process.env;

async function listen(): Promise<{ url: string; close(): Promise<void> }> {
  if (BENCH_WORKER_MODE === 'hello') {
    const hello = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('hello');
    });
    await new Promise<void>((r) => hello.listen(0, '127.0.0.1', r));
    return {
      url: `http://127.0.0.1:${(hello.address() as AddressInfo).port}`,
      close: () => new Promise((r) => hello.close(() => r())),
    };
  }
  const fixture = JSON.parse(await readFile(BENCH_FIXTURE, 'utf8')) as Fixture;
  return startStore({
    databaseUrl: DATABASE_URL,
    redisUrl: REDIS_URL,
    state: await stateFromFixture(fixture),
    logger: pino({ level: 'warn' }),
    groups: ['device'],
    webhookIntervalMs: 0,
  });
}

const server = await listen();
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
process.send?.({ url: server.url });
