/// <reference lib="dom" />
// The timeline: one row per step, top to bottom, with a lane per task. A step marks its task's
// lane, coloured by how it went; a call that sleeps draws a bar down its lane until the step that
// woke it, where a mark names the call it completes; the row says the whole call and what it
// returned. Only the rows in view exist in the page (a log of 200,000 steps has 200,000 rows of
// fixed height, of which some fifty are drawn), and the lane names stay above them.
import { FLAG, type Digest, type Sleep, type Woken } from './digest.ts';

export const ROW = 22;
const SEQ_WIDTH = 64;
const OVERSCAN = 8;
const MAX_LANES = 360;

export type Tone = 'ok' | 'err' | 'warn' | 'oops' | 'blocked';

/** How a step went, for its colour: kernel failures, warnings and sleeps stand out. */
export function tone(flags: number): Tone {
  if (flags & FLAG.oops) return 'oops';
  if (flags & FLAG.blocked) return 'blocked';
  if (flags & FLAG.warn) return 'warn';
  if (flags & FLAG.error) return 'err';
  return 'ok';
}

/** What a row says: its task, the call, its result and the calls it woke. */
export interface RowText {
  task: string;
  call: string;
  result: string;
  woke: Woken[];
}

export interface TimelineSource {
  digest: Digest;
  /** The seq of row 0 (the window's first step). */
  first: number;
  row(i: number): RowText;
  line(i: number): number;
}

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

export class Timeline {
  private readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly lane: number;
  private readonly count: number;
  private selected = -1;
  /** The failing step of a counterexample, if this window has it. */
  failing = -1;
  /** Rows shown when only matches are: step indices; undefined for every step. */
  private only: Int32Array | undefined;
  private isMatch: Uint8Array | undefined;
  private rowEls = new Map<number, HTMLElement>();
  private sleepEls = new Map<number, HTMLElement>();

