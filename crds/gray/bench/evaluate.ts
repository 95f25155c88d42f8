// Gray rule evaluation throughput, in-process. Realistic release: 20 rules per mini-program
// (mixed operators, regex, semver, rollout), one rule with a 100,000-id user list.
// Baseline in the same run: a bare Map lookup + murmur hash per iteration (the floor).
// Bounded: fixed iteration counts.

import { compileRelease, evaluate, type GrayRuleInput, murmur3 } from '../src/index.ts';

const ITERATIONS = 1_000_000;
const now = Date.parse('2026-06-01T00:00:00Z');

const ids = Array.from({ length: 100_000 }, (_, i) => `listed-${i}`);
const rules: GrayRuleInput[] = Array.from({ length: 20 }, (_, i) => ({
  name: `rule-${i}`,
  miniProgram: 'bench-mp',
  version: `2.0.${i}`,
  priority: 20 - i,
  userIds: i === 0 ? ids : undefined,
  match:
    i === 0
      ? undefined
      : {
          all: [
            { attribute: 'region', operator: 'In', values: [`region-${i}`, `region-${i + 100}`] },
            { attribute: 'appVersion', operator: 'SemverGte', values: ['3.1.0'] },
          ],
          any: [
            { attribute: 'email', operator: 'Matches', values: [`@corp${i}\\.example\\.com$`] },
            { attribute: 'age', operator: 'Gte', values: ['18'] },
          ],
        },
  rollout: i === 0 ? undefined : { percentage: 12.5 },
}));

const t0 = performance.now();
const compiled = compileRelease({ miniProgram: 'bench-mp', stableVersion: '1.0.0', rules });
const compileMs = performance.now() - t0;

const contexts = Array.from({ length: 1024 }, (_, i) => ({
  userId: i % 8 === 0 ? `listed-${i * 13}` : `user-${i}`,
  attributes: {
    region: `region-${i % 40}`,
    appVersion: i % 2 ? '3.2.0' : '3.0.9',
    email: `u${i}@corp${i % 30}.example.com`,
    age: i % 90,
  },
  now,
}));

function run(label: string, fn: (i: number) => unknown): number {
  for (let i = 0; i < 50_000; i++) fn(i); // warm-up
  const start = performance.now();
  let sink = 0;
  for (let i = 0; i < ITERATIONS; i++) if (fn(i)) sink++;
  const ms = performance.now() - start;
  const perSec = (ITERATIONS / ms) * 1000;
  console.log(
    `${label.padEnd(44)} ${Math.round(perSec).toLocaleString('en-US').padStart(14)} /s  (${sink} truthy)`,
  );
  return perSec;
}

console.log(`compileRelease: 20 rules + 100,000-id list in ${compileMs.toFixed(1)} ms`);
const map = new Map(ids.map((id) => [id, 1]));
const baseline = run('baseline: Map.get + murmur3 per request', (i) => {
  const c = contexts[i & 1023];
  return map.get(c?.userId ?? '') ?? murmur3(`g:${c?.userId}`) % 100;
});
const full = run('evaluate (full precedence, 20 rules)', (i) =>
  evaluate(compiled, contexts[i & 1023] as (typeof contexts)[0]),
);
const oneRule = compileRelease({
  miniProgram: 'bench-mp',
  stableVersion: '1.0.0',
  rules: [rules[1] as GrayRuleInput],
});
const single = run('evaluate (one rule: 4 conditions + rollout)', (i) =>
  evaluate(oneRule, contexts[i & 1023] as (typeof contexts)[0]),
);
console.log(
  JSON.stringify({
    bench: 'gray.evaluate',
    resolutionsPerSecond20Rules: Math.round(full),
    evaluationsPerSecondOneRule: Math.round(single),
    baselinePerSecond: Math.round(baseline),
    target: 1_000_000,
  }),
);
