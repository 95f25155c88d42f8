export { CHROMIUM_ARGS, CHROMIUM_PATH, launchBrowser, type TestBrowser } from './browser.ts';
export { freePort } from './ports.ts';
export { type PostgresServer, startPostgres } from './postgres.ts';
export { type RedisServer, startRedis } from './redis.ts';
