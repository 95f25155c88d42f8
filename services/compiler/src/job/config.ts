// Compile-job configuration: environment variables (set by the operator, see
// operator/src/controllers/compile-job.ts) and mounted files. Validated with zod.
//
//   TESSERA_SOURCE                 JSON of MiniProgramVersion.spec.source (upload | url | configMap)
//   TESSERA_TENANT                 tenant name (store URL path)
//   TESSERA_STORE_URL              base URL of the store, e.g. http://tessera-store.tessera-system:8080
//   TESSERA_STORE_TOKEN_FILE       bearer token for the store (projected SA token), default below
//   TESSERA_KEYS_DIR               tenant key Secret mount: kek, kek-id, signing-key.pk8, signing-key-id
//   TESSERA_MINI_PROGRAM, TESSERA_APP_ID, TESSERA_VERSION, TESSERA_VERSION_NAME   signed into the package meta
//   TESSERA_TERMINATION_LOG        where the JSON result goes (default /dev/termination-log)
//   TESSERA_SOURCE_URL_TEMPLATE    default "{store}/v1/tenants/{tenant}/sources/{sha256}"
//   TESSERA_ARTIFACT_URL_TEMPLATE  default "{store}/v1/tenants/{tenant}/artifacts/{sha256}"
//   TESSERA_SOURCE_DIR             configMap sources: the ConfigMap mounted here (keys use "__" for "/")
//   TESSERA_MAX_PACKAGE_BYTES      largest encrypted artifact (tenant quota)
//   TESSERA_MAX_ARCHIVE_BYTES, TESSERA_MAX_FILES, TESSERA_MAX_UNPACKED_BYTES,
//   TESSERA_MAX_FILE_BYTES, TESSERA_MAX_RATIO                       unpack limits (archive/limits.ts)
//   TESSERA_HTTP_TIMEOUT_MS (30000), TESSERA_HTTP_RETRIES (3)
//   TESSERA_ALLOW_PRIVATE_SOURCE_URLS (false): allow `url` sources on loopback/private addresses
// Templates substitute {store}, {tenant}, {sha256} (64 hex) and {digest} ("sha256:<hex>").
import { z } from 'zod';
import { DEFAULT_UNPACK_LIMITS, type UnpackLimits } from '../archive/limits.ts';

const Digest = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, 'must be "sha256:" followed by 64 lower-case hex digits');

