/// <reference lib="dom" />
// The timeline: one lane per task, one column per step. Each step is a cell in the lane of the
// task that made the call, coloured by its outcome; a call that sleeps draws a bar in its lane
// until the step that woke it (or the end of the log); a woken call is marked where it woke.
import { KERNEL_FUNCTION } from '../../machines/events.ts';
import type { ViewStep } from './model.ts';

export type Tone = 'ok' | 'err' | 'warn' | 'oops' | 'blocked';

/** How a step went, for its colour: kernel failures, warnings and sleeps stand out. */
export function tone(s: ViewStep): Tone {
  const out = s.result.out;
  if (out.oops !== undefined) return 'oops';
  if (out.blocked) return 'blocked';
  if (out.warn !== undefined) return 'warn';
  const ret = out.ret;
  if (typeof ret === 'string' && /^(-E|NULL$|VM_FAULT_(SIGBUS|OOM)|SIGSEGV)/.test(ret)) return 'err';
  return 'ok';
}

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

/** Fills `root` with the lanes; `select(i)` is called with a step's index when it is clicked. */
export function renderTimeline(root: HTMLElement, steps: ViewStep[], tasks: string[], select: (i: number) => void): HTMLElement[] {
  root.replaceChildren();
  const grid = el('div', 'lanes');
  grid.style.gridTemplateColumns = `max-content repeat(${steps.length}, 7.5em)`;
  grid.style.gridTemplateRows = `auto repeat(${tasks.length}, 3.2em)`;
  const lane = (task: string) => tasks.indexOf(task) + 2;
  grid.append(el('div', 'corner', 'task \\ step'));
  for (const [i, t] of tasks.entries()) {
    const name = el('div', 'task', t);
    name.style.gridRow = String(i + 2);
    grid.append(name);
  }
  const cells: HTMLElement[] = [];
  for (const [i, s] of steps.entries()) {
    const col = String(i + 2);
    const head = el('div', 'seq', `#${s.result.step.seq}`);
    head.style.gridColumn = col;
    grid.append(head);
    const { step, out } = s.result;
    const cell = el('button', `cell ${tone(s)}${s.result.diverged !== undefined ? ' diverged' : ''}`);
    cell.type = 'button';
    cell.dataset['index'] = String(i);
    cell.style.gridRow = String(lane(step.task));
    cell.style.gridColumn = col;
    cell.title = `line ${step.line}: ${step.task} ${KERNEL_FUNCTION[step.event.type]}`;
    cell.append(el('span', 'fn', KERNEL_FUNCTION[step.event.type]), el('span', 'ret', out.blocked ? 'sleeps' : out.oops !== undefined ? 'oops' : `= ${short(out.ret)}`));
    cell.addEventListener('click', () => select(i));
    grid.append(cell);
    cells.push(cell);
    for (const w of out.woke ?? []) {
      const mark = el('div', 'woken', `woken: ${w.oops !== undefined ? 'oops' : `= ${short(w.ret)}`}`);
      mark.style.gridRow = String(lane(w.task));
      mark.style.gridColumn = col;
      grid.append(mark);
    }
    if (out.blocked) {
      const end = steps.findIndex((x, j) => j > i && x.result.out.woke?.some((w) => w.line === step.line));
      const bar = el('div', 'sleep');
      bar.style.gridRow = String(lane(step.task));
      bar.style.gridColumn = `${i + 2} / ${(end < 0 ? steps.length : end) + 3}`;
      bar.title = `${step.task} sleeps in ${s.blocked.find((b) => b.line === step.line)?.where ?? KERNEL_FUNCTION[step.event.type]}`;
      grid.prepend(bar);
    }
  }
  root.append(grid);
  return cells;
}

function short(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v ?? null);
  return s.length > 14 ? s.slice(0, 13) + '…' : s;
}
