/// <reference lib="dom" />
// The panels of the selected step: what it did (the same text `daxsim replay` prints), every
// object's state after it with what changed marked, and each machine's statechart with the
// states its objects are in. The charts are SVG made by Graphviz when the page was written;
// their nodes and edges carry ids `<machine>.<state>` and `<machine>.<from>.<to>`.
import type { NamedViolation } from '../cex.ts';
import { formatStep } from '../format.ts';
import type { ObjectRow, StepView } from './model.ts';

const KIND_MACHINE: Record<string, string> = { mapping: 'vm_area' };
export const machineOf = (kind: string): string => KIND_MACHINE[kind] ?? kind;

/** Past this many objects the table shows the step's changes and the first rows that match its filter. */
export const MAX_OBJECT_ROWS = 400;

export function renderDetail(pre: HTMLElement, s: StepView, violation: NamedViolation | undefined): void {
  let text = formatStep(s.result);
  if (s.result.step.note !== undefined) text += `    note     ${s.result.step.note}\n`;
  if (s.blocked.length > 0) text += s.blocked.map((b) => `    asleep   ${b.task} in ${b.where} (line ${b.line})\n`).join('');
  if (violation !== undefined) text += `    ✗ the violation daxsim explore found: ${violation.kind}: ${violation.message}\n`;
  pre.textContent = text;
  pre.classList.toggle('failing', violation !== undefined);
}

/**
 * The objects table: a row per object (`.obj`, with data-label, data-state, data-key). A step
 * changes few rows, and rows that are all new cost the browser tens of milliseconds to lay out,
 * so rows are kept by object, only what differs is written, and rows out of view are not laid
 * out at all (content-visibility).
 */
export class ObjectTable {
  private readonly rows = new Map<number, HTMLElement>();
  private readonly body: HTMLElement;

  constructor(
    root: HTMLElement,
    private readonly count: HTMLElement,
    private readonly pick: (key: number) => void,
  ) {
    const head = document.createElement('div');
    head.className = 'obj head';
    head.setAttribute('role', 'row');
    for (const h of ['object', 'kind', 'state', 'context']) head.append(Object.assign(document.createElement('span'), { textContent: h, role: 'columnheader' }));
    this.body = document.createElement('div');
    this.body.setAttribute('role', 'rowgroup');
    root.setAttribute('role', 'table');
    root.replaceChildren(head, this.body);
    this.body.addEventListener('click', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('.obj');
      if (row !== null) this.pick(Number(row.dataset['key']));
    });
  }

  render(s: StepView, filter: string, focus: number | undefined): void {
    const f = filter.trim().toLowerCase();
    const shown: ObjectRow[] = [];
    let matching = 0;
    for (const o of s.objects) {
      const wanted = f === '' || `${o.label} ${o.kind} ${o.state}`.toLowerCase().includes(f);
      if (wanted) matching++;
      // The step's own changes always show; the rest while there is room.
      if ((wanted && matching <= MAX_OBJECT_ROWS) || s.changed.has(o.key) || s.touched.has(o.key)) shown.push(o);
    }
    const keep = new Set<number>();
    const els = shown.map((o) => {
      keep.add(o.key);
      return this.row(o, s, focus);
    });
    for (const [key, row] of this.rows) {
      if (keep.has(key)) continue;
      row.remove();
      this.rows.delete(key);
    }
    reconcile(this.body, els);
    const total = s.objects.length;
    this.count.textContent = shown.length === total ? `${total} with dax_srcu` : `showing ${shown.length} of ${total}${f === '' ? '' : `, ${matching} match the filter`}`;
  }

  private row(o: ObjectRow, s: StepView, focus: number | undefined): HTMLElement {
    let row = this.rows.get(o.key);
    if (row === undefined) {
      row = document.createElement('div');
      row.setAttribute('role', 'row');
      for (let i = 0; i < 4; i++) row.append(Object.assign(document.createElement('span'), { role: 'cell' }));
      this.rows.set(o.key, row);
    }
    const was = s.was.get(o.key);
    const mark = s.changed.has(o.key) ? (was === undefined ? 'new' : 'changed') : s.touched.has(o.key) ? 'touched' : '';
    const cls = ['obj', mark, o.key === focus ? 'focus' : '', o.object ? '' : 'null'].filter(Boolean).join(' ');
    if (row.className !== cls) row.className = cls;
    const data = row.dataset;
    if (data['label'] !== o.label) data['label'] = o.label;
    if (data['state'] !== o.state) data['state'] = o.state;
    data['key'] ??= String(o.key);
    const state = was === undefined || !s.changed.has(o.key) ? o.state : `${was} → ${o.state}`;
    const texts = [o.label, o.kind, state, o.context];
    const cells = row.children;
    for (let i = 0; i < 4; i++) if (cells[i]!.textContent !== texts[i]) cells[i]!.textContent = texts[i]!;
    return row;
  }
}

