// The engine against the Unleash client specification (npm @unleash/client-specification):
// every isEnabled case whose toggle GrayRule can express must give Unleash's answer. Cases it
// cannot express are listed below with the reason, so the count cannot grow unnoticed.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileRelease, evaluate } from '../engine.ts';
import {
  TRANSLATED,
  toContext,
  translateFeature,
  type UnleashContext,
  type UnleashFeature,
  type UnleashSegment,
  type UnleashState,
} from './translate.ts';

interface SpecFile {
  name: string;
  state: UnleashState | { events: DeltaEvent[] };
  tests?: { description: string; context: UnleashContext; toggleName: string; expectedResult: boolean }[];
  variantTests?: { description: string; toggleName: string }[];
}

type DeltaEvent =
  | { type: 'hydration'; features: UnleashFeature[]; segments?: UnleashSegment[] }
  | { type: 'feature-updated'; feature: UnleashFeature }
  | { type: 'feature-removed'; featureName: string }
  | { type: 'segment-updated'; segment: UnleashSegment };

const root = join(
  dirname(createRequire(import.meta.url).resolve('@unleash/client-specification/package.json')),
  'specifications',
);
const files = (JSON.parse(readFileSync(join(root, 'index.json'), 'utf8')) as string[]).map(
  (f) => JSON.parse(readFileSync(join(root, f), 'utf8')) as SpecFile,
);

/** The toggle state a client holds after the delta API's events (files 19 and 20). */
function stateOf(spec: SpecFile): UnleashState {
  if (!('events' in spec.state)) return spec.state;
  const features = new Map<string, UnleashFeature>();
  const segments = new Map<number, UnleashSegment>();
  for (const e of spec.state.events) {
    if (e.type === 'hydration') {
      for (const f of e.features) features.set(f.name, f);
      for (const s of e.segments ?? []) segments.set(s.id, s);
    } else if (e.type === 'feature-updated') features.set(e.feature.name, e.feature);
    else if (e.type === 'feature-removed') features.delete(e.featureName);
    else segments.set(e.segment.id, e.segment);
  }
  return { features: [...features.values()], segments: [...segments.values()] };
}

// Cases GrayRule cannot express, by specification file and toggle, with the reason the
// translation gives (toggle names repeat across files). Dependent toggles (file 17) are
// matched by DEPENDENT.
const INEXPRESSIBLE: Record<string, RegExp> = {
  '06-remote-address-strategy/Feature.remoteAddress.C': /admission refuses.*IP address or CIDR range/,
  '09-strategy-constraints/Feature.constraints.empty': /admission refuses.*In needs at least one value/,
  '09-strategy-constraints/Feature.constraints.empty-not-in':
    /admission refuses.*NotIn needs at least one value/,
  '11-strategy-constraints-edge-cases/Feature.constraints.no_values':
    /admission refuses.*In needs at least one value/,
  '11-strategy-constraints-edge-cases/Feature.constraints.no_values_NOT_IN':
    /admission refuses.*NotIn needs at least one value/,
  '13-constraint-operators/F7.invalid-operator': /operator NOT_A_VALID_OPERATOR does not exist/,
  '14-constraint-semver-operators/F8.invalidSemverWithLeadingV': /admission refuses.*semantic version/,
  '15-global-constraints/F9.withMissingSegment': /segment 404 does not exist/,
  '21-regex-constraint-operators/invalid-regex-defaults-to-false': /admission refuses.*RE2/,
  '21-regex-constraint-operators/R90.reject_lookahead': /admission refuses.*RE2/,
  '21-regex-constraint-operators/R91.reject_backreference': /admission refuses.*RE2/,
  '22-cidr-constraint-operator/CIDR.mixed.values': /admission refuses.*IP address or CIDR range/,
  '22-cidr-constraint-operator/CIDR.invalid.only': /admission refuses.*IP address or CIDR range/,
  '22-cidr-constraint-operator/CIDR.ipv6.mixed.values': /admission refuses.*IP address or CIDR range/,
};
const DEPENDENT = /depends on other toggles/;

const tally = { passed: 0, failed: 0, inexpressible: 0, variants: 0 };
const reasons = new Map<string, number>();

describe('Unleash client specification', () => {
  for (const spec of files) {
    const state = stateOf(spec);
    describe(spec.name, () => {
      for (const t of spec.tests ?? []) {
        const key = `${spec.name}/${t.toggleName}`;
        const translated = translateFeature(t.toggleName, state);
        if (!translated.ok) {
          it(`cannot express ${t.toggleName}: ${t.description}`, () => {
            tally.inexpressible++;
            reasons.set(translated.reason, (reasons.get(translated.reason) ?? 0) + 1);
            expect(translated.reason).toMatch(INEXPRESSIBLE[key] ?? DEPENDENT);
          });
          continue;
        }
        it(t.description, () => {
          expect(INEXPRESSIBLE[key], 'listed as inexpressible but translated').toBeUndefined();
          const release = compileRelease({
            miniProgram: TRANSLATED.miniProgram,
            stableVersion: '1.0.0',
            rules: translated.rules,
          });
          expect(release.rejected).toEqual([]);
          const resolution = evaluate(release, toContext(t.context));
          const enabled = resolution.kind === 'gray-rule' || resolution.kind === 'user-list';
          if (enabled === t.expectedResult) tally.passed++;
          else tally.failed++;
          expect(enabled).toBe(t.expectedResult);
        });
      }
      // Variants pick one of several payloads for an enabled toggle; a GrayRule gives one
      // candidate version, so none of these cases is expressible.
      for (const t of spec.variantTests ?? []) {
        it(`cannot express variants: ${t.toggleName}: ${t.description}`, () => {
          tally.variants++;
        });
      }
    });
  }

  afterAll(() => {
    const expressible = tally.passed + tally.failed;
    console.log(
      `Unleash specification: ${tally.passed}/${expressible} expressible isEnabled cases pass (${((100 * tally.passed) / Math.max(1, expressible)).toFixed(1)}%); ${tally.inexpressible} isEnabled cases and ${tally.variants} variant cases not expressible`,
    );
    for (const [reason, n] of reasons) console.log(`  ${n} × ${reason}`);
  });
});
