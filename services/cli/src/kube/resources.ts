// API paths of the resources the CLI reads and writes, and zod parsing of what comes back (the
// API server is a trust boundary: an object that does not match the schema is reported, not used).

import {
  API_VERSION,
  type GrayRule,
  GrayRuleKind,
  GrayRuleSchema,
  type KindInfo,
  type MiniProgram,
  MiniProgramKind,
  MiniProgramSchema,
  type MiniProgramVersion,
  MiniProgramVersionKind,
  MiniProgramVersionSchema,
} from '@tessera/crds';
import type { z } from 'zod';
import { infraError } from '../errors.ts';
import type { KubeClient } from './client.ts';

export const FIELD_MANAGER = 'kubectl-tessera';
/** Set by `abort` on each GrayRule it paused: the reason given (or "aborted"), and when. */
export const ABORTED_ANNOTATION = 'tessera.dev/aborted';
export const ABORTED_AT_ANNOTATION = 'tessera.dev/aborted-at';

export function crdPath(kind: KindInfo, namespace: string, name?: string, subresource?: string): string {
  let p = `/apis/${API_VERSION}/namespaces/${encodeURIComponent(namespace)}/${kind.plural}`;
  if (name) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

export const corePath = (plural: string, namespace?: string, name?: string) =>
  `/api/v1${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${plural}${name ? `/${encodeURIComponent(name)}` : ''}`;

function parseAs<S extends z.ZodType>(schema: S, kind: KindInfo, raw: unknown): z.infer<S> {
  const withType = { apiVersion: API_VERSION, kind: kind.kind, ...(raw as object) };
  const r = schema.safeParse(withType);
  if (!r.success) {
    const name = (raw as { metadata?: { name?: string } }).metadata?.name ?? '?';
    throw infraError(
      `${kind.kind} ${name} from the API server does not match the schema this CLI knows (${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}); upgrade the CLI`,
    );
  }
  return r.data;
}

export const parseMiniProgram = (raw: unknown): MiniProgram =>
  parseAs(MiniProgramSchema, MiniProgramKind, raw);
export const parseVersion = (raw: unknown): MiniProgramVersion =>
  parseAs(MiniProgramVersionSchema, MiniProgramVersionKind, raw);
export const parseGrayRule = (raw: unknown): GrayRule => parseAs(GrayRuleSchema, GrayRuleKind, raw);

export async function getMiniProgram(
  kube: KubeClient,
  ns: string,
  name: string,
): Promise<MiniProgram | undefined> {
  const raw = await kube.get(crdPath(MiniProgramKind, ns, name));
  return raw === undefined ? undefined : parseMiniProgram(raw);
}

export async function getVersion(
  kube: KubeClient,
  ns: string,
  name: string,
): Promise<MiniProgramVersion | undefined> {
  const raw = await kube.get(crdPath(MiniProgramVersionKind, ns, name));
  return raw === undefined ? undefined : parseVersion(raw);
}

export async function listVersions(
  kube: KubeClient,
  ns: string,
  miniProgram: string,
): Promise<MiniProgramVersion[]> {
  const items = await kube.list(crdPath(MiniProgramVersionKind, ns));
  return items.filter((i) => specMiniProgram(i) === miniProgram).map(parseVersion);
}

export async function listGrayRules(kube: KubeClient, ns: string, miniProgram: string): Promise<GrayRule[]> {
  const items = await kube.list(crdPath(GrayRuleKind, ns));
  return items.filter((i) => specMiniProgram(i) === miniProgram).map(parseGrayRule);
}

// Filter before parsing, so an unrelated malformed object does not break the command.
const specMiniProgram = (raw: unknown) => (raw as { spec?: { miniProgram?: unknown } }).spec?.miniProgram;

/** A version name safe as an object name: <mini-program>-<version>, lower-cased, "+" as "-". */
export function versionObjectName(miniProgram: string, version: string): string {
  return `${miniProgram}-${version.toLowerCase().replace(/[^a-z0-9.-]/g, '-')}`
    .slice(0, 253)
    .replace(/[-.]+$/, '');
}
