// @tessera/compiler — WXML/WXSS/JS mini-program compiler, package writer, compile job.
export {
  DEFAULT_UNPACK_LIMITS,
  UnpackError,
  type UnpackErrorCode,
  type UnpackLimits,
} from './archive/limits.ts';
export { stripSingleRoot, unpackArchive } from './archive/unpack.ts';
export { type CompatEntry, CompileError, type CompileErrorCode, type CompileErrorJson } from './errors.ts';
export { type PackagedArtifact, packageArtifacts, type TenantKeyMaterial } from './package-artifacts.ts';
export { CompileCache } from './project/cache.ts';
export { type CompatCheck, checkCompat, type PageCompat } from './project/compat-check.ts';
export {
  type Artifact,
  CompileFailure,
  type CompileOptions,
  type CompileReport,
  type CompileResult,
  compileProject,
} from './project/compile-project.ts';
export { readSourceDir, SourceDirError } from './project/read-dir.ts';
export type { SourceTree } from './project/source-tree.ts';
export { COMPILER_VERSION } from './version.ts';
export { type CompileWxmlInput, type CompileWxmlOutput, compileWxml } from './wxml/codegen.ts';
export { parseExpression } from './wxml/expression.ts';
export { parseWxml } from './wxml/parser.ts';
export { compileWxss } from './wxss/compile.ts';
