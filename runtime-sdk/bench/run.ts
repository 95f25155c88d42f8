// `npm run bench -w runtime-sdk`: SDK size per entry and the renderer in jsdom. The Chromium
// figures (cold start, setData round trip, renderer, memory per page) are in e2e/bench/sdk.ts.
import { loadavg } from 'node:os';
import { JSDOM } from 'jsdom';
import { formatCases, runRenderCases } from './render-cases.ts';
import { sizeReport } from './size.ts';

console.log(await sizeReport());
const dom = new JSDOM('<!doctype html><body></body>');
console.log(
  formatCases(
    runRenderCases(dom.window.document, () => performance.now(), 3),
    `jsdom, Node; load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  ),
);
