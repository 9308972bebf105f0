/// <reference lib="dom" />
// The page-table panel: for each vma, the PUD, PMD and PTE entries present after the step, each
// with the virtual range it covers and the physical range it maps, the ones the step installed
// marked, and the ones it zapped struck through. An entry is listed as `replay --at` lists it
// (at.ts pageTableEntry). A vma is open when the step changed its entries, when there are few
// vmas, or when the reader opened it. A vma of many entries lists the step's changes with a few
// entries around each, until the reader asks for all: a step's panel stays small whatever the
// size of the tables.
import type { KernelState, Leaf } from '../../machines/state.ts';
import { pageTableEntry, SPAN } from '../at.ts';
import { reconcile } from './panels.ts';
import type { PageTables, VmaTables } from './pgtable.ts';

/** A vma with more entries lists those the step changed, CONTEXT either side of each (or the first ones), and gaps. */
export const MAX_ENTRIES = 48;
const CONTEXT = 4;

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (cls !== '') e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

const hex = (n: bigint) => '0x' + n.toString(16);
const MIB = 1n << 20n;
const sizeText = (bytes: bigint) => (bytes >= 1n << 30n && bytes % (1n << 30n) === 0n ? `${bytes >> 30n} GiB` : bytes % MIB === 0n ? `${bytes / MIB} MiB` : `${bytes / 1024n} KiB`);

export class PageTablePanel {
  /** vmas (by id) the reader opened or closed, kept from step to step. */
  private readonly chosen = new Map<number, boolean>();
  /** vmas whose every entry the reader asked to see. */
  private readonly all = new Set<number>();
  private last: { pt: PageTables; before: KernelState; after: KernelState } | undefined;
  /** Each vma's box as drawn, with what it showed: kept while that stays the same. */
  private drawn = new Map<number, { box: HTMLElement; g: VmaTables; open: boolean }>();

  constructor(
    private readonly root: HTMLElement,
    private readonly summary: HTMLElement,
  ) {}

  render(pt: PageTables, before: KernelState, after: KernelState): void {
    this.last = { pt, before, after };
    const entries = pt.vmas.reduce((n, g) => n + g.present.length, 0);
    const changes = [pt.installed > 0 ? `installed ${pt.installed}` : '', pt.zapped > 0 ? `zapped ${pt.zapped}` : ''].filter(Boolean).join(' and ');
    this.summary.textContent = `${entries} ${entries === 1 ? 'entry' : 'entries'} in ${pt.vmas.length} vma${pt.vmas.length === 1 ? '' : 's'} · ${changes === '' ? 'the step changed none' : `the step ${changes}`}`;
    if (pt.vmas.length === 0) {
      this.root.replaceChildren(el('p', 'none', 'no vma is mapped'));
      return;
    }
    const drawn = new Map<number, { box: HTMLElement; g: VmaTables; open: boolean }>();
    const boxes = pt.vmas.map((g) => {
      const few = pt.vmas.length <= 4;
      const open = this.chosen.get(g.vma) ?? (g.installed.size > 0 || g.zapped.length > 0 || few);
      const old = this.drawn.get(g.vma);
      const box = old !== undefined && old.open === open && same(old.g, g) ? old.box : this.vma(g, open, before, after);
      drawn.set(g.vma, { box, g, open });
      return box;
    });
    this.drawn = drawn;
    reconcile(this.root, boxes);
  }

  private vma(g: VmaTables, open: boolean, before: KernelState, after: KernelState): HTMLElement {
    const box = el('details', 'vma');
    box.dataset['vma'] = g.label;
    if (g.installed.size > 0 || g.zapped.length > 0) box.classList.add('changed');
    box.open = open;
    const head = el('summary', '');
    head.append(el('b', '', g.label));
    if (g.start !== undefined && g.end !== undefined) head.append(` ${g.start}–${g.end} (${sizeText(BigInt(g.end) - BigInt(g.start))})`);
    else head.append(' unmapped by this step');
    const counts = (['PUD', 'PMD', 'PTE'] as const).map((s) => [s, g.present.filter((l) => l.size === s).length] as const).filter(([, n]) => n > 0);
    head.append(el('span', 'counts', counts.length === 0 ? 'no entries' : counts.map(([s, n]) => `${n} ${s}`).join(' · ')));
    if (g.installed.size > 0) head.append(el('span', 'installed', `+${g.installed.size} installed`));
    if (g.zapped.length > 0) head.append(el('span', 'zapped', `−${g.zapped.length} zapped`));
    box.append(head);
    // A click on the summary, not the toggle event (which opening the box here fires too), is the reader's choice.
    head.addEventListener('click', () => {
      const open = !box.open;
      this.chosen.set(g.vma, open);
      const d = this.drawn.get(g.vma);
      if (d !== undefined) d.open = open;
      if (open && box.childElementCount === 1) box.append(this.table(g, before, after));
    });
    if (box.open) box.append(this.table(g, before, after));
    return box;
  }