  constructor(
    root: HTMLElement,
    private readonly src: TimelineSource,
    private readonly pick: (i: number) => void,
  ) {
    const d = src.digest;
    this.count = d.flags.length;
    // A lane is as wide as its header's name up to six characters (a longer name is cut there,
    // and said whole in its tooltip and in every row of the task), narrower when there are so
    // many tasks that the lanes would take more than MAX_LANES pixels from the calls.
    let longest = 3;
    for (const t of d.tasks) longest = Math.max(longest, Math.min(t.length, 6));
    this.lane = Math.max(8, Math.min(Math.round(longest * 7.2 + 12), Math.floor(MAX_LANES / Math.max(1, d.tasks.length))));
    const head = el('div', 'thead');
    head.append(el('span', 'seq', 'step'));
    const names = el('span', 'lanes');
    names.style.width = `${d.tasks.length * this.lane}px`;
    for (const t of d.tasks) {
      const n = el('span', 'lane-name', t);
      n.title = `task ${t}`;
      n.style.width = `${this.lane}px`;
      names.append(n);
    }
    head.append(names, el('span', 'call', 'call and what it returned'));
    this.scroller = el('div', 'scroller');
    this.scroller.tabIndex = 0;
    this.spacer = el('div', 'spacer');
    this.scroller.append(this.spacer);
    root.replaceChildren(head, this.scroller);
    root.style.setProperty('--lanes', `${d.tasks.length * this.lane}px`);
    this.scroller.addEventListener('scroll', () => this.render());
    this.scroller.addEventListener('click', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('.row');
      if (row !== null) this.pick(Number(row.dataset['index']));
    });
    new ResizeObserver(() => this.render()).observe(this.scroller);
    this.layout();
  }

  /** Shows only these steps (a search's matches), or every step; marks the matches either way. */
  setMatches(matches: Int32Array | undefined, only: boolean): void {
    this.isMatch = undefined;
    if (matches !== undefined) {
      this.isMatch = new Uint8Array(this.count);
      for (const i of matches) this.isMatch[i] = 1;
    }
    this.only = only ? matches : undefined;
    this.layout();
    if (this.selected >= 0) this.reveal(this.selected, true);
  }

  /** Marks step i as the selected one and scrolls it into view. */
  select(i: number): void {
    this.selected = i;
    this.reveal(i, false);
    this.render();
  }

  private layout(): void {
    this.spacer.style.height = `${this.rows() * ROW}px`;
    this.render(true);
  }

  private rows(): number {
    return this.only?.length ?? this.count;
  }

  /** The row step i is shown in (-1 when only matches are shown and it is not one). */
  private rowOf(i: number): number {
    if (this.only === undefined) return i;
    let lo = 0;
    let hi = this.only.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (this.only[m]! < i) lo = m + 1;
      else hi = m;
    }
    return this.only[lo] === i ? lo : -1;
  }

  private reveal(i: number, center: boolean): void {
    const r = this.rowOf(i);
    if (r < 0) return;
    const top = r * ROW;
    const h = this.scroller.clientHeight;
    const view = this.scroller.scrollTop;
    if (!center && top >= view && top + ROW <= view + h) return;
    const far = top < view - h || top > view + 2 * h;
    this.scroller.scrollTop = center || far ? top - h / 2 + ROW / 2 : top < view ? top : top + ROW - h;
  }

  /** Draws the rows in view (and a few around), reusing those already drawn; `reset` redraws all. */
  private render(reset = false): void {
    if (reset) {
      this.spacer.replaceChildren();
      this.rowEls.clear();
      this.sleepEls.clear();
    }
    const h = this.scroller.clientHeight || 600;
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / ROW) - OVERSCAN);
    const last = Math.min(this.rows() - 1, Math.ceil((this.scroller.scrollTop + h) / ROW) + OVERSCAN);
    const rows = new Map<number, HTMLElement>();
    const fresh: HTMLElement[] = [];
    for (let r = first; r <= last; r++) {
      const i = this.only === undefined ? r : this.only[r]!;
      let row = this.rowEls.get(i);
      if (row === undefined) fresh.push((row = this.row(i, r)));
      else this.mark(row, i);
      rows.set(i, row);
    }
    for (const [i, row] of this.rowEls) if (!rows.has(i)) row.remove();
    this.rowEls = rows;
    const sleeps = new Map<number, HTMLElement>();
    if (this.only === undefined) {
      for (const [k, s] of this.src.digest.sleeps.entries()) {
        if ((s.until ?? this.count - 1) < first || Math.max(0, s.from) > last) continue;
        let bar = this.sleepEls.get(k);
        if (bar === undefined) fresh.unshift((bar = this.sleep(s)));
        sleeps.set(k, bar);
      }
    }
    for (const [k, bar] of this.sleepEls) if (!sleeps.has(k)) bar.remove();
    this.sleepEls = sleeps;
    this.spacer.append(...fresh);
  }

  /** A row's classes: how its step went, and whether it is selected, a match, the failing step. */
  private classes(i: number): string {
    const flags = this.src.digest.flags[i]!;
    const cls = ['row', tone(flags)];
    if (flags & FLAG.diverged) cls.push('diverged');
    if (i === this.selected) cls.push('selected');
    if (this.isMatch?.[i] === 1) cls.push('match');
    if (i === this.failing) cls.push('failing');
    return cls.join(' ');
  }

  private mark(row: HTMLElement, i: number): void {
    const cls = this.classes(i);
    if (row.className !== cls) row.className = cls;
  }

  private row(i: number, r: number): HTMLElement {
    const d = this.src.digest;
    const flags = d.flags[i]!;
    const t = this.src.row(i);
    const row = el('div', this.classes(i));
    row.dataset['index'] = String(i);
    row.dataset['seq'] = String(this.src.first + i);
    row.style.top = `${r * ROW}px`;
    row.append(el('span', 'seq', `#${this.src.first + i}`));
    const lanes = el('span', 'lanes');
    const mark = el('i', `mark ${tone(flags)}`);
    mark.style.left = `${d.task[i]! * this.lane}px`;
    mark.style.width = `${Math.max(2, this.lane - 6)}px`;
    lanes.append(mark);
    const woke = t.woke.map((w) => `woke ${w.task}: ${w.call} ${w.result} (line ${w.line})`);
    for (const [k, w] of t.woke.entries()) {
      const m = el('i', 'wake', '⏎');
      m.style.left = `${d.tasks.indexOf(w.task) * this.lane}px`;
      m.title = woke[k]!;
      lanes.append(m);
    }
    const call = el('span', 'call');
    call.append(el('b', 'task', t.task), ` ${t.call} `, el('span', 'ret', t.result));
    for (const w of t.woke) call.append(el('span', 'woken', ` ⏎ woke ${w.task} ${w.call} ${w.result}`));
    row.append(lanes, call);
    row.title = [`#${this.src.first + i} line ${this.src.line(i)}: ${t.task} ${t.call} ${t.result}`, ...woke].join('\n');
    return row;
  }

  /** The bar of a sleep, down its task's lane. */
  private sleep(s: Sleep): HTMLElement {
    const d = this.src.digest;
    const top = Math.max(0, s.from);
    const end = s.until ?? this.count - 1;
    const bar = el('div', 'sleep');
    bar.dataset['task'] = s.task;
    bar.style.left = `${SEQ_WIDTH + d.tasks.indexOf(s.task) * this.lane + this.lane / 2 - 5}px`;
    bar.style.top = `${s.from < 0 ? 0 : top * ROW + ROW / 2}px`;
    bar.style.height = `${(end - top) * ROW + (s.from < 0 ? ROW / 2 : 0) + (s.until === null ? ROW / 2 : 0)}px`;
    bar.title = `${s.task} asleep in ${s.call} (line ${s.line})${s.until === null ? '' : `, woken at step ${this.src.first + s.until}`}`;
    return bar;
  }
}
