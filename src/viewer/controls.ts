/// <reference lib="dom" />
// The viewer's controls: the keys (← → or j k step, Home End, Page Up and Down, n and N for the
// next and previous match, / to search, g to go to a step), going to a step or to a line, and
// search (search.ts) with the next and previous match and a switch to list only the matches.
import type { PageData } from './data.ts';
import type { Woken } from './digest.ts';
import type { StepLines } from './history.ts';
import { matches, parseQuery, wordsOf, type Query } from './search.ts';
import type { Timeline } from './timeline.ts';
import { ROW } from './timeline.ts';

export interface ControlsHost {
  data: PageData;
  steps: StepLines;
  rowEvent(i: number): Record<string, unknown>;
  woke(i: number): Woken[];
  timeline: Timeline;
  select(i: number): void;
  current(): number;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export class Controls {
  private found: Int32Array | undefined;
  private query = '';
  /** Each step's words, made when a search first needs them. */
  private readonly words: string[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly h: ControlsHost) {
    document.addEventListener('keydown', (e) => this.key(e));
    const search = $<HTMLInputElement>('search');
    search.addEventListener('input', () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.search(), 150);
    });
    search.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      this.next(e.shiftKey ? -1 : 1);
    });
    $('next-match').addEventListener('click', () => this.next(1));
    $('prev-match').addEventListener('click', () => this.next(-1));
    $('only-matches').addEventListener('change', () => this.h.timeline.setMatches(this.found, this.only()));
    this.onEnter('go-step', (v) => this.goStep(v));
    this.onEnter('go-line', (v) => this.goLine(v));
  }

  /** The selection moved: the match count says where it stands among the matches. */
  moved(): void {
    const f = this.found;
    if (f === undefined) return;
    const at = f.indexOf(this.h.current());
    $('matches').textContent = f.length === 0 ? 'no match' : at >= 0 ? `${at + 1} of ${f.length}` : `${f.length} match${f.length === 1 ? '' : 'es'}`;
  }

  private only(): boolean {
    return $<HTMLInputElement>('only-matches').checked;
  }

  private onEnter(id: string, go: (v: string) => boolean): void {
    const input = $<HTMLInputElement>(id);
    input.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      // Gone there, the keys step on from it.
      if (go(input.value.trim())) input.blur();
    });
  }

  /** Says why a jump went elsewhere or nowhere; false when it went nowhere. */
  private say(text: string, went = false): boolean {
    $('jump-note').textContent = text;
    return went;
  }

  private goStep(v: string): boolean {
    const { from, to } = this.h.data;
    const seq = Number(v);
    if (!/^\d+$/.test(v)) return this.say('a step is a number');
    if (seq < from || seq > to) return this.say(`step ${seq} is not in this page (steps ${from} to ${to})`);
    this.h.select(seq - from);
    return this.say('', true);
  }

  private goLine(v: string): boolean {
    const want = Number(v);
    if (!/^\d+$/.test(v)) return this.say('a line is a number');
    const s = this.h.steps;
    if (s.count === 0) return this.say('this page holds no step');
    let lo = 0;
    let hi = s.count - 1;
    // The first step at or after the line; the last step for a line after it.
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (s.line(m) < want) lo = m + 1;
      else hi = m;
    }
    const got = s.line(lo);
    this.h.select(lo);
    return this.say(got === want ? '' : want < s.line(0) || want > s.line(s.count - 1) ? `line ${want} is not in this page (lines ${s.line(0)} to ${s.line(s.count - 1)}): the nearest step` : `line ${want} holds no step: the next step, line ${got}`, true);
  }

  private search(): void {
    clearTimeout(this.timer);
    const text = $<HTMLInputElement>('search').value;
    if (text === this.query) return;
    this.query = text;
    const q = parseQuery(text);
    this.found = q === undefined ? undefined : this.matching(q);
    document.body.dataset['matches'] = String(this.found?.length ?? '');
    document.body.dataset['query'] = text;
    if (this.found === undefined) $('matches').textContent = '';
    this.h.timeline.setMatches(this.found, this.only());
    this.moved();
  }

  private matching(q: Query): Int32Array {
    const d = this.h.data.digest;
    const out: number[] = [];
    for (let i = 0; i < this.h.steps.count; i++) {
      let w = this.words[i];
      if (w === undefined) {
        const facts = { task: d.tasks[d.task[i]!]!, event: this.h.rowEvent(i), result: d.results[d.result[i]!]!, flags: d.flags[i]!, woke: this.h.woke(i) };
        this.words[i] = w = wordsOf(facts);
      }
      if (matches(w, q)) out.push(i);
    }
    return Int32Array.from(out);
  }

  /** Selects the next match after the selected step (dir 1) or the one before it (-1), going round. */
  private next(dir: 1 | -1): void {
    this.search();
    const f = this.found;
    if (f === undefined || f.length === 0) return;
    const cur = this.h.current();
    let lo = 0;
    let hi = f.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (f[m]! <= cur) lo = m + 1;
      else hi = m;
    }
    // lo: the first match after cur.
    const k = dir === 1 ? (lo < f.length ? lo : 0) : f[lo - 1] === cur ? (lo >= 2 ? lo - 2 : f.length - 1) : lo >= 1 ? lo - 1 : f.length - 1;
    this.h.select(f[k]!);
  }

  private key(e: KeyboardEvent): void {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const t = e.target;
    if (t instanceof HTMLElement && t.matches('input, textarea, select')) {
      if (e.key === 'Escape') {
        e.preventDefault(); // a search field would empty itself
        t.blur();
      }
      return;
    }
    const cur = this.h.current();
    const page = Math.max(1, Math.floor(($('timeline').clientHeight - 40) / ROW) - 1);
    const moves: Record<string, number> = { ArrowRight: cur + 1, ArrowDown: cur + 1, j: cur + 1, ArrowLeft: cur - 1, ArrowUp: cur - 1, k: cur - 1, Home: 0, End: this.h.steps.count - 1, PageDown: cur + page, PageUp: cur - page };
    const to = moves[e.key];
    if (to !== undefined && this.only() && this.found !== undefined && this.found.length > 0 && e.key !== 'Home' && e.key !== 'End') {
      // Listing only the matches, the keys go from match to match.
      e.preventDefault();
      this.next(to > cur ? 1 : -1);
    } else if (to !== undefined) {
      e.preventDefault();
      this.h.select(to);
      return;
    }
    const focus = { '/': 'search', g: 'go-step' }[e.key];
    if (focus !== undefined) {
      e.preventDefault();
      $<HTMLInputElement>(focus).focus();
    } else if (e.key === 'n' || e.key === 'N') {
      e.preventDefault();
      this.next(e.key === 'n' ? 1 : -1);
    }
  }
}