  private table(g: VmaTables, before: KernelState, after: KernelState): HTMLElement {
    if (g.present.length === 0 && g.zapped.length === 0) return el('p', 'none', 'no page-table entry maps it');
    const items = merged(g);
    const every = this.all.has(g.vma) || items.length <= MAX_ENTRIES;
    const t = el('table', 'entries');
    let skipped = 0;
    const gap = () => {
      if (skipped === 0) return;
      const tr = el('tr', 'gap');
      const td = tr.insertCell();
      td.colSpan = 5;
      td.textContent = `… ${skipped} ${skipped === 1 ? 'entry' : 'entries'}`;
      t.append(tr);
      skipped = 0;
    };
    const near = every ? undefined : nearChanges(items);
    for (const [k, { leaf, mark }] of items.entries()) {
      if (near !== undefined && !near.has(k)) {
        skipped++;
        continue;
      }
      gap();
      t.append(this.entry(mark === 'zapped' ? before : after, leaf, mark));
    }
    gap();
    if (every) return t;
    const more = el('button', 'more', `show all ${items.length} entries`);
    more.type = 'button';
    more.addEventListener('click', () => {
      this.all.add(g.vma);
      this.drawn.delete(g.vma);
      if (this.last !== undefined) this.render(this.last.pt, this.last.before, this.last.after);
    });
    const box = el('div', '');
    box.append(t, more);
    return box;
  }

  private entry(s: KernelState, l: Leaf, mark: '' | 'installed' | 'zapped'): HTMLTableRowElement {
    const e = pageTableEntry(s, l);
    const physEnd = hex(BigInt(e.phys) + SPAN[l.size]);
    const tr = el('tr', mark);
    Object.assign(tr.dataset, { size: e.size, start: e.start, end: e.end, phys: e.phys, write: String(e.write), mark });
    for (const text of [e.size, `${e.start}–${e.end}`, `→ ${e.phys}–${physEnd}`, e.write ? 'writable' : 'read-only', mark]) tr.insertCell().textContent = text;
    return tr;
  }
}

/** Whether two steps show a vma alike: same label and range, same entries, and neither changed any. */
function same(a: VmaTables, b: VmaTables): boolean {
  if (a.label !== b.label || a.start !== b.start || a.end !== b.end) return false;
  if (a.installed.size + a.zapped.length + b.installed.size + b.zapped.length > 0) return false;
  if (a.present.length !== b.present.length) return false;
  for (let i = 0; i < a.present.length; i++) if (a.present[i] !== b.present[i]) return false;
  return true;
}

type Mark = '' | 'installed' | 'zapped';

/** Address order of two hex addresses (lower case, no leading zeros). */
const before = (a: string, b: string) => (a.length !== b.length ? a.length < b.length : a < b);

/** A vma's present and zapped entries in one list, in address order. */
function merged(g: VmaTables): { leaf: Leaf; mark: Mark }[] {
  const out: { leaf: Leaf; mark: Mark }[] = [];
  let z = 0;
  for (const l of g.present) {
    while (z < g.zapped.length && before(g.zapped[z]!.base, l.base)) out.push({ leaf: g.zapped[z++]!, mark: 'zapped' });
    out.push({ leaf: l, mark: g.installed.has(l) ? 'installed' : '' });
  }
  while (z < g.zapped.length) out.push({ leaf: g.zapped[z++]!, mark: 'zapped' });
  return out;
}

/** The indices of the items within CONTEXT of a change, or the first few when nothing changed. */
function nearChanges(items: { mark: Mark }[]): Set<number> {
  const near = new Set<number>();
  for (const [k, it] of items.entries()) {
    if (it.mark === '') continue;
    for (let j = Math.max(0, k - CONTEXT); j <= Math.min(items.length - 1, k + CONTEXT); j++) near.add(j);
  }
  if (near.size === 0) for (let j = 0; j < 2 * CONTEXT + 1; j++) near.add(j);
  return near;
}
