// Top entries of a V8 CPU profile by self time (`node bench/profile-top.ts <file.cpuprofile>
// [--window <startUs>:<endUs>] [--requests <n>]`): only samples inside the window (the
// profile's monotonic clock, as bench/profile-launch.ts prints it), in µs per request when the
// request count is given. TOP (30) entries; idle and "(program)" are left out of the busy time.

import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}

const args = process.argv.slice(2);
const file = args[0];
if (!file)
  throw new Error('usage: node bench/profile-top.ts <file.cpuprofile> [--window a:b] [--requests n]');
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const [from, to] = (opt('--window') ?? `0:${Number.MAX_SAFE_INTEGER}`).split(':').map(Number) as [
  number,
  number,
];
const requests = Number(opt('--requests') ?? 0);

const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const frames = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
const self = new Map<string, number>();
let t = p.startTime;
let busy = 0;
for (let i = 0; i < p.samples.length; i++) {
  t += p.timeDeltas[i] ?? 0;
  const dt = p.timeDeltas[i + 1] ?? 0;
  if (t < from || t > to) continue;
  const cf = frames.get(p.samples[i] as number);
  if (!cf || cf.functionName === '(idle)' || cf.functionName === '(program)') continue;
  const where = cf.url
    ? ` ${cf.url.replace(/^file:\/\/.*?\/(node_modules|services|runtime-sdk|crds)\//, '$1/')}:${cf.lineNumber + 1}`
    : '';
  const key = `${cf.functionName || '(anonymous)'}${where}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  busy += dt;
}
console.log(
  `busy ${(busy / 1e6).toFixed(2)} s${requests ? ` for ${requests} requests: ${(busy / requests).toFixed(1)} µs/request` : ''}`,
);
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 30))) {
  const share = `${((us / busy) * 100).toFixed(1)}%`.padStart(6);
  console.log(`${share}${requests ? `${(us / requests).toFixed(1).padStart(7)} µs` : ''}  ${key}`);
}
