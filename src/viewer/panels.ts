/// <reference lib="dom" />
// The panels of the selected step: what it did (the same text `daxsim replay` prints), every
// object's state after it with what changed marked, and each machine's statechart with the
// states its objects are in. The charts are SVG made by Graphviz when the page was written;
// their nodes and edges carry ids `<machine>.<state>` and `<machine>.<from>.<to>`.
import { formatStep } from '../format.ts';
import type { ObjectRow, ViewStep } from './model.ts';

const KIND_MACHINE: Record<string, string> = { mapping: 'vm_area' };
export const machineOf = (kind: string): string => KIND_MACHINE[kind] ?? kind;

export function renderDetail(pre: HTMLElement, s: ViewStep): void {
  let text = formatStep(s.result);
  if (s.result.step.note !== undefined) text += `    note     ${s.result.step.note}\n`;
  if (s.blocked.length > 0) text += s.blocked.map((b) => `    asleep   ${b.task} in ${b.where} (line ${b.line})\n`).join('');
  pre.textContent = text;
}

export function renderObjects(table: HTMLTableElement, s: ViewStep, focus: number | undefined, pick: (key: number) => void): void {
  const head = table.createTHead();
  head.replaceChildren();
  const hr = head.insertRow();
  for (const h of ['object', 'kind', 'state', 'context']) hr.append(Object.assign(document.createElement('th'), { textContent: h }));
  const body = table.tBodies[0] ?? table.createTBody();
  body.replaceChildren();
  for (const o of s.objects) {
    const tr = body.insertRow();
    tr.dataset['label'] = o.label;
    tr.dataset['state'] = o.state;
    tr.dataset['key'] = String(o.key);
    const mark = s.changed.has(o.key) ? (s.before.get(o.key) === undefined ? 'new' : 'changed') : s.touched.has(o.key) ? 'touched' : '';
    tr.className = [mark, o.key === focus ? 'focus' : '', o.object ? '' : 'null'].filter(Boolean).join(' ');
    const before = s.before.get(o.key);
    const state = before === undefined || !s.changed.has(o.key) ? o.state : `${before} → ${o.state}`;
    for (const text of [o.label, o.kind, state, o.fields]) tr.insertCell().textContent = text;
    tr.addEventListener('click', () => pick(o.key));
  }
}

/** Marks, in every chart, the states objects are in, the states entered and the edges taken. */
export function markCharts(root: HTMLElement, s: ViewStep, focus: number | undefined): void {
  for (const g of root.querySelectorAll('.occupied, .entered, .taken, .focus')) g.classList.remove('occupied', 'entered', 'taken', 'focus');
  const byMachine = new Map<string, ObjectRow[]>();
  for (const o of s.objects) {
    if (!o.object) continue;
    const m = machineOf(o.kind);
    byMachine.set(m, [...(byMachine.get(m) ?? []), o]);
  }
  for (const fig of root.querySelectorAll<HTMLElement>('figure[data-machine]')) {
    const m = fig.dataset['machine']!;
    const rows = byMachine.get(m) ?? [];
    const node = (state: string) => fig.querySelector(`g[id="${m}.${state}"]`);
    const who = new Map<string, string[]>();
    for (const o of rows) {
      node(o.state)?.classList.add('occupied');
      who.set(o.state, [...(who.get(o.state) ?? []), o.label]);
      if (o.key === focus) node(o.state)?.classList.add('focus');
      if (!s.changed.has(o.key)) continue;
      node(o.state)?.classList.add('entered');
      const from = s.before.get(o.key);
      fig.querySelector(`g[id="${m}.${from ?? '[*]'}.${o.state}"]`)?.classList.add('taken');
    }
    fig.classList.toggle('idle', rows.length === 0);
    const list = fig.querySelector('.occupants');
    if (list !== null) list.textContent = rows.length === 0 ? 'no object' : [...who].map(([st, ls]) => `${st}: ${ls.join(', ')}`).join(' · ');
  }
}
