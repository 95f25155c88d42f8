import { z } from 'zod';
import {
  conditions,
  dateTime,
  doc,
  immutable,
  observedGeneration,
  patterned,
  resource,
  resourceName,
  semver,
  sha256Digest,
  text,
} from './meta.ts';

export const VERSION_PHASES = ['Pending', 'Compiling', 'Compiled', 'Failed', 'Released', 'Retired'] as const;
export type VersionPhase = (typeof VERSION_PHASES)[number];
/** Phases in which the version has a compiled, signed artifact. */
export const COMPILED_PHASES: ReadonlySet<string> = new Set<VersionPhase>([
  'Compiled',
  'Released',
  'Retired',
]);

export const SourceSchema = doc(
  z
    .object({
      upload: doc(
        z
          .object({
            digest: sha256Digest('Digest of the source archive uploaded to the store (tar or zip).'),
          })
          .optional(),
        'Source archive previously uploaded to the store (what `kubectl tessera push` does).',
      ),
      url: doc(
        z
          .object({
            url: patterned(
              2048,
              '^https?://[^/?#\\t\\n\\f\\r ]+([/?#][^\\t\\n\\f\\r ]*)?$',
              'must be an http:// or https:// URL with a host, such as https://ci.example.com/app.tar.gz',
              'URL of the source archive (tar or zip).',
            ),
            digest: sha256Digest('Expected digest of the archive; the compile job refuses anything else.'),
          })
          .optional(),
        'Source archive fetched from a URL and verified against its digest.',
      ),
      configMap: doc(
        z
          .object({
            name: resourceName('Name of a ConfigMap in the same namespace whose keys are file paths.'),
          })
          .optional(),
        'Small sources stored in a ConfigMap (samples and tests); keys are paths with / encoded as __.',
      ),
    })
    .refine((s) => [s.upload, s.url, s.configMap].filter(Boolean).length === 1, {
      message: 'exactly one of spec.source.upload, spec.source.url or spec.source.configMap must be set',
    }),
  'Where the source tree comes from: exactly one of upload, url or configMap. Immutable.',
  [
    {
      rule: '(has(self.upload) ? 1 : 0) + (has(self.url) ? 1 : 0) + (has(self.configMap) ? 1 : 0) == 1',
      message: 'exactly one of spec.source.upload, spec.source.url or spec.source.configMap must be set',
    },
    immutable('spec.source'),
  ],
);

export const MiniProgramVersionSpecSchema = doc(
  z.object({
    miniProgram: doc(
      resourceName('Name of the MiniProgram in the same namespace.'),
      'Name of the MiniProgram (in the same namespace) this version belongs to. Immutable.',
      [immutable('spec.miniProgram')],
    ),
    version: doc(semver('Semantic version.'), 'Semantic version of this build, e.g. 1.4.0. Immutable.', [
      immutable('spec.version'),
    ]),
    source: SourceSchema,
    changelog: text(4096, 'What changed, shown to reviewers and in the catalog.').optional(),
    minSdkVersion: doc(
      semver('').optional(),
      'Oldest runtime SDK version that can run this build. The store never offers it to an older SDK: such a device gets the newest older releasable version with a lower (or no) minSdkVersion, or an error asking for a newer SDK when there is none.',
    ),
  }),
  'Desired state of the version: one immutable build.',
);

export const CompileMessageSchema = doc(
  z.object({
    file: text(512, 'Source file the message refers to.'),
    line: doc(z.int().min(0).optional(), 'Line (1-based).'),
    column: doc(z.int().min(0).optional(), 'Column (1-based).'),
    code: text(64, 'Stable message code.'),
    message: text(1024, 'What is wrong and what to change.'),
  }),
  'A compiler warning or error.',
);

export const SubpackageArtifactSchema = doc(
  z.object({
    name: text(128, 'Subpackage name (or root when unnamed).'),
    root: text(256, 'Root directory of the subpackage in the source tree.'),
    digest: sha256Digest('Digest of the encrypted subpackage artifact.'),
    size: doc(z.int().min(0), 'Size in bytes of the encrypted subpackage artifact.'),
  }),
  'A lazily downloaded subpackage.',
);

export const ArtifactSchema = doc(
  z.object({
    digest: sha256Digest(
      'Digest of the encrypted main package artifact; its download URL is derived from it.',
    ),
    plaintextDigest: sha256Digest('Digest of the canonical plaintext package index (provenance).'),
    sourceDigest: sha256Digest('Digest of the source archive that was compiled (provenance).'),
    size: doc(z.int().min(0), 'Size in bytes of the encrypted main package.'),
    keyId: text(64, 'Id of the tenant signing key that signed the package index.'),
    kekId: text(64, 'Id of the tenant key-encryption key that wraps the data key.').optional(),
    signature: text(512, 'Signature over the package index (base64).'),
    compilerVersion: text(64, 'Version of the compiler that produced the artifact (provenance).'),
    pages: doc(z.array(z.string().max(256)).max(500), 'Pages of the main package.'),
    subpackages: doc(z.array(SubpackageArtifactSchema).max(100).optional(), 'Subpackages.'),
  }),
  'The compiled, encrypted and signed artifact.',
);
export type Artifact = z.infer<typeof ArtifactSchema>;

export const APPROVAL_DECISIONS = ['Approved', 'Rejected'] as const;

export const ApprovalSchema = doc(
  z.object({
    role: text(63, 'Review role the approval satisfies (e.g. compliance).'),
    subject: text(253, 'Kubernetes identity of the reviewer, as authenticated by the store.'),
    time: doc(dateTime(), 'When the approval was given.'),
    comment: text(1024, 'Reviewer comment; required for a rejection.').optional(),
    decision: doc(
      z.enum(APPROVAL_DECISIONS).optional(),
      'Approved (the default) or Rejected. A rejection blocks the release of this version; push a new version.',
    ),
  }),
  'A review decision written by the store after a SubjectAccessReview of verb approve on reviewroles/<role>; the pusher of the version may not approve it, and one identity counts for one role only.',
);
export type Approval = z.infer<typeof ApprovalSchema>;

export const MiniProgramVersionStatusSchema = doc(
  z.object({
    observedGeneration: observedGeneration(),
    phase: doc(
      z.enum(VERSION_PHASES).optional(),
      'Pending, Compiling, Compiled, Failed, Released (stable or in an active gray rule) or Retired.',
    ),
    compileJob: text(253, 'Name of the compile Job.').optional(),
    warnings: doc(z.array(CompileMessageSchema).max(50).optional(), 'Compiler warnings (first 50).'),
    errors: doc(z.array(CompileMessageSchema).max(20).optional(), 'Compiler errors when the compile failed.'),
    artifact: ArtifactSchema.optional(),
    approvals: doc(
      z.array(ApprovalSchema).max(32).optional(),
      'Review decisions (approvals and rejections), written only by the store after checking the reviewer holds the review role.',
    ),
    conditions: conditions(),
  }),
  'Observed state of the version.',
);

export const MiniProgramVersionSchema = resource(
  'MiniProgramVersion',
  MiniProgramVersionSpecSchema,
  MiniProgramVersionStatusSchema,
);
export type MiniProgramVersion = z.infer<typeof MiniProgramVersionSchema>;
export type MiniProgramVersionSpec = z.infer<typeof MiniProgramVersionSpecSchema>;
export type MiniProgramVersionStatus = z.infer<typeof MiniProgramVersionStatusSchema>;
