// The page `daxsim view` writes: one HTML file with everything inside: the log (as a JSON
// string), the viewer's program (which carries the machines and replays the log in the
// browser), the statecharts as SVG and the style. Its Content-Security-Policy allows no
// request at all, so the page works, and can only work, without a network. The same log and
// program give the same bytes.
import { chartOf, MACHINES, toDot } from '../diagram.ts';
import { renderSvg } from '../svg.ts';
import { VIEWER_CSS } from './style.ts';

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

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

export async function viewerPage(log: { text: string; file: string }, script: string): Promise<string> {
  const charts: string[] = [];
  for (const m of MACHINES) {
    charts.push(
      `<figure class="chart" data-machine="${m.name}"><figcaption><b>${m.name}</b> <span>${escapeHtml(m.source)}</span></figcaption>\n${await chartSvg(m.name)}\n<p class="occupants"></p></figure>`,
    );
  }
  const file = escapeHtml(log.file);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>daxsim view: ${file}</title>
<style>
${VIEWER_CSS}</style>
</head>
<body>
<header><h1>daxsim <span>${file}</span></h1><p id="note"></p><p id="summary"></p></header>
<p class="legend"><span class="cell ok">returned</span><span class="cell err">error return</span><span class="cell warn">WARN</span><span class="cell oops">oops</span><span class="cell blocked">sleeps</span><span class="cell diverged">diverged</span></p>
<section id="timeline" aria-label="timeline: one lane per task, one column per step"></section>
<main>
<div class="left">
<section><h2>Step <span id="position"></span></h2><pre id="detail"></pre></section>
<section><h2>Objects after the step</h2><table id="objects"></table></section>
</div>
<section id="charts"><h2>Statecharts</h2><div class="grid">
${charts.join('\n')}
</div></section>
</main>
<footer>← → or j k: previous and next step · Home End: first and last · click a step, or an object to mark it in its chart</footer>
<script type="application/json" id="daxlog" data-file="${file}">${JSON.stringify(log.text).replace(/</g, '\\u003c')}</script>
<script>
${script.replace(/<\/(script)/gi, '<\\/$1')}</script>
</body>
</html>
`;
}
