import { z } from 'zod';
import {
  type CelRule,
  conditions,
  dateTime,
  dnsLabel,
  doc,
  immutable,
  observedGeneration,
  resource,
  text,
} from './meta.ts';

export const TENANT_ROLES = ['tenant-admin', 'developer', 'reviewer', 'viewer'] as const;

const MemberSchema = doc(
  z.object({
    kind: doc(z.enum(['User', 'Group', 'ServiceAccount']), 'Kind of Kubernetes subject.'),
    name: doc(z.string().min(1).max(253), 'Name of the user, group or service account.'),
    namespace: doc(
      z.string().max(63).optional(),
      'Namespace of the service account; defaults to the tenant namespace.',
    ),
    role: doc(
      z.enum(TENANT_ROLES),
      'Tenant role: tenant-admin (everything in the tenant), developer (push versions), reviewer (approve versions), viewer (read only).',
    ),
    reviewerRole: doc(
      z
        .string()
        .max(63)
        .regex(/^[a-z][a-z0-9-]*$/)
        .optional(),
      'For reviewers: the review role this subject approves or rejects as (e.g. compliance, legal, risk). The operator grants it as verb approve on reviewroles/<reviewerRole> in the tenant namespace (Role tessera:review:<reviewerRole>); the store checks that permission, so a reviewer approves only for roles they hold. A reviewer without reviewerRole can approve for no role.',
    ),
  }),
  'A Kubernetes subject granted a tenant role.',
  [
    {
      rule: "!has(self.reviewerRole) || self.role == 'reviewer'",
      message: 'reviewerRole may only be set for members with role reviewer',
    },
  ],
);

export const TenantSpecSchema = doc(
  z.object({
    displayName: text(128, 'Human-readable name of the enterprise or business unit.'),
    namespace: doc(
      dnsLabel('Namespace that holds the tenant resources; defaults to tessera-<tenant name>.').optional(),
      'Namespace that holds the tenant resources; defaults to tessera-<tenant name>. Immutable.',
      [immutable('spec.namespace')],
    ),
    members: doc(
      z.array(MemberSchema).max(256).optional(),
      'Subjects granted tenant roles; the operator turns them into RoleBindings.',
    ),
    quotas: doc(
      z
        .object({
          miniPrograms: doc(z.int().min(0).max(100000).default(100), 'Maximum number of MiniPrograms.'),
          versionsPerMiniProgram: doc(
            z.int().min(1).max(10000).default(50),
            'Maximum number of MiniProgramVersions per MiniProgram.',
          ),
          packageBytes: doc(
            z
              .int()
              .min(1024)
              .max(1024 * 1024 * 1024)
              .default(50 * 1024 * 1024),
            'Maximum size in bytes of one compiled package (main package plus subpackages).',
          ),
        })
        .optional(),
      'Object-count and size limits for the tenant.',
    ),
    reviewPolicy: doc(
      z
        .object({
          requiredRoles: doc(
            z
              .array(
                z
                  .string()
                  .max(63)
                  .regex(/^[a-z][a-z0-9-]*$/),
              )
              .max(8)
              .default([]),
            'Review roles that must each approve a version before it can be released (e.g. compliance, legal). Empty means no review.',
          ),
        })
        .optional(),
      'Which reviewer roles must approve a version before release.',
    ),
    crypto: doc(
      z
        .object({
          keyGeneration: doc(
            z.int().min(0).max(1000000).default(0),
            'Increase to rotate the signing key and key-encryption key; the previous public key stays published.',
          ),
          revokedSigningKeyIds: doc(
            z
              .array(
                z
                  .string()
                  .max(64)
                  .regex(/^[0-9a-f]{16}$/, 'must be a signing key id (16 lower-case hex digits)'),
              )
              .max(32)
              .optional(),
            'Signing key ids that are no longer trusted (e.g. a key after a compromise): the operator drops them from status.publicKeys and rotates when the current key is listed, the store refuses release documents and artifacts signed by them, and SDKs refuse their packages. Versions signed by a revoked key must be compiled again.',
          ),
        })
        .optional(),
      'Cryptography settings: key rotation and revocation. Packages are sealed with AES-256-GCM and signed with ECDSA P-256.',
    ),
  }),
  'Desired state of the tenant.',
  [
    {
      rule: '!has(oldSelf.namespace) || has(self.namespace)',
      message: 'spec.namespace cannot be removed once set',
    },
  ],
);

export const PublicKeySchema = doc(
  z.object({
    keyId: doc(z.string().max(64), 'Key id, referenced by signatures and package headers.'),
    algorithm: doc(z.string().max(32), 'Signature algorithm, e.g. ECDSA-P256-SHA256.'),
    publicKey: doc(z.string().max(4096), 'Public key as base64 SubjectPublicKeyInfo (DER).'),
    state: doc(
      z.enum(['current', 'previous']),
      'current signs new artifacts; previous is kept so artifacts signed before a rotation still verify.',
    ),
    createdAt: doc(dateTime(), 'When the key was generated.'),
  }),
  'A public signing key of the tenant.',
);
export type PublicKey = z.infer<typeof PublicKeySchema>;

export const TenantStatusSchema = doc(
  z.object({
    observedGeneration: observedGeneration(),
    namespace: doc(z.string().max(63).optional(), 'Namespace created for the tenant.'),
    keySecretName: doc(z.string().max(253).optional(), 'Name of the Secret holding the key material.'),
    publicKeys: doc(
      z.array(PublicKeySchema).max(8).optional(),
      'Public signing keys that host apps configure in the SDK (current and previous, never a revoked one).',
    ),
    revokedSigningKeyIds: doc(
      z.array(z.string().max(64)).max(32).optional(),
      'Signing key ids the operator no longer trusts (spec.crypto.revokedSigningKeyIds); SDKs learn them at launch.',
    ),
    conditions: conditions(),
  }),
  'Observed state of the tenant.',
);

/**
 * The tenant's name becomes its namespace (tessera-<name>, a DNS label), label values and its
 * database schema: refused at admission when those would not fit, instead of failing later.
 */
export const TENANT_NAME_RULE: CelRule = {
  rule: "self.metadata.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$') && size(self.metadata.name) <= (has(self.spec.namespace) ? 63 : 55)",
  message:
    'metadata.name must be a DNS label (a-z, 0-9 and "-") of at most 55 characters, because the tenant namespace is tessera-<name>; at most 63 when spec.namespace is set',
};
const tenantNameFits = (t: {
  metadata: { name?: string | undefined };
  spec: { namespace?: string | undefined };
}) => {
  const name = t.metadata.name ?? '';
  return /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) && name.length <= (t.spec.namespace ? 63 : 55);
};

export const TenantSchema = resource('Tenant', TenantSpecSchema, TenantStatusSchema).check(
  z.refine(tenantNameFits, { message: TENANT_NAME_RULE.message, path: ['metadata', 'name'] }),
);
export type Tenant = z.infer<typeof TenantSchema>;
export type TenantSpec = z.infer<typeof TenantSpecSchema>;
export type TenantStatus = z.infer<typeof TenantStatusSchema>;