/** Puts `want` in `parent` in that order, moving or inserting only what is out of place. */
export function reconcile(parent: HTMLElement, want: Element[]): void {
  let at = parent.firstElementChild;
  for (const e of want) {
    if (at === e) at = at.nextElementSibling;
    else parent.insertBefore(e, at);
  }
  while (at !== null) {
    const next = at.nextElementSibling;
    at.remove();
    at = next;
  }
}

/**
 * Marks, in every chart, the states objects are in, the states entered and the edges taken.
 * Only the marks that differ from the last step's are changed: every change of a class makes
 * the browser restyle the element.
 */
export function markCharts(root: HTMLElement, s: StepView, focus: number | undefined): void {
  const want = new Map<Element, Set<string>>();
  const add = (e: Element | null, cls: string) => {
    if (e === null) return;
    let set = want.get(e);
    if (set === undefined) want.set(e, (set = new Set()));
    set.add(cls);
  };
  const byMachine = new Map<string, ObjectRow[]>();
  for (const o of s.objects) {
    if (!o.object) continue;
    const m = machineOf(o.kind);
    let list = byMachine.get(m);
    if (list === undefined) byMachine.set(m, (list = []));
    list.push(o);
  }
  for (const fig of root.querySelectorAll<HTMLElement>('figure[data-machine]')) {
    const m = fig.dataset['machine']!;
    const rows = byMachine.get(m) ?? [];
    const nodes = new Map<string, Element | null>();
    const node = (state: string) => {
      if (!nodes.has(state)) nodes.set(state, fig.querySelector(`g[id="${m}.${state}"]`));
      return nodes.get(state)!;
    };
    const who = new Map<string, string[]>();
    for (const o of rows) {
      add(node(o.state), 'occupied');
      let names = who.get(o.state);
      if (names === undefined) who.set(o.state, (names = []));
      names.push(o.label);
      if (o.key === focus) add(node(o.state), 'focus');
      if (!s.changed.has(o.key)) continue;
      add(node(o.state), 'entered');
      add(fig.querySelector(`g[id="${m}.${s.was.get(o.key) ?? '[*]'}.${o.state}"]`), 'taken');
    }
    if (fig.classList.contains('idle') !== (rows.length === 0)) fig.classList.toggle('idle');
    const list = fig.querySelector('.occupants');
    const text = rows.length === 0 ? 'no object' : [...who].map(([st, ls]) => `${st}: ${ls.length > 12 ? `${ls.slice(0, 12).join(', ')} and ${ls.length - 12} more` : ls.join(', ')}`).join(' · ');
    if (list !== null && list.textContent !== text) list.textContent = text;
  }
  for (const g of root.querySelectorAll('.occupied, .entered, .taken, .focus')) {
    const keep = want.get(g);
    for (const cls of MARKS) if (g.classList.contains(cls) && keep?.has(cls) !== true) g.classList.remove(cls);
  }
  for (const [g, classes] of want) for (const cls of classes) if (!g.classList.contains(cls)) g.classList.add(cls);
}

const MARKS = ['occupied', 'entered', 'taken', 'focus'];
