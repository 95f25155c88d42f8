export { type ArtifactReader, storeArtifactReader } from './controllers/artifact-evidence.ts';
export {
  COMPILE_ENV,
  COMPILER_COMMAND,
  COMPILER_IMAGE,
  KEYS_MOUNT_PATH,
  parseCompileResult,
  SOURCE_MOUNT_PATH,
} from './controllers/compile-job.ts';
export * from './controllers/names.ts';
export { KEY_FILES, KEY_GENERATION_ANNOTATION } from './controllers/tenant-keys.ts';
export {
  COMPILER_ROLE,
  compilerRoleRules,
  reviewRoleRules,
  roleRules,
} from './controllers/tenant-objects.ts';
export { createOperator, type Operator, type OperatorOptions } from './operator.ts';
