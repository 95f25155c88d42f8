import { z } from 'zod';
import {
  conditions,
  dateTime,
  digest,
  doc,
  labelKey,
  labels,
  objectName,
  observedGeneration,
  patterned,
  resource,
  text,
} from './meta.ts';

// Application ids as the stores define them: letters, digits, ".", "_" and "-", no spaces or
// slashes (iOS bundle ids, Android package names, HarmonyOS bundle names, desktop app ids).
const APP_ID_EXPECTED =
  'must be an application id such as com.example.bank: letters, digits, ".", "_" and "-", starting with a letter or digit, no spaces or slashes';
const platformAppId = (description: string) =>
  patterned(255, '^[A-Za-z0-9][A-Za-z0-9._-]*$', APP_ID_EXPECTED, description);
const ANDROID_EXPECTED =
  'must be an Android package name such as com.example.bank: two or more segments separated by ".", each a letter followed by letters, digits or "_"';
const PLATFORMS = ['ios', 'android', 'harmony', 'desktop', 'web'] as const;
const PLATFORMS_EXPECTED = `must name at least one platform: ${PLATFORMS.join(', ')}`;
const COLOR_EXPECTED = 'must be a colour as #rrggbb, e.g. #c8102e';

const allowList = () =>
  doc(
    z.array(objectName('MiniProgram name.')).max(500).default([]),
    'MiniProgram names allowed to use this; empty means none.',
  );

export const LabelSelectorSchema = doc(
  z.object({
    matchLabels: labels(32, 'Labels that must all match.').optional(),
    matchExpressions: doc(
      z
        .array(
          doc(
            z.object({
              key: labelKey('Label key.'),
              operator: doc(z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), 'Selector operator.'),
              values: doc(z.array(z.string().max(63)).max(64).optional(), 'Values for In and NotIn.'),
            }),
            'A label selector requirement.',
          ),
        )
        .max(16)
        .optional(),
      'Label selector requirements; all must match.',
    ),
  }),
  'A Kubernetes label selector over MiniPrograms.',
);

export const HostApiSchema = doc(
  z.object({
    name: doc(
      z
        .string()
        .max(64)
        .regex(/^[a-zA-Z][a-zA-Z0-9_]*$/, 'must be an identifier such as getBankCard'),
      'API name the mini-program calls as wx.invokeHost(name, ...) or wx[name] when exposed.',
    ),
    description: text(256, 'What the API does.').optional(),
    allowedMiniPrograms: allowList(),
  }),
  'A custom API the host app provides to mini-programs.',
);

export const MenuItemSchema = doc(
  z.object({
    id: doc(
      z
        .string()
        .max(64)
        .regex(/^[a-zA-Z][a-zA-Z0-9_-]*$/),
      'Menu item id delivered to the host when tapped.',
    ),
    title: text(32, 'Menu item title.'),
    allowedMiniPrograms: allowList(),
  }),
  'A custom item in the mini-program capsule menu.',
);

