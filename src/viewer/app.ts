/// <reference lib="dom" />
// The viewer page's program (bundled by esbuild into dist/viewer.js and inlined into the page
// `daxsim view` writes). It reads the log embedded in the page, replays it here with the
// machines bundled in, and shows one step at a time: ← → (or j k) step, Home End jump; a click
// on a cell selects its step, a click on an object marks its state in its chart. The step is
// kept in the address (#step=N).
import kleur from 'kleur';
import { KERNEL_FUNCTION } from '../../machines/events.ts';
import { buildView } from './model.ts';
import { markCharts, renderDetail, renderObjects } from './panels.ts';
import { renderTimeline } from './timeline.ts';

kleur.enabled = false; // formatStep's colours are for terminals

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const source = $('daxlog');
const view = buildView(JSON.parse(source.textContent ?? '""') as string, source.dataset['file'] ?? 'log');
let current = -1;
let focus: number | undefined;

$('note').textContent = view.note ?? '';
const s = view.summary;
$('summary').textContent = view.error !== undefined
  ? `log error: ${view.error.message}`
  : `${s!.steps} steps · ${s!.diverged === 0 ? 'no divergence' : `${s!.diverged} diverged`} · ${
      s!.blocked.length === 0 ? 'no task left blocked' : s!.blocked.map((b) => `${b.task} left asleep in ${KERNEL_FUNCTION[b.type]} (${b.where})`).join(', ')
    }`;
$('summary').classList.toggle('bad', view.error !== undefined || (s?.diverged ?? 0) > 0);

const cells = renderTimeline($('timeline'), view.steps, view.tasks, (i) => select(i));

function select(i: number): void {
  if (view.steps.length === 0) return;
  i = Math.max(0, Math.min(view.steps.length - 1, i));
  const step = view.steps[i]!;
  cells[current]?.classList.remove('selected');
  current = i;
  const cell = cells[i]!;
  cell.classList.add('selected');
  cell.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  document.body.dataset['step'] = String(step.result.step.seq);
  $('position').textContent = `step ${step.result.step.seq} of ${view.steps.length}, line ${step.result.step.line}`;
  renderDetail($('detail'), step);
  renderObjects($('objects'), step, focus, (key) => {
    focus = focus === key ? undefined : key;
    select(current);
  });
  markCharts($('charts'), step, focus);
  if (location.hash !== `#step=${step.result.step.seq}`) history.replaceState(null, '', `#step=${step.result.step.seq}`);
}

document.addEventListener('keydown', (e) => {
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  const to = { ArrowRight: current + 1, ArrowDown: current + 1, j: current + 1, ArrowLeft: current - 1, ArrowUp: current - 1, k: current - 1, Home: 0, End: view.steps.length - 1 }[e.key];
  if (to === undefined) return;
  e.preventDefault();
  select(to);
});

const wanted = /^#step=(\d+)$/.exec(location.hash);
select(wanted === null ? 0 : Number(wanted[1]) - 1);
document.body.dataset['ready'] = 'true';
