// Test helper: the CompileFailure a source tree must produce.
import { CompileFailure, compileProject } from '../project/compile-project.ts';
import type { SourceTree } from '../project/source-tree.ts';

export async function compileFailure(tree: SourceTree): Promise<CompileFailure> {
  try {
    await compileProject(tree);
  } catch (e) {
    if (e instanceof CompileFailure) return e;
    throw e;
  }
  throw new Error('expected the compile to fail');
}
