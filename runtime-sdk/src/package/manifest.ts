// The app manifest the compiler writes into every main package as `app.manifest.json`
// (derived from app.json and every page/component json). The SDK reads it to route pages,
// resolve custom components and lazily load subpackages.
//
// Package file naming (all paths relative, no leading "/"):
//   <page or component>.wxml.js  compiled WXML module (define wrapper, see render/contract.ts)
//   <page or component>.css      compiled WXSS (components: selectors scoped, see `scope`)
//   <page or component>.js       compiled logic module (same define wrapper, CommonJS body)
//   <file>.wxs.js                compiled wxs module
//   app.js, app.css              app logic and global styles
//   anything else                assets, byte for byte
import { z } from 'zod';

const PagePath = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[^/].*[^/]$|^[^/]$/);

export const WindowConfigSchema = z
  .object({
    navigationBarBackgroundColor: z.string().optional(),
    navigationBarTextStyle: z.enum(['black', 'white']).optional(),
    navigationBarTitleText: z.string().optional(),
    navigationStyle: z.enum(['default', 'custom']).optional(),
    backgroundColor: z.string().optional(),
    backgroundTextStyle: z.enum(['dark', 'light']).optional(),
    enablePullDownRefresh: z.boolean().optional(),
    onReachBottomDistance: z.number().optional(),
  })
  .catchall(z.unknown());

export const TabBarSchema = z.object({
  color: z.string().optional(),
  selectedColor: z.string().optional(),
  backgroundColor: z.string().optional(),
  borderStyle: z.enum(['black', 'white']).optional(),
  position: z.enum(['bottom', 'top']).optional(),
  custom: z.boolean().optional(),
  list: z
    .array(
      z.object({
        pagePath: PagePath,
        text: z.string(),
        iconPath: z.string().optional(),
        selectedIconPath: z.string().optional(),
      }),
    )
    .min(2)
    .max(5),
});

export const SubpackageManifestSchema = z.object({
  root: PagePath,
  name: z.string().optional(),
  /** Full page paths ("<root>/<page>"). */
  pages: z.array(PagePath),
  independent: z.boolean(),
  /** Artifact name the compiler gave this subpackage (its own encrypted package). */
  artifact: z.string(),
});

export const ComponentEntrySchema = z.object({
  /** Page or component path without extension. */
  path: PagePath,
  kind: z.enum(['page', 'component']),
  /** alias → component path (absolute within the package, no extension, no leading "/"). */
  usingComponents: z.record(z.string(), PagePath),
  /** Component CSS scope class (components only), e.g. "tc-3f2a9c1b". */
  scope: z.string().optional(),
  /** Page window overrides from the page json. */
  window: WindowConfigSchema.optional(),
  styleIsolation: z.enum(['isolated', 'apply-shared', 'shared']).optional(),
});

export const AppManifestSchema = z.object({
  manifestVersion: z.literal(1),
  compilerVersion: z.string(),
  entryPagePath: PagePath,
  pages: z.array(PagePath).min(1),
  subpackages: z.array(SubpackageManifestSchema),
  window: WindowConfigSchema,
  tabBar: TabBarSchema.optional(),
  entries: z.array(ComponentEntrySchema),
  preloadRule: z.record(
    PagePath,
    z.object({ network: z.enum(['all', 'wifi']).optional(), packages: z.array(z.string()) }),
  ),
});

export type AppManifest = z.infer<typeof AppManifestSchema>;
export type SubpackageManifest = z.infer<typeof SubpackageManifestSchema>;
export type ComponentEntry = z.infer<typeof ComponentEntrySchema>;
export type WindowConfig = z.infer<typeof WindowConfigSchema>;
export type TabBarConfig = z.infer<typeof TabBarSchema>;

export const MANIFEST_FILE = 'app.manifest.json';