export const HostAppSpecSchema = doc(
  z.object({
    displayName: text(128, 'Name of the host application.'),
    platforms: doc(
      z
        .object({
          ios: doc(
            z.object({ bundleId: platformAppId('iOS bundle identifier, e.g. com.example.bank.') }).optional(),
            'iOS app.',
          ),
          android: doc(
            z
              .object({
                packageName: patterned(
                  255,
                  '^[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z][A-Za-z0-9_]*)+$',
                  ANDROID_EXPECTED,
                  'Android package name, e.g. com.example.bank.',
                ),
              })
              .optional(),
            'Android app.',
          ),
          harmony: doc(
            z
              .object({ bundleName: platformAppId('HarmonyOS bundle name, e.g. com.example.bank.') })
              .optional(),
            'HarmonyOS app.',
          ),
          desktop: doc(
            z
              .object({ appId: platformAppId('Desktop application id, e.g. com.example.bank.desktop.') })
              .optional(),
            'Desktop app.',
          ),
          web: doc(
            z
              .object({
                origins: doc(
                  z
                    .array(
                      z
                        .string()
                        .max(253)
                        .regex(/^https?:\/\/[^/\s]+$/, 'must be an origin such as https://app.example.com'),
                    )
                    .min(1)
                    .max(32),
                  'Origins allowed to embed the web SDK; at least one.',
                ),
              })
              .optional(),
            'Web host app.',
          ),
        })
        .check(z.refine((p) => PLATFORMS.some((k) => p[k] !== undefined), PLATFORMS_EXPECTED)),
      'Platforms the host app ships on; at least one.',
      [{ rule: PLATFORMS.map((k) => `has(self.${k})`).join(' || '), message: PLATFORMS_EXPECTED }],
    ),
    credentials: doc(
      z
        .object({
          generation: doc(
            z.int().min(0).max(1000000).default(0),
            'Increase to rotate the sdkKey/sdkSecret pair (kubectl tessera rotate-credentials): the operator writes a new pair into the credentials Secret and keeps the previous one accepted for previousGraceSeconds.',
          ),
          previousGraceSeconds: doc(
            z
              .int()
              .min(0)
              .max(30 * 86400)
              .default(86400),
            'How long the previous sdkKey/sdkSecret stays accepted after a rotation, in seconds (deploy the new pair within it).',
          ),
        })
        .optional(),
      'Host-app credential rotation.',
    ),
    miniPrograms: doc(
      z.object({
        names: doc(
          z.array(objectName('MiniProgram name.')).max(2000).optional(),
          'MiniPrograms listed by name.',
        ),
        selector: LabelSelectorSchema.optional(),
      }),
      'Which MiniPrograms the host app lists: by name, by label selector, or both (union).',
    ),
    hostApis: doc(z.array(HostApiSchema).max(128).optional(), 'Custom host APIs and who may call them.'),
    menuItems: doc(z.array(MenuItemSchema).max(32).optional(), 'Custom menu items and who may show them.'),
    branding: doc(
      z
        .object({
          primaryColor: patterned(
            7,
            '^#[0-9a-fA-F]{6}$',
            COLOR_EXPECTED,
            'Primary color (#rrggbb): the navigation bar.',
          ).optional(),
          backgroundColor: patterned(
            7,
            '^#[0-9a-fA-F]{6}$',
            COLOR_EXPECTED,
            'Background color (#rrggbb): the loading screen.',
          ).optional(),
          logo: text(
            2048,
            'Logo URL shown on the loading screen: https:, http: or a data:image/ URL (others are not loaded).',
          ).optional(),
          capsule: doc(
            z
              .object({
                visible: doc(z.boolean().default(true), 'Show the capsule (menu and close) button.'),
                style: doc(z.enum(['light', 'dark']).default('dark'), 'Capsule style.'),
              })
              .optional(),
            'Capsule button.',
          ),
        })
        .optional(),
      "White-label branding, sent to SDKs with each launch: the navigation bar is drawn in primaryColor (a page's own navigationBarBackgroundColor wins), the loading screen in backgroundColor with the logo, and the capsule (more / close) as set.",
    ),
    updatePolicy: doc(
      z
        .object({
          background: doc(z.boolean().default(true), 'Download new versions in the background.'),
          wifiOnly: doc(z.boolean().default(false), 'Only download updates on Wi-Fi.'),
          checkIntervalSeconds: doc(
            z.int().min(60).max(86400).default(3600),
            'How often the SDK checks for updates, in seconds.',
          ),
        })
        .optional(),
      'How the SDK updates cached mini-programs.',
    ),
  }),
  'Desired state of the host app.',
);

export const ReleaseRefSchema = doc(
  z.object({
    miniProgram: objectName('MiniProgram name.'),
    configMap: objectName('Release ConfigMap name.'),
    digest: digest('Digest of the signed release document.'),
  }),
  'A release ConfigMap written for this host app.',
);

export const HostAppStatusSchema = doc(
  z.object({
    observedGeneration: observedGeneration(),
    credentialsSecret: text(253, 'Secret holding sdkKey and sdkSecret.').optional(),
    credentialsGeneration: doc(
      z.int().min(0).optional(),
      'spec.credentials.generation the credentials Secret was last rotated to.',
    ),
    previousCredentialsExpireAt: doc(
      dateTime().optional(),
      'When the previous sdkKey/sdkSecret stops being accepted (absent: no previous pair).',
    ),
    indexConfigMap: text(253, 'Release index ConfigMap for this host app.').optional(),
    indexDigest: doc(digest('').optional(), 'Digest of the signed release index.'),
    releases: doc(
      z.array(ReleaseRefSchema).max(2000).optional(),
      'Release ConfigMaps, one per listed mini-program.',
    ),
    listedMiniPrograms: doc(z.int().min(0).optional(), 'Number of mini-programs listed.'),
    conditions: conditions(),
  }),
  'Observed state of the host app.',
);

export const HostAppSchema = resource('HostApp', HostAppSpecSchema, HostAppStatusSchema);
export type HostApp = z.infer<typeof HostAppSchema>;
export type HostAppSpec = z.infer<typeof HostAppSpecSchema>;
export type HostAppStatus = z.infer<typeof HostAppStatusSchema>;
