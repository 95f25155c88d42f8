// Every field of every custom resource does something: it is read by product code (the
// operator, the services, the runtime SDK), shown in a printer column, or listed below as pure
// metadata with the reason. A field nobody reads makes `kubectl explain` promise a behaviour
// that does not exist, so adding one fails here.
//
// "Read" means the field is used as a property access in product source and its parent field
// is read too. A field of an object is qualified by the parent's name (`spec.owner`,
// `crypto?.suite`, `['owner']` after `spec`, or `const { owner } = x.spec`), so a name that
// means something else elsewhere does not count; a field of a list item needs only its own
// name (`.title` after `menuItems.map((m) => m`). A status field counts when it is written as
// well (an object key `name:`): reporting observed state is its purpose. Values copied from
// one object to another by name count as read.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { customResourceDefinition } from './crd.ts';
import { KINDS } from './kinds.ts';
import type { JsonSchema } from './openapi.ts';

const REPO = join(import.meta.dirname, '..', '..');
const PRODUCT_SOURCES = ['operator/src', 'operator/runtime/src', 'services', 'runtime-sdk/src'];

/** Fields that only describe (kubectl get/explain, catalog text); nothing has to act on them. */
const METADATA: Record<string, string> = {
  'MiniProgramVersion.spec.changelog': 'release notes for reviewers, read with kubectl',
};

/** Fields read through a value of another name, which the name matching cannot follow. */
const READ_UNDER_ANOTHER_NAME: Record<string, string> = {
  'HostApp.spec.updatePolicy.checkIntervalSeconds':
    'copied into the release document; the SDK reads policy.checkIntervalSeconds (runtime-sdk/src/core/launcher.ts)',
};

/**
 * Fields nothing reads yet: each is to be implemented or removed from the schema. An entry that
 * becomes read fails the test, so the list only shrinks.
 */
const NOT_YET_READ: Record<string, string> = {};
const LISTED = { ...METADATA, ...READ_UNDER_ANOTHER_NAME };

interface Field {
  parent: string | undefined;
  /** the parent is a list, so the field is read through an item of unknown name */
  inList: boolean;
}

/** Field paths (`Kind.spec.a.b`; list items are transparent) with their parent. */
function fields(node: JsonSchema, path: string, inList: boolean, out: Map<string, Field>) {
  for (const [name, sub] of Object.entries((node.properties as Record<string, JsonSchema>) ?? {})) {
    const p = `${path}.${name}`;
    out.set(p, { parent: path, inList });
    fields(sub, p, false, out);
  }
  if (node.items) fields(node.items as JsonSchema, path, true, out);
  return out;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'bench' || entry === 'dist') continue;
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|tsx|js)$/.test(entry) && !/\.test\.tsx?$/.test(entry)) out.push(p);
  }
  return out;
}

const ID = '[A-Za-z_$][\\w$]*';

