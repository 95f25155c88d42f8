// The compact JSON result the job writes to its termination message (Kubernetes keeps at most
// 4096 bytes). Shape: CompileResultSchema in operator/src/controllers/compile-job.ts, built from
// ArtifactSchema/CompileMessageSchema of @tessera/crds.
import type { Artifact } from '@tessera/crds';

export const TERMINATION_MESSAGE_LIMIT = 4096;

export interface CompileMessage {
  file: string;
  line?: number;
  column?: number;
  code: string;
  message: string;
}

export type JobResult =
  | { ok: true; artifact: Artifact; warnings?: CompileMessage[] }
  | { ok: false; kind: 'user' | 'infra'; message: string; errors?: CompileMessage[] };

export function clampMessage(m: CompileMessage): CompileMessage {
  return {
    file: m.file.slice(0, 512),
    ...(m.line !== undefined ? { line: Math.max(0, m.line) } : {}),
    ...(m.column !== undefined ? { column: Math.max(0, m.column) } : {}),
    code: m.code.slice(0, 64),
    message: m.message.slice(0, 1024),
  };
}

const byteLength = (s: string) => new TextEncoder().encode(s).length;

/** Serializes within the limit, dropping warnings/errors and then trimming lists and text. */
export function serializeResult(result: JobResult, limit = TERMINATION_MESSAGE_LIMIT): string {
  if (result.ok) {
    const warnings = (result.warnings ?? []).slice(0, 50).map(clampMessage);
    let artifact = result.artifact;
    for (;;) {
      const candidate: JobResult = { ok: true, artifact, ...(warnings.length ? { warnings } : {}) };
      const text = JSON.stringify(candidate);
      if (byteLength(text) <= limit) return text;
      if (warnings.length) {
        warnings.pop();
        continue;
      }
      if (artifact.pages.length > 1) {
        artifact = { ...artifact, pages: artifact.pages.slice(0, Math.floor(artifact.pages.length / 2)) };
        continue;
      }
      if ((artifact.subpackages?.length ?? 0) > 0) {
        artifact = { ...artifact, subpackages: artifact.subpackages?.slice(0, -1) ?? [] };
        continue;
      }
      return text; // cannot shrink further: digests and signature are fixed size
    }
  }
  const errors = (result.errors ?? []).slice(0, 20).map(clampMessage);
  let message = result.message.slice(0, 2048);
  for (;;) {
    const text = JSON.stringify({
      ok: false,
      kind: result.kind,
      message,
      ...(errors.length ? { errors } : {}),
    });
    if (byteLength(text) <= limit) return text;
    if (errors.length) errors.pop();
    else message = message.slice(0, Math.floor(message.length / 2));
  }
}
