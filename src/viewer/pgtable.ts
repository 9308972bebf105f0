// The page tables a step leaves, by vma, with the entries it installed and zapped. A step's
// states share every table it did not write (copy-on-write), so the two trees are compared
// where they differ only; leaves are never changed in place (mm_pgtable.ts), so a leaf present
// in both trees is the same object, and one that is new or gone was installed or zapped (an
// entry written again as it was counts as installed, not zapped).
// Browser-safe: no node: imports.
import type { KernelState, Leaf, PmdTable, PteTable, PudSlot, Slots } from '../../machines/state.ts';

export interface VmaTables {
  /** The vma's object id and label (after the step, or before it for one the step unmapped). */
  vma: number;
  label: string;
  /** Its range while mapped, from its context. */
  start?: string;
  end?: string;
  /** The entries present after the step, in address order. */
  present: Leaf[];
  /** Those of present that the step installed. */
  installed: Set<Leaf>;
  /** Entries the step removed (zapped, or freed with their tables), in address order. */
  zapped: Leaf[];
}

export interface PageTables {
  vmas: VmaTables[];
  installed: number;
  zapped: number;
}

type Node = PudSlot | Leaf | PteTable;
const isLeaf = (x: Node): x is Leaf => 'size' in x;

/** Every leaf under x. */
function leaves(x: Node, out: Leaf[]): void {
  if (isLeaf(x)) out.push(x);
  else for (const l of tableLeaves(x)) out.push(l);
}

/** The leaves under a table, kept for as long as the table lives: a step leaves most tables as they were. */
const under = new WeakMap<object, Leaf[]>();
function tableLeaves(t: PmdTable | PteTable): Leaf[] {
  let ls = under.get(t);
  if (ls === undefined) {
    ls = [];
    if ('pmd' in t) for (const y of t.pmd.e) leaves(y, ls);
    else ls.push(...t.pte.e);
    under.set(t, ls);
  }
  return ls;
}

const slotsOf = (x: Node): Slots<Node> | undefined => (isLeaf(x) ? undefined : 'pmd' in x ? (x as PmdTable).pmd : (x as PteTable).pte);

/** The leaves in b and not in a (installed), and in a and not in b (zapped), below two slot tables. */
function diff(a: Slots<Node>, b: Slots<Node>, installed: Leaf[], zapped: Leaf[]): void {
  if (a === b) return;
  let i = 0;
  let j = 0;
  while (i < a.i.length || j < b.i.length) {
    const ai = i < a.i.length ? a.i[i]! : Infinity;
    const bj = j < b.i.length ? b.i[j]! : Infinity;
    if (ai < bj) leaves(a.e[i++]!, zapped);
    else if (bj < ai) leaves(b.e[j++]!, installed);
    else {
      const x = a.e[i++]!;
      const y = b.e[j++]!;
      if (x === y) continue;
      const sx = slotsOf(x);
      const sy = slotsOf(y);
      if (sx !== undefined && sy !== undefined && 'pmd' in x === 'pmd' in y) diff(sx, sy, installed, zapped);
      else if (isLeaf(x) && isLeaf(y) && sameLeaf(x, y)) installed.push(y); // written again as it was
      else {
        leaves(x, zapped);
        leaves(y, installed);
      }
    }
  }
}

const addr = (l: Leaf): bigint => BigInt(l.base);
const sameLeaf = (a: Leaf, b: Leaf) => a.size === b.size && a.base === b.base && a.phys === b.phys && a.vma === b.vma && a.write === b.write;

export function pageTables(before: KernelState, after: KernelState): PageTables {
  const installed: Leaf[] = [];
  const zapped: Leaf[] = [];
  diff(before.mm.pud as Slots<Node>, after.mm.pud as Slots<Node>, installed, zapped);
  const present: Leaf[] = [];
  for (const x of after.mm.pud.e) leaves(x, present);
  const byVma = new Map<number, VmaTables>();
  const group = (vma: number): VmaTables => {
    let g = byVma.get(vma);
    if (g === undefined) {
      const o = after.objects[vma] ?? before.objects[vma];
      const ctx = o?.kind === 'mapping' && o.value === 'mapped' ? o.context : undefined;
      g = { vma, label: o?.label ?? `#${vma}`, present: [], installed: new Set(), zapped: [] };
      if (ctx !== undefined) Object.assign(g, { start: ctx.start, end: ctx.end });
      byVma.set(vma, g);
    }
    return g;
  };
  for (const v of after.mm.vmas) group(v);
  for (const l of present) group(l.vma).present.push(l);
  for (const l of installed) group(l.vma).installed.add(l);
  for (const l of zapped) group(l.vma).zapped.push(l);
  // The mapped vmas first, in address order (mm.vmas), then those the step unmapped.
  const vmas = [...byVma.values()];
  for (const g of vmas) g.zapped.sort((x, y) => (addr(x) < addr(y) ? -1 : 1));
  return { vmas, installed: installed.length, zapped: zapped.length };
}
