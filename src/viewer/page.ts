// The page `daxsim view` writes: one HTML file with everything inside: the log's text for the
// steps it holds and the page's data (their digest, data.ts), the viewer's program (which carries
// the machines and replays the steps near its cursor), the statecharts as SVG and the style.
// Its Content-Security-Policy allows no request, no form submission and no frame, and the
// program stops navigations and new windows (guard.ts), so the page works, and can only work,
// where it is, without a network. The same data and program give the same bytes.
import { chartOf, MACHINES, toDot } from '../diagram.ts';
import { renderSvg } from '../svg.ts';
import { encodeData, encodeLogText, type PageData } from './data.ts';
import { VIEWER_CSS } from './style.ts';

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * No request of any kind (default-src), no form submission (form-action), no <base> (base-uri).
 * Scripts and styles are the page's own, inline; 'unsafe-eval' because the log schemas compile
 * to functions (TypeBox), which make no request. navigate-to, which would stop navigations, was
 * dropped from CSP level 3 and no browser knows it (Chromium reports it as an unrecognized
 * directive on every load), so the page's program stops navigations and new windows instead
 * (guard.ts).
 */
export const PAGE_POLICY = "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'";

/** A machine's chart as inline SVG: no XML prologue, no Graphviz comments or ids of its own. */
async function chartSvg(name: string): Promise<string> {
  const info = MACHINES.find((m) => m.name === name)!;
  const svg = await renderSvg(toDot([chartOf(info)], { compact: true }));
  return svg
    .slice(svg.indexOf('<svg'))
    .replace(/<!--[\s\S]*?-->\n?/g, '')
    .replace(/ id="graph0"/, '')
    // Graphviz sizes in points; drawn at one pixel a point, the charts keep one scale.
    .replace(/<svg width="(\d+)pt" height="(\d+)pt"/, `<svg width="$1" height="$2" role="img" aria-label="statechart of ${name}"`)
    .trim();
}

const TOOLS = `<nav id="tools">
<label>step <input id="go-step" type="text" inputmode="numeric" size="7" title="go to a step: its number, then Enter (key g)"></label>
<label>line <input id="go-line" type="text" inputmode="numeric" size="7" title="go to the step at or after a line of the log: its number, then Enter"></label>
<span id="jump-note"></span>
<label class="search">search <input id="search" type="search" size="30" placeholder="v0 task:A fn:kill_dax oops warn sigbus blocked diverged" title="words a step must all match: a task, a kernel function, a handle, a return value, or an outcome (oops, warn, sigbus, blocked, diverged, woke, error, ok); field:word to be precise (task:, fn:, handle:, vma:, ret:, is:); word* for a prefix. Enter: next match, Shift+Enter: previous (keys / n N)"></label>
<button id="prev-match" type="button" title="previous match (N)">▲</button><button id="next-match" type="button" title="next match (n)">▼</button>
<span id="matches"></span>
<label><input id="only-matches" type="checkbox"> only the matches</label>
<span class="legend"><i class="mark ok"></i>returned <i class="mark err"></i>error <i class="mark warn"></i>WARN <i class="mark oops"></i>oops <i class="mark blocked"></i>sleeps <i class="mark ok diverged"></i>diverged</span>
</nav>`;

export async function viewerPage(data: PageData, log: string, script: string): Promise<string> {
  const charts: string[] = [];
  for (const m of MACHINES) {
    charts.push(
      `<figure class="chart" data-machine="${m.name}"><figcaption><b>${m.name}</b> <span>${escapeHtml(m.source)}</span></figcaption>\n${await chartSvg(m.name)}\n<p class="occupants"></p></figure>`,
    );
  }
  const file = escapeHtml(data.file);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${PAGE_POLICY}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>daxsim view: ${file}</title>
<style>
${VIEWER_CSS}</style>
</head>
<body>
<header><h1>daxsim <span>${file}</span></h1><p id="summary"></p><p id="note"></p><p id="window"></p>
<div id="violation" hidden><b>counterexample of daxsim explore</b> <span class="what"></span> <button type="button"></button></div></header>
${TOOLS}
<main>
<section id="timeline" aria-label="timeline: one row per step, a lane per task"></section>
<div id="panels">
<section><h2>Step <span id="position"></span></h2><pre id="detail"></pre></section>
<section><h2>Page tables after the step <span id="pt-summary"></span></h2><div id="pagetables"></div></section>
<section><h2>Objects after the step <span id="obj-count"></span> <input id="obj-filter" type="search" size="18" placeholder="filter objects"></h2><div id="objects"></div></section>
<section id="charts"><h2>Statecharts</h2><div class="grid">
${charts.join('\n')}
</div></section>
</div>
</main>
<footer>← → ↑ ↓ or j k: previous and next step · Home End · Page Up and Down · g: go to a step · /: search, n N: next and previous match · click a step, or an object to mark it in its chart, or a vma to open its entries</footer>
<script type="application/json" id="daxdata">${encodeData(data)}</script>
<script type="text/x-daxlog" id="daxlog">${encodeLogText(log)}</script>
<script>
${script.replace(/<\/(script)/gi, '<\\/$1')}</script>
</body>
</html>
`;
}
