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
import * as z from 'zod/mini';
import { dict, list, text } from '../protocol/schema-helpers.ts';

const PagePath = text(512, 1).check(z.regex(/^[^/].*[^/]$|^[^/]$/));

const optionalString = () => z.optional(z.string());

export const WindowConfigSchema = z.catchall(
  z.object({
    navigationBarBackgroundColor: optionalString(),
    navigationBarTextStyle: z.optional(z.enum(['black', 'white'])),
    navigationBarTitleText: optionalString(),
    navigationStyle: z.optional(z.enum(['default', 'custom'])),
    backgroundColor: optionalString(),
    backgroundTextStyle: z.optional(z.enum(['dark', 'light'])),
    enablePullDownRefresh: z.optional(z.boolean()),
    onReachBottomDistance: z.optional(z.number()),
  }),
  z.unknown(),
);

export const TabBarSchema = z.object({
  color: optionalString(),
  selectedColor: optionalString(),
  backgroundColor: optionalString(),
  borderStyle: z.optional(z.enum(['black', 'white'])),
  position: z.optional(z.enum(['bottom', 'top'])),
  custom: z.optional(z.boolean()),
  list: list(
    z.object({
      pagePath: PagePath,
      text: z.string(),
      iconPath: optionalString(),
      selectedIconPath: optionalString(),
    }),
    5,
    2,
  ),
});

export const SubpackageManifestSchema = z.object({
  root: PagePath,
  name: optionalString(),
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
  usingComponents: dict(PagePath),
  /** Component CSS scope class (components only), e.g. "tc-3f2a9c1b". */
  scope: optionalString(),
  /** Page window overrides from the page json. */
  window: z.optional(WindowConfigSchema),
  styleIsolation: z.optional(z.enum(['isolated', 'apply-shared', 'shared'])),
});

export const AppManifestSchema = z.object({
  manifestVersion: z.literal(1),
  compilerVersion: z.string(),
  entryPagePath: PagePath,
  pages: z.array(PagePath).check(z.minLength(1)),
  subpackages: z.array(SubpackageManifestSchema),
  window: WindowConfigSchema,
  tabBar: z.optional(TabBarSchema),
  entries: z.array(ComponentEntrySchema),
  preloadRule: dict(
    z.object({ network: z.optional(z.enum(['all', 'wifi'])), packages: z.array(z.string()) }),
    PagePath,
    'keys must be page paths',
  ),
});

export type AppManifest = z.infer<typeof AppManifestSchema>;
export type SubpackageManifest = z.infer<typeof SubpackageManifestSchema>;
export type ComponentEntry = z.infer<typeof ComponentEntrySchema>;
export type WindowConfig = z.infer<typeof WindowConfigSchema>;
export type TabBarConfig = z.infer<typeof TabBarSchema>;

export const MANIFEST_FILE = 'app.manifest.json';
