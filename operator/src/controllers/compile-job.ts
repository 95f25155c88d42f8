// The compile Job contract, in one module so the pod runner (which plays kubelet in tests) can
// map image, command, env and mounts to a local process:
//  - image COMPILER_IMAGE, command COMPILER_COMMAND;
//  - env COMPILE_ENV.* describe the version and where its source is;
//  - the tenant key Secret is mounted read-only at KEYS_MOUNT_PATH;
//  - a projected service-account token for the store (audience STORE_TOKEN_AUDIENCE) at
//    STORE_TOKEN_PATH; the ServiceAccount has no RBAC bindings and no automounted API token;
//  - the container writes a CompileResult as JSON to its termination message
//    (/dev/termination-log, at most 4 KiB, so warnings are truncated).

import { type KubeObject, ownerReferenceTo } from '@tessera/controller-runtime';
import { ArtifactSchema, CompileMessageSchema, type MiniProgramVersion, type Tenant } from '@tessera/crds';
import { z } from 'zod';
import {
  COMPILER_SERVICE_ACCOUNT,
  KEY_SECRET_NAME,
  LABEL_COMPONENT,
  LABEL_MPV,
  managedLabels,
} from './names.ts';

export const COMPILER_IMAGE = 'tessera/compiler';
export const COMPILER_COMMAND = ['node', '/app/services/compiler/src/job/main.ts'];
export const KEYS_MOUNT_PATH = '/var/run/tessera/keys';
export const STORE_TOKEN_PATH = '/var/run/tessera/store-token';
export const STORE_TOKEN_AUDIENCE = 'tessera-store';
export const WORK_DIR = '/work';
/** configMap sources: the ConfigMap is mounted here (keys are paths with / encoded as __). */
export const SOURCE_MOUNT_PATH = '/var/run/tessera/source';
export const COMPILE_ENV = {
  tenant: 'TESSERA_TENANT',
  namespace: 'TESSERA_NAMESPACE',
  version: 'TESSERA_VERSION',
  versionName: 'TESSERA_VERSION_NAME',
  miniProgram: 'TESSERA_MINI_PROGRAM',
  appId: 'TESSERA_APP_ID',
  source: 'TESSERA_SOURCE',
  storeUrl: 'TESSERA_STORE_URL',
  keysDir: 'TESSERA_KEYS_DIR',
  storeTokenFile: 'TESSERA_STORE_TOKEN_FILE',
  maxPackageBytes: 'TESSERA_MAX_PACKAGE_BYTES',
  workDir: 'TESSERA_WORK_DIR',
  sourceDir: 'TESSERA_SOURCE_DIR',
} as const;
/** Exit code of a compile that failed because of the source (no retry); others are retried. */
export const COMPILE_ERROR_EXIT_CODE = 2;

export interface CompileJobOptions {
  image?: string;
  storeUrl: string;
}

/** What the Job signs into the package index besides the version: the MiniProgram's appId. */
export interface CompileTarget {
  appId: string;
}

