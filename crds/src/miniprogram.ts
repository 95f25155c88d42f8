import { z } from 'zod';
import {
  conditions,
  displayName,
  doc,
  immutable,
  observedGeneration,
  patterned,
  resource,
  semver,
  text,
} from './meta.ts';

export const APP_ID_PATTERN = '^[a-zA-Z][a-zA-Z0-9_-]{2,63}$';

export const PRIVACY_SCOPES = [
  'userInfo',
  'userLocation',
  'camera',
  'album',
  'record',
  'phoneNumber',
  'clipboard',
  'bluetooth',
  'contacts',
  'werun',
] as const;

const ORIGIN_PATTERN =
  '^(https|wss)://(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:[0-9]{1,5})?$';
const APP_ID_EXPECTED = 'must be 3-64 characters: a letter, then letters, digits, _ or -';

const domainList = (what: string) =>
  doc(
    z
      .array(
        patterned(
          253,
          ORIGIN_PATTERN,
          'must be an https:// or wss:// origin such as https://api.example.com (optionally *.example.com)',
          '',
        ),
      )
      .max(200)
      .optional(),
    `Origins the mini-program may reach with ${what}; anything else is refused by the SDK.`,
  );

export const DomainsSchema = doc(
  z.object({
    request: domainList('wx.request'),
    upload: domainList('wx.uploadFile'),
    download: domainList('wx.downloadFile'),
    socket: domainList('wx.connectSocket'),
    webView: domainList('the web-view component'),
  }),
  'Domain whitelists enforced by the runtime SDK.',
);

export const MiniProgramSpecSchema = doc(
  z.object({
    appId: doc(
      patterned(64, APP_ID_PATTERN, APP_ID_EXPECTED, ''),
      'Stable application id used by host apps and the SDK (e.g. wxbank-transfer). Immutable.',
      [immutable('spec.appId')],
    ),
    displayName: displayName(64, 'Name shown to end users; not empty or only whitespace.'),
    description: text(2000, 'Description shown in catalogs and search.').optional(),
    icon: text(2048, 'Icon URL (https) or data: URL.').optional(),
    category: text(64, 'Catalog category, e.g. finance or lifestyle.').optional(),
    tags: doc(
      z.array(displayName(32, 'A search tag.')).max(20).optional(),
      'Search tags; none empty or only whitespace.',
    ),
    owner: text(253, 'Owning team or contact.').optional(),
    domains: DomainsSchema.optional(),
    privacyScopes: doc(
      z
        .array(
          doc(
            z.object({
              scope: doc(z.enum(PRIVACY_SCOPES), 'Privacy scope the mini-program may ask the user for.'),
              purpose: displayName(
                256,
                'Why the scope is needed, shown to the user; not empty or only whitespace.',
              ),
            }),
            'A privacy scope and its declared purpose.',
          ),
        )
        .max(16)
        .optional(),
      'Privacy scopes the mini-program may ask users for, with their purpose: wx.authorize and the APIs behind a scope (getLocation: userLocation, setClipboardData: clipboard, getUserProfile: userInfo, ...) ask the user once per mini-program, showing the purpose; a scope not listed is refused without asking. Listed in the catalog.',
    ),
    stableVersion: doc(
      semver('').optional(),
      'Version released to everyone not matched by a gray rule; must name a Compiled and Approved MiniProgramVersion.',
    ),
    suspended: doc(
      z.boolean().default(false),
      'Take the mini-program down everywhere at once; SDKs refuse to launch it and purge cached copies.',
    ),
    suspendReason: text(256, 'Reason shown to users while suspended.').optional(),
  }),
  'Desired state of the mini-program.',
  [{ rule: '!has(oldSelf.appId) || has(self.appId)', message: 'spec.appId cannot be removed' }],
);

export const VersionSummarySchema = doc(
  z.object({
    version: semver('Version.'),
    phase: text(32, 'Phase of the version.'),
    approved: doc(z.boolean(), 'Whether the review policy is satisfied.'),
  }),
  'Summary of one MiniProgramVersion.',
);

export const MiniProgramStatusSchema = doc(
  z.object({
    observedGeneration: observedGeneration(),
    latestVersion: doc(semver('').optional(), 'Highest version that exists.'),
    releasedVersion: doc(semver('').optional(), 'Stable version currently released.'),
    activeGrayRules: doc(z.int().min(0).optional(), 'Number of gray rules currently active.'),
    versions: doc(
      z.array(VersionSummarySchema).max(256).optional(),
      'Summary of the versions, newest first.',
    ),
    conditions: conditions(),
  }),
  'Observed state of the mini-program.',
);

export const MiniProgramSchema = resource('MiniProgram', MiniProgramSpecSchema, MiniProgramStatusSchema);
export type MiniProgram = z.infer<typeof MiniProgramSchema>;
export type MiniProgramSpec = z.infer<typeof MiniProgramSpecSchema>;
export type MiniProgramStatus = z.infer<typeof MiniProgramStatusSchema>;
