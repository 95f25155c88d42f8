// Starts a throw-away PostgreSQL and Redis for benchmarks and manual runs, prints one JSON line
// {"postgresUrl": …, "redisUrl": …} and keeps them until stdin closes or SIGTERM/SIGINT, then
// removes them. Usage: node e2e/src/infra/cli.ts   (used by services/store/bench)

import { startPostgres } from './postgres.ts';
import { startRedis } from './redis.ts';

const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled([pg.destroy(), redis.destroy()]);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
process.stdout.write(`${JSON.stringify({ postgresUrl: pg.url, redisUrl: redis.url })}\n`);
