/// <reference lib="dom" />
// The viewer page's program (bundled by esbuild into dist/viewer.js and inlined into the page
// `daxsim view` writes). It reads the page's data (data.ts): the log's text for the steps the
// page holds and their digest, which draws the timeline at once; the panels of the selected
// step come from replaying the steps near it (history.ts), while the rest of the window is
// replayed in slices in the background. The step is kept in the address (#step=N).
import { guardPage } from './guard.ts';
import kleur from 'kleur';
import { isSkipped, type Json } from '../log.ts';
import { KERNEL_FUNCTION } from '../../machines/events.ts';
import { callOf, type Woken } from './digest.ts';
import type { PageData } from './data.ts';
import { History, type StepLines } from './history.ts';
import { stepView, type StepView } from './model.ts';
import { markCharts, ObjectTable, renderDetail } from './panels.ts';
import { PageTablePanel } from './ptpanel.ts';
import { Timeline, type RowText } from './timeline.ts';
import { Controls } from './controls.ts';

guardPage(window);
kleur.enabled = false; // formatStep's colours are for terminals

/** Past this many steps to replay, the panels are filled in the background and the page stays responsive. */
const SYNC_STEPS = 3000;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const data = JSON.parse($('daxdata').textContent ?? 'null') as PageData;
const digest = data.digest;
const lines = ($('daxlog').textContent ?? '').split('\n');
/** Step i's line, as an index in lines. */
const stepAt: number[] = [];
for (let i = 0; i < lines.length; i++) if (!isSkipped(lines[i]!)) stepAt.push(i);
const steps: StepLines = {
  count: stepAt.length,
  text: (i) => lines[stepAt[i]!]!.replace(/\r$/, ''),
  line: (i) => data.first + stepAt[i]!,
};
const hist = new History({ file: data.file, header: data.header, before: data.from - 1, ...(data.state === undefined ? {} : { state: data.state }) }, steps);
const wokeAt = new Map<number, Woken[]>(digest.woke);

function rowText(i: number): RowText {
  const event = (JSON.parse(steps.text(i)) as { event: Record<string, Json> }).event;
  return { task: digest.tasks[digest.task[i]!]!, call: callOf(event), result: digest.results[digest.result[i]!]!, woke: wokeAt.get(i) ?? [] };
}

let current = 0;
let pending: number | undefined;
let shown: StepView | undefined;
let focus: number | undefined;
const failing = data.violation === undefined ? -1 : (data.violation.step ?? data.steps) - data.from;

header();
const timeline = new Timeline($('timeline'), { digest, first: data.from, row: rowText, line: steps.line }, (i) => select(i));
if (failing >= 0 && failing < steps.count) timeline.failing = failing;
const pageTables = new PageTablePanel($('pagetables'), $('pt-summary'));
const objects = new ObjectTable($('objects'), $('obj-count'), (key) => {
  focus = focus === key ? undefined : key;
  paint();
});
const controls = new Controls({ data, steps, rowEvent: (i) => (JSON.parse(steps.text(i)) as { event: Record<string, unknown> }).event, woke: (i) => wokeAt.get(i) ?? [], timeline, select, current: () => current });

function header(): void {
  // A counterexample's note names its violation: the box below says it.
  $('note').textContent = data.violation === undefined ? (data.note ?? '') : '';
  const s = data.summary;
  const asleep = s.blocked.map((b) => `${b.task} left asleep in ${KERNEL_FUNCTION[b.type]} (${b.where})`).join(', ');
  $('summary').textContent = `${s.steps} steps · ${s.diverged === 0 ? 'no divergence' : `${s.diverged} diverged`} · ${asleep === '' ? 'no task left blocked' : asleep}`;
  $('summary').classList.toggle('bad', s.diverged > 0);
  if (data.from > 1 || data.to < data.steps) $('window').textContent = `This page holds steps ${data.from} to ${data.to} of ${data.steps} (daxsim view --from ${data.from} --to ${data.to}).`;
  const v = data.violation;
  if (v !== undefined) {
    const box = $('violation');
    box.hidden = false;
    box.querySelector('.what')!.textContent = `${v.kind}: ${v.message}`;
    const go = box.querySelector<HTMLButtonElement>('button')!;
    go.textContent = `go to the failing step ${v.step ?? data.steps}`;
    go.addEventListener('click', () => select(failing));
  }
}

function select(i: number): void {
  if (steps.count === 0) return;
  i = Math.max(0, Math.min(steps.count - 1, i));
  current = i;
  timeline.select(i);
  const seq = data.from + i;
  document.body.dataset['step'] = String(seq);
  $('position').textContent = `${seq} of ${data.steps}, line ${steps.line(i)}`;
  keepInAddress(seq);
  controls.moved();
  if (hist.cost(i) <= SYNC_STEPS) {
    pending = undefined;
    render(i);
  } else {
    // Far ahead of the background replay: the panels say so, dimmed, until it gets there.
    pending = i;
    delete document.body.dataset['shown'];
    $('panels').classList.add('stale');
    $('detail').textContent = `replaying to step ${seq}…`;
    schedule();
  }
}

/** The address keeps the step (#step=N), written once the keys rest: a history entry costs milliseconds. */
let addressTimer: ReturnType<typeof setTimeout> | undefined;
function keepInAddress(seq: number): void {
  clearTimeout(addressTimer);
  addressTimer = setTimeout(() => {
    if (location.hash !== `#step=${seq}`) history.replaceState(null, '', `#step=${seq}`);
  }, 200);
}

function render(i: number): void {
  shown = stepView(hist.at(i));
  $('panels').classList.remove('stale');
  paint();
  document.body.dataset['shown'] = String(data.from + i);
}

/** Draws the panels of the step shown (again, when the focus or a filter changes). */
function paint(): void {
  if (shown === undefined) return;
  const here = shown.index === failing ? data.violation : undefined;
  renderDetail($('detail'), shown, here);
  objects.render(shown, $<HTMLInputElement>('obj-filter').value, focus);
  pageTables.render(shown.pages, shown.before, shown.after);
  markCharts($('charts'), shown, focus);
}
$('obj-filter').addEventListener('input', paint);

// The background replay: slices of about 12 ms, between which the page answers its reader.
const channel = new MessageChannel();
let scheduled = false;
channel.port1.onmessage = () => {
  scheduled = false;
  const until = performance.now() + 12;
  hist.advance(steps.count, () => performance.now() > until);
  document.body.dataset['replayed'] = String(hist.replayed);
  if (pending !== undefined) {
    if (hist.cost(pending) <= SYNC_STEPS) {
      const i = pending;
      pending = undefined;
      render(i);
    } else $('detail').textContent = `replaying to step ${data.from + pending}… (${Math.floor((100 * hist.replayed) / steps.count)}% of the page replayed)`;
  }
  if (hist.replayed < steps.count) schedule();
};
function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  channel.port2.postMessage(0);
}

/** The step an address names (#step=N), as an index in the page, if any. */
const named = (): number | undefined => {
  const m = /^#step=(\d+)$/.exec(location.hash);
  return m === null ? undefined : Number(m[1]) - data.from;
};
window.addEventListener('hashchange', () => {
  const i = named();
  if (i !== undefined && i !== current) select(i);
});
select(named() ?? (failing >= 0 ? failing : 0));
document.body.dataset['count'] = String(steps.count);
document.body.dataset['ready'] = 'true';
schedule();
