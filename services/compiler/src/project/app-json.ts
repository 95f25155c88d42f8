// app.json and page/component json as a developer writes them (zod at the trust boundary).
import { z } from 'zod';

const PathString = z.string().min(1).max(512);

export const SubpackageSchema = z.object({
  root: PathString,
  name: z.string().optional(),
  pages: z.array(PathString).default([]),
  independent: z.boolean().optional(),
});

export const AppJsonSchema = z
  .object({
    pages: z.array(PathString).min(1, 'app.json "pages" must list at least one page'),
    entryPagePath: PathString.optional(),
    subpackages: z.array(SubpackageSchema).optional(),
    subPackages: z.array(SubpackageSchema).optional(),
    window: z.record(z.string(), z.unknown()).optional(),
    tabBar: z.record(z.string(), z.unknown()).optional(),
    usingComponents: z.record(z.string(), z.string()).optional(),
    preloadRule: z
      .record(
        z.string(),
        z.object({ network: z.enum(['all', 'wifi']).optional(), packages: z.array(z.string()) }),
      )
      .optional(),
  })
  .catchall(z.unknown());

export type AppJson = z.infer<typeof AppJsonSchema>;

export const KNOWN_APP_KEYS = new Set([
  'pages',
  'entryPagePath',
  'subpackages',
  'subPackages',
  'window',
  'tabBar',
  'usingComponents',
  'preloadRule',
  'sitemapLocation',
  'style',
  'lazyCodeLoading',
  'darkmode',
  'themeLocation',
]);

/** app.json fields whose invalid value WeChat also refuses: a compile error, not a warning. */
export const APP_FATAL_KEYS: ReadonlySet<string> = new Set([
  'pages',
  'subpackages',
  'subPackages',
  'usingComponents',
]);

/** Page/component json fields whose invalid value fails the build (WeChat refuses them too). */
export const OWNER_FATAL_KEYS: ReadonlySet<string> = new Set(['usingComponents']);

/** Page/component json fields Tessera uses (the window fields of a page are checked separately). */
export const OWNER_JSON_KEYS: ReadonlySet<string> = new Set([
  'component',
  'usingComponents',
  'componentGenerics',
  'styleIsolation',
  'navigationBarBackgroundColor',
  'navigationBarTextStyle',
  'navigationBarTitleText',
  'navigationStyle',
  'backgroundColor',
  'backgroundTextStyle',
  'enablePullDownRefresh',
  'onReachBottomDistance',
]);

export const OwnerJsonSchema = z
  .object({
    component: z.boolean().optional(),
    usingComponents: z.record(z.string(), z.string()).optional(),
    styleIsolation: z
      .enum(['isolated', 'apply-shared', 'shared', 'page-isolated', 'page-apply-shared', 'page-shared'])
      .optional(),
    componentGenerics: z
      .record(z.string(), z.union([z.boolean(), z.object({ default: z.string().optional() })]))
      .optional(),
  })
  .catchall(z.unknown());

export type OwnerJson = z.infer<typeof OwnerJsonSchema>;

/**
 * project.config.json fields of WeChat's developer tool. They configure the tool (upload, lint,
 * simulator), not the mini-program, so Tessera reads only miniprogramRoot; anything else is
 * reported as unknown.
 */
export const PROJECT_CONFIG_KEYS: ReadonlySet<string> = new Set([
  'appid',
  'cloudbaseRoot',
  'cloudcontainerRoot',
  'cloudfunctionRoot',
  'cloudfunctionTemplateRoot',
  'compileType',
  'condition',
  'debugOptions',
  'description',
  'editorSetting',
  'isGameTourist',
  'libVersion',
  'miniprogramRoot',
  'packOptions',
  'pluginRoot',
  'projectArchitecture',
  'projectname',
  'qcloudRoot',
  'scripts',
  'setting',
  'simulatorPluginLibVersion',
  'simulatorType',
  'skeletonConfig',
  'srcMiniprogramRoot',
  'staticServerOptions',
  'testRoot',
  'watchOptions',
]);
