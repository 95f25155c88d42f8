export { type Attributes, compileCondition, type Predicate, parseRfc3339 } from './conditions.ts';
export {
  type CompiledRelease,
  compileRelease,
  compileReleaseStrict,
  evaluate,
  GrayRuleError,
} from './engine.ts';
export { murmur3 } from './murmur.ts';
export { inRollout, normalizedHash } from './rollout.ts';
export { compareSemver, compareVersions, parseSemver, type SemVer } from './semver.ts';
export * from './types.ts';
export { MAX_CONDITIONS, MAX_INLINE_USER_IDS, validateRule } from './validate.ts';