export const SourceRefSchema = z.union([
  z.object({ upload: z.object({ digest: Digest }) }),
  z.object({ url: z.object({ url: z.string().regex(/^https?:\/\//), digest: Digest }) }),
  z.object({ configMap: z.object({ name: z.string().min(1) }) }),
]);
export type SourceRef = z.infer<typeof SourceRefSchema>;

const int = (def: number) => z.coerce.number().int().positive().default(def);

const EnvSchema = z.object({
  TESSERA_SOURCE: z.string().min(2),
  TESSERA_TENANT: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/),
  TESSERA_STORE_URL: z.string().regex(/^https?:\/\//),
  TESSERA_STORE_TOKEN_FILE: z.string().default('/var/run/tessera/store-token/token'),
  TESSERA_KEYS_DIR: z.string().default('/var/run/tessera/keys'),
  TESSERA_MINI_PROGRAM: z.string().max(253).default(''),
  TESSERA_APP_ID: z.string().max(64).default(''),
  TESSERA_VERSION: z.string().max(128).default(''),
  TESSERA_VERSION_NAME: z.string().max(253).default(''),
  TESSERA_TERMINATION_LOG: z.string().default('/dev/termination-log'),
  TESSERA_SOURCE_URL_TEMPLATE: z.string().default('{store}/v1/tenants/{tenant}/sources/{sha256}'),
  TESSERA_ARTIFACT_URL_TEMPLATE: z.string().default('{store}/v1/tenants/{tenant}/artifacts/{sha256}'),
  TESSERA_SOURCE_DIR: z.string().optional(),
  TESSERA_MAX_PACKAGE_BYTES: int(50 * 1024 * 1024),
  TESSERA_MAX_ARCHIVE_BYTES: int(DEFAULT_UNPACK_LIMITS.maxArchiveBytes),
  TESSERA_MAX_FILES: int(DEFAULT_UNPACK_LIMITS.maxFiles),
  TESSERA_MAX_UNPACKED_BYTES: int(DEFAULT_UNPACK_LIMITS.maxTotalBytes),
  TESSERA_MAX_FILE_BYTES: int(DEFAULT_UNPACK_LIMITS.maxFileBytes),
  TESSERA_MAX_RATIO: int(DEFAULT_UNPACK_LIMITS.maxRatio),
  TESSERA_HTTP_TIMEOUT_MS: int(30_000),
  TESSERA_HTTP_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  TESSERA_ALLOW_PRIVATE_SOURCE_URLS: z.enum(['true', 'false']).default('false'),
});

export interface JobConfig {
  source: SourceRef;
  tenant: string;
  storeUrl: string;
  storeTokenFile: string;
  keysDir: string;
  meta: Record<string, string>;
  terminationLog: string;
  sourceUrlTemplate: string;
  artifactUrlTemplate: string;
  sourceDir: string | undefined;
  maxPackageBytes: number;
  limits: UnpackLimits;
  httpTimeoutMs: number;
  httpRetries: number;
  /** Allow `url` sources on loopback/private addresses (tests, air-gapped mirrors). */
  allowPrivateSourceUrls: boolean;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined>): JobConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new ConfigError(`environment variable ${String(i?.path[0] ?? '?')}: ${i?.message ?? 'invalid'}`);
  }
  const e = parsed.data;
  let sourceJson: unknown;
  try {
    sourceJson = JSON.parse(e.TESSERA_SOURCE);
  } catch {
    throw new ConfigError('TESSERA_SOURCE is not JSON');
  }
  const source = SourceRefSchema.safeParse(sourceJson);
  if (!source.success)
    throw new ConfigError(`TESSERA_SOURCE: ${source.error.issues[0]?.message ?? 'invalid'}`);
  const meta: Record<string, string> = {};
  if (e.TESSERA_MINI_PROGRAM) meta.miniProgram = e.TESSERA_MINI_PROGRAM;
  if (e.TESSERA_APP_ID) meta.appId = e.TESSERA_APP_ID;
  if (e.TESSERA_VERSION) meta.version = e.TESSERA_VERSION;
  if (e.TESSERA_VERSION_NAME) meta.versionName = e.TESSERA_VERSION_NAME;
  meta.tenant = e.TESSERA_TENANT;
  return {
    source: source.data,
    tenant: e.TESSERA_TENANT,
    storeUrl: e.TESSERA_STORE_URL.replace(/\/+$/, ''),
    storeTokenFile: e.TESSERA_STORE_TOKEN_FILE,
    keysDir: e.TESSERA_KEYS_DIR,
    meta,
    terminationLog: e.TESSERA_TERMINATION_LOG,
    sourceUrlTemplate: e.TESSERA_SOURCE_URL_TEMPLATE,
    artifactUrlTemplate: e.TESSERA_ARTIFACT_URL_TEMPLATE,
    sourceDir: e.TESSERA_SOURCE_DIR,
    maxPackageBytes: e.TESSERA_MAX_PACKAGE_BYTES,
    limits: {
      maxArchiveBytes: e.TESSERA_MAX_ARCHIVE_BYTES,
      maxFiles: e.TESSERA_MAX_FILES,
      maxTotalBytes: e.TESSERA_MAX_UNPACKED_BYTES,
      maxFileBytes: e.TESSERA_MAX_FILE_BYTES,
      maxRatio: e.TESSERA_MAX_RATIO,
      maxPathLength: DEFAULT_UNPACK_LIMITS.maxPathLength,
    },
    httpTimeoutMs: e.TESSERA_HTTP_TIMEOUT_MS,
    httpRetries: e.TESSERA_HTTP_RETRIES,
    allowPrivateSourceUrls: e.TESSERA_ALLOW_PRIVATE_SOURCE_URLS === 'true',
  };
}

export function expandTemplate(
  template: string,
  values: { store: string; tenant: string; digest: string },
): string {
  const hex = values.digest.replace(/^sha256:/, '');
  return template
    .replaceAll('{store}', values.store)
    .replaceAll('{tenant}', encodeURIComponent(values.tenant))
    .replaceAll('{sha256}', hex)
    .replaceAll('{digest}', encodeURIComponent(values.digest));
}
