// Renderer benchmark cases, runnable against any Document (jsdom in Node, real Chromium via
// e2e/bench). Each case is timed for the Tessera keyed patch and for the baseline: rebuilding
// the same list with innerHTML (what a naive view layer does on every setData).

import type { VNode } from '../src/render/contract.ts';
import { createRenderer } from '../src/render/dom.ts';
import { el, text } from '../src/render/vnode.ts';

export interface Row {
  id: number;
  label: string;
}

export interface CaseResult {
  name: string;
  tesseraMs: number;
  innerHtmlMs: number;
  /** The same including the forced style + layout that follows. */
  tesseraLayoutMs: number;
  innerHtmlLayoutMs: number;
  /** DOM nodes of kept rows that survived the update (should be all of them for Tessera). */
  keptNodes: number;
}

function rows(n: number, start = 0): Row[] {
  return Array.from({ length: n }, (_, i) => ({
    id: start + i,
    label: `row ${start + i} ${'x'.repeat(i % 7)}`,
  }));
}

function vtree(list: readonly Row[]): VNode[] {
  return [
    el(
      'view',
      { classes: 'list' },
      list.map((r) =>
        el('view', { key: String(r.id), classes: 'row', dataset: { id: r.id } }, [
          el('text', { classes: 'id' }, [text(String(r.id))]),
          el('text', { classes: 'label' }, [text(r.label)]),
        ]),
      ),
    ),
  ];
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function html(list: readonly Row[]): string {
  let s = '<div class="list">';
  for (const r of list)
    s += `<div class="row" data-id="${r.id}"><span class="id">${r.id}</span><span class="label">${escapeHtml(r.label)}</span></div>`;
  return `${s}</div>`;
}

const UPDATES: Array<[string, (l: Row[]) => Row[]]> = [
  ['reverse 1,000 rows', (l) => l.slice().reverse()],
  [
    'swap rows 2 and 998',
    (l) => {
      const c = l.slice();
      const a = c[1]!;
      c[1] = c[997]!;
      c[997] = a;
      return c;
    },
  ],
  ['update every 10th row', (l) => l.map((r, i) => (i % 10 === 0 ? { ...r, label: `${r.label} !!!` } : r))],
  ['remove 1 row in the middle', (l) => l.filter((_, i) => i !== 500)],
  ['append 100 rows', (l) => l.concat(rows(100, 10_000))],
  [
    'shuffle (seeded)',
    (l) => {
      const c = l.slice();
      let seed = 42;
      for (let i = c.length - 1; i > 0; i--) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        const j = seed % (i + 1);
        [c[i], c[j]] = [c[j]!, c[i]!];
      }
      return c;
    },
  ],
];

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs every case `iterations` times on fresh 1,000-row lists; returns medians. */
export function runRenderCases(doc: Document, now: () => number, iterations = 7): CaseResult[] {
  const out: CaseResult[] = [];
  for (const [name, update] of UPDATES) {
    const tt: number[] = [];
    const bt: number[] = [];
    const lt: number[] = [];
    const blt: number[] = [];
    let kept = 0;
    for (let it = 0; it < iterations; it++) {
      const base = rows(1000);
      const next = update(base);
      // Tessera renderer
      const root = doc.createElement('div');
      doc.body.appendChild(root);
      const r = createRenderer();
      r.render(root, vtree(base));
      void (root as HTMLElement).offsetHeight; // lay out the initial list outside the timing
      const before = new Map<string, Element>();
      const idOf = (row: Element) => row.querySelector('.id')?.textContent ?? '';
      for (const row of Array.from(root.querySelectorAll('.row'))) before.set(idOf(row), row);
      const tree = vtree(next); // building the VNodes is the render function's job, not the patch
      const t0 = now();
      r.render(root, tree);
      const patched = now();
      void (root as HTMLElement).offsetHeight;
      tt.push(patched - t0);
      lt.push(now() - t0);
      kept = 0;
      for (const row of Array.from(root.querySelectorAll('.row'))) if (before.get(idOf(row)) === row) kept++;
      root.remove();
      // Baseline: innerHTML rebuild
      const broot = doc.createElement('div');
      doc.body.appendChild(broot);
      broot.innerHTML = html(base);
      void (broot as HTMLElement).offsetHeight;
      const t1 = now();
      broot.innerHTML = html(next);
      const rebuilt = now();
      void (broot as HTMLElement).offsetHeight;
      bt.push(rebuilt - t1);
      blt.push(now() - t1);
      broot.remove();
    }
    out.push({
      name,
      tesseraMs: median(tt),
      innerHtmlMs: median(bt),
      tesseraLayoutMs: median(lt),
      innerHtmlLayoutMs: median(blt),
      keptNodes: kept,
    });
  }
  return out;
}

export function formatCases(results: readonly CaseResult[], where: string): string {
  const lines = [`renderer, 1,000-row keyed list (${where}), median ms (DOM update | incl. forced layout):`];
  lines.push(
    `  ${'case'.padEnd(28)} ${'tessera'.padStart(17)} ${'innerHTML baseline'.padStart(19)}  kept nodes`,
  );
  const pair = (a: number, b: number) => `${a.toFixed(2).padStart(7)} | ${b.toFixed(2).padStart(7)}`;
  for (const r of results)
    lines.push(
      `  ${r.name.padEnd(28)} ${pair(r.tesseraMs, r.tesseraLayoutMs)}  ${pair(r.innerHtmlMs, r.innerHtmlLayoutMs)}  ${r.keptNodes}`,
    );
  return lines.join('\n');
}