/** What product source reads and writes, by name. */
function productNames() {
  const accessed = new Set<string>(); // .name
  const qualified = new Set<string>(); // parent.name
  const written = new Set<string>(); // name: (an object key)
  for (const dir of PRODUCT_SOURCES) {
    for (const file of sourceFiles(join(REPO, dir))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(new RegExp(`(?:\\?\\.|\\.)(${ID})`, 'g'))) accessed.add(m[1] as string);
      const pair = new RegExp(`(?=(${ID})\\s*\\??\\.\\s*(?:\\[\\s*['"\`])?(${ID}))`, 'g');
      for (const m of text.matchAll(pair)) qualified.add(`${m[1]}.${m[2]}`);
      const index = new RegExp(`(${ID})\\s*\\[\\s*['"\`](${ID})['"\`]\\s*\\]`, 'g');
      for (const m of text.matchAll(index)) {
        accessed.add(m[2] as string);
        qualified.add(`${m[1]}.${m[2]}`);
      }
      const destructure = new RegExp(
        `(?:const|let|var)\\s*\\{([^{}]*)\\}\\s*=\\s*[^;\\n]*?(${ID})\\s*(?:;|\\n|\\?\\?|$)`,
        'g',
      );
      for (const m of text.matchAll(destructure)) {
        for (const n of (m[1] ?? '').matchAll(new RegExp(`(${ID})\\s*(?=[,:=}]|$)`, 'g'))) {
          accessed.add(n[1] as string);
          qualified.add(`${m[2]}.${n[1]}`);
        }
      }
      // const q = t.spec.quotas; q?.miniPrograms reads quotas.miniPrograms
      const alias = new RegExp(
        `(?:const|let|var)\\s+(${ID})\\s*=\\s*[^;\\n]*?(${ID})\\s*(?:;|\\n|\\?\\?)`,
        'g',
      );
      for (const a of text.matchAll(alias)) {
        for (const m of text.matchAll(new RegExp(`\\b${a[1]}\\s*\\??\\.\\s*(${ID})`, 'g')))
          qualified.add(`${a[2]}.${m[1]}`);
      }
      for (const m of text.matchAll(new RegExp(`(${ID})\\s*:(?!:)`, 'g'))) written.add(m[1] as string);
    }
  }
  return { accessed, qualified, written };
}

/** Names in printer-column JSONPaths, e.g. `.status.releasedVersion`. */
function printerColumnFields(): Set<string> {
  const out = new Set<string>();
  for (const kind of KINDS) {
    for (const c of kind.printerColumns) {
      const path = c.jsonPath.replace(/\[[^\]]*\]/g, '');
      if (path.startsWith('.spec') || path.startsWith('.status')) out.add(`${kind.kind}${path}`);
    }
  }
  return out;
}

const all = new Map<string, Field>();
const roots = new Set<string>();
for (const kind of KINDS) {
  const crd = customResourceDefinition(kind) as {
    spec: { versions: Array<{ schema: { openAPIV3Schema: JsonSchema } }> };
  };
  const root = crd.spec.versions[0]?.schema.openAPIV3Schema.properties as Record<string, JsonSchema>;
  for (const part of ['spec', 'status'] as const) {
    roots.add(`${kind.kind}.${part}`);
    fields(root[part] as JsonSchema, `${kind.kind}.${part}`, false, all);
  }
}

const { accessed, qualified, written } = productNames();
const shown = printerColumnFields();
const leafOf = (path: string) => path.slice(path.lastIndexOf('.') + 1);
const memo = new Map<string, boolean>();
function read(path: string): boolean {
  if (roots.has(path)) return true;
  const hit = memo.get(path);
  if (hit !== undefined) return hit;
  const field = all.get(path) as Field;
  const parent = field.parent as string;
  const leaf = leafOf(path);
  const byName = field.inList ? accessed.has(leaf) : qualified.has(`${leafOf(parent)}.${leaf}`);
  const used = byName || (path.includes('.status.') && written.has(leaf));
  const result = shown.has(path) || (used && read(parent));
  memo.set(path, result);
  return result;
}

/** Unread fields whose parent is read: the unread subtree roots. */
function unreadRoots(): string[] {
  return [...all.keys()].filter((p) => !read(p) && read(all.get(p)?.parent as string));
}

describe('every CRD field is read by product code or listed as metadata', () => {
  it('no field is unread unless it is listed', () => {
    expect(unreadRoots().filter((p) => !(p in LISTED) && !(p in NOT_YET_READ))).toEqual([]);
  });

  it('the lists of fields read elsewhere or not yet read hold only fields still unread here', () => {
    const unread = unreadRoots();
    const stale = [...Object.keys(READ_UNDER_ANOTHER_NAME), ...Object.keys(NOT_YET_READ)].filter(
      (p) => !unread.includes(p),
    );
    expect(stale, 'read now: remove them from the list').toEqual([]);
  });

  it('every listed field exists', () => {
    const listed = [...Object.keys(LISTED), ...Object.keys(NOT_YET_READ)];
    expect(listed.filter((p) => !all.has(p))).toEqual([]);
  });
});