export function compileJob(
  mpv: MiniProgramVersion,
  tenant: Tenant,
  jobName: string,
  options: CompileJobOptions,
  target?: CompileTarget,
): KubeObject & { metadata: { name: string; namespace: string }; spec: Record<string, unknown> } {
  const ns = mpv.metadata.namespace ?? '';
  const tenantName = tenant.metadata.name ?? '';
  const labels = managedLabels(tenantName, {
    [LABEL_COMPONENT]: 'compile',
    [LABEL_MPV]: mpv.metadata.name ?? '',
  });
  const env: Record<string, string> = {
    [COMPILE_ENV.tenant]: tenantName,
    [COMPILE_ENV.namespace]: ns,
    [COMPILE_ENV.versionName]: mpv.metadata.name ?? '',
    [COMPILE_ENV.miniProgram]: mpv.spec.miniProgram,
    ...(target ? { [COMPILE_ENV.appId]: target.appId } : {}),
    [COMPILE_ENV.version]: mpv.spec.version,
    [COMPILE_ENV.source]: JSON.stringify(mpv.spec.source),
    [COMPILE_ENV.storeUrl]: options.storeUrl,
    [COMPILE_ENV.keysDir]: KEYS_MOUNT_PATH,
    [COMPILE_ENV.storeTokenFile]: `${STORE_TOKEN_PATH}/token`,
    [COMPILE_ENV.maxPackageBytes]: String(tenant.spec.quotas?.packageBytes ?? 50 * 1024 * 1024),
    [COMPILE_ENV.workDir]: WORK_DIR,
  };
  const sourceConfigMap = mpv.spec.source.configMap?.name;
  if (sourceConfigMap) env[COMPILE_ENV.sourceDir] = SOURCE_MOUNT_PATH;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: jobName, namespace: ns, labels, ownerReferences: [ownerReferenceTo(mpv)] },
    spec: {
      backoffLimit: 2,
      activeDeadlineSeconds: 900,
      ttlSecondsAfterFinished: 86400,
      podFailurePolicy: {
        rules: [
          { action: 'FailJob', onExitCodes: { operator: 'In', values: [COMPILE_ERROR_EXIT_CODE] } },
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        ],
      },
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: COMPILER_SERVICE_ACCOUNT,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65532,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'compile',
              image: options.image ?? COMPILER_IMAGE,
              command: COMPILER_COMMAND,
              env: Object.entries(env).map(([name, value]) => ({ name, value })),
              resources: {
                requests: { cpu: '250m', memory: '256Mi', 'ephemeral-storage': '256Mi' },
                limits: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '1Gi' },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              terminationMessagePolicy: 'File',
              volumeMounts: [
                { name: 'keys', mountPath: KEYS_MOUNT_PATH, readOnly: true },
                { name: 'store-token', mountPath: STORE_TOKEN_PATH, readOnly: true },
                { name: 'work', mountPath: WORK_DIR },
                ...(sourceConfigMap
                  ? [{ name: 'source', mountPath: SOURCE_MOUNT_PATH, readOnly: true }]
                  : []),
              ],
            },
          ],
          volumes: [
            { name: 'keys', secret: { secretName: KEY_SECRET_NAME, defaultMode: 0o400 } },
            {
              name: 'store-token',
              projected: {
                sources: [
                  {
                    serviceAccountToken: {
                      audience: STORE_TOKEN_AUDIENCE,
                      expirationSeconds: 3600,
                      path: 'token',
                    },
                  },
                ],
              },
            },
            { name: 'work', emptyDir: { sizeLimit: '1Gi' } },
            ...(sourceConfigMap ? [{ name: 'source', configMap: { name: sourceConfigMap } }] : []),
          ],
        },
      },
    },
  };
}

/** What the compile container writes to its termination message. */
export const CompileResultSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    artifact: ArtifactSchema,
    warnings: z.array(CompileMessageSchema).max(50).optional(),
  }),
  z.object({
    ok: z.literal(false),
    /** user: the source is wrong (no retry helps); infra: the environment failed. */
    kind: z.enum(['user', 'infra']).optional(),
    message: z.string().max(4096),
    errors: z.array(CompileMessageSchema).max(20).optional(),
  }),
]);
export type CompileResult = z.infer<typeof CompileResultSchema>;

/**
 * Parses a termination message. Anything that is not a valid result (a crash, truncated JSON, an
 * oversized or hostile message) becomes a failure whose message says so, never an exception.
 */
export function parseCompileResult(
  message: string | undefined,
): CompileResult | { ok: false; message: string; invalid: true } {
  if (!message)
    return {
      ok: false,
      message: 'the compile container wrote no result to its termination message',
      invalid: true,
    };
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return { ok: false, message: `the compile result is not JSON: ${sanitize(message)}`, invalid: true };
  }
  const r = CompileResultSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    return {
      ok: false,
      message: `the compile result does not match the expected format at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? ''}`,
      invalid: true,
    };
  }
  return r.data;
}

function sanitize(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strip control characters from logs/status
  return s.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 200);
}
