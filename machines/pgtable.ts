// The page tables of the address space, as far as the fault path can see them (v4.12 core mm,
// kernel-semantics.md §5). Levels are real tables: the PUD level is a map of 1 GiB slots; a PUD
// slot is empty, a huge leaf, or a PMD table of 512 slots; a PMD slot is empty, a huge leaf, or a
// PTE table of 512 slots; a PTE slot is empty or a leaf.
//
// Faults allocate tables on the way down (pmd_alloc after the PUD stage; a PTE table when a PTE
// is inserted). Zapping removes leaves and never frees a table, so a zapped 2 MiB entry leaves
// its PUD slot pointing at the PMD table (the next fault skips the PUD attempt), while a zapped
// 1 GiB entry leaves its slot empty. munmap frees the tables that map nothing any vma still
// covers (free_pgtables).
import type { VmArea } from './memory.ts';

export type EntrySize = 'PTE' | 'PMD' | 'PUD';

interface PteTable {
  readonly level: 'pte';
  readonly slots: (Leaf | undefined)[];
}
interface PmdTable {
  readonly level: 'pmd';
  readonly slots: (Leaf | PteTable | undefined)[];
}

export interface Leaf {
  size: EntrySize;
  /** Virtual address the entry starts at. */
  base: bigint;
  /** Physical address mapped at base. */
  phys: bigint;
  vma: VmArea;
  /** Where the leaf sits: its table (none for a PUD leaf) and slot. */
  table: PmdTable | PteTable | undefined;
  slot: number;
}

const BYTES: Record<EntrySize, bigint> = { PTE: 1n << 12n, PMD: 1n << 21n, PUD: 1n << 30n };
export const ENTRY_BYTES = BYTES;

const isLeaf = (x: Leaf | PmdTable | PteTable | undefined): x is Leaf => x !== undefined && 'vma' in x;

/** Slot indexes of an address. Addresses stay below 2^47, so page numbers are exact doubles. */
function slots(addr: bigint): [pud: number, pmd: number, pte: number] {
  const page = Number(addr >> 12n);
  const pmds = Math.floor(page / 512);
  return [Math.floor(pmds / 512), pmds % 512, page % 512];
}

export class PageTables {
  private readonly pud = new Map<number, Leaf | PmdTable>();

  /** The leaf that maps addr, if any. */
  leafAt(addr: bigint): Leaf | undefined {
    const [u, m, t] = slots(addr);
    const a = this.pud.get(u);
    if (a === undefined || isLeaf(a)) return a;
    const b = a.slots[m];
    if (b === undefined || isLeaf(b)) return b;
    return b.slots[t];
  }

  /** pud_none / pmd_none for the slot that covers addr. */
  slotEmpty(level: 'PUD' | 'PMD', addr: bigint): boolean {
    const [u, m] = slots(addr);
    const a = this.pud.get(u);
    if (level === 'PUD') return a === undefined;
    return a === undefined || (!isLeaf(a) && a.slots[m] === undefined);
  }

  /** pmd_alloc: an empty PUD slot gets a PMD table. */
  allocPmdTable(addr: bigint): void {
    const [u] = slots(addr);
    if (!this.pud.has(u)) this.pud.set(u, { level: 'pmd', slots: new Array(512) });
  }

  /**
   * Installs the leaf of `size` covering addr, making the tables above it. Whatever held the
   * slot is replaced (set_pmd_at / set_pud_at overwrite; a PTE slot is only filled when empty by
   * the caller). Replaced leaves are taken off their vmas.
   */
  install(size: EntrySize, addr: bigint, phys: bigint, vma: VmArea): void {
    const [u, m, t] = slots(addr);
    const base = addr & ~(BYTES[size] - 1n);
    if (size === 'PUD') {
      this.drop(this.pud.get(u));
      this.add(this.pud, u, { size, base, phys, vma, table: undefined, slot: u });
      return;
    }
    let pmd = this.pud.get(u);
    if (pmd === undefined || isLeaf(pmd)) {
      this.drop(pmd);
      this.pud.set(u, (pmd = { level: 'pmd', slots: new Array(512) }));
    }
    if (size === 'PMD') {
      this.drop(pmd.slots[m]);
      this.add(pmd.slots, m, { size, base, phys, vma, table: pmd, slot: m });
      return;
    }
    let pte = pmd.slots[m];
    if (pte === undefined || isLeaf(pte)) {
      this.drop(pte);
      pmd.slots[m] = pte = { level: 'pte', slots: new Array(512) };
    }
    this.drop(pte.slots[t]);
    this.add(pte.slots, t, { size, base, phys, vma, table: pte, slot: t });
  }

  /**
   * Zaps the leaves of vma that meet [start, end); tables stay. A huge leaf that only partly
   * overlaps the range goes whole: zap_pmd_range / zap_pud_range split it, and splitting a DAX
   * entry clears it (as __split_vma does at a new vma boundary).
   */
  zap(vma: VmArea, start: bigint, end: bigint): void {
    for (const l of [...vma.leaves]) if (l.base < end && l.base + BYTES[l.size] > start) this.remove(l);
  }

  /**
   * free_pgtables after [start, end) was unmapped: tables whose whole span no vma covers any more
   * are freed, so their slots are empty again. inUse tells whether a span meets a vma.
   */
  freeTables(start: bigint, end: bigint, inUse: (from: bigint, to: bigint) => boolean): void {
    const pmdSpan = BYTES.PMD;
    for (let a = start & ~(pmdSpan - 1n); a < end; a += pmdSpan) {
      const [u, m] = slots(a);
      const pmd = this.pud.get(u);
      if (pmd === undefined || isLeaf(pmd)) continue;
      const pte = pmd.slots[m];
      if (pte !== undefined && !isLeaf(pte) && !inUse(a, a + pmdSpan)) pmd.slots[m] = undefined;
    }
    const pudSpan = BYTES.PUD;
    for (let a = start & ~(pudSpan - 1n); a < end; a += pudSpan) {
      const [u] = slots(a);
      const pmd = this.pud.get(u);
      if (pmd !== undefined && !isLeaf(pmd) && !inUse(a, a + pudSpan)) this.pud.delete(u);
    }
  }

  private add(where: Map<number, Leaf | PmdTable> | (Leaf | PteTable | undefined)[], slot: number, leaf: Leaf): void {
    if (where instanceof Map) where.set(slot, leaf);
    else where[slot] = leaf;
    leaf.vma.leaves.add(leaf);
  }

  /** Removes what a slot held before it is overwritten: a leaf, or every leaf under a table. */
  private drop(x: Leaf | PmdTable | PteTable | undefined): void {
    if (x === undefined) return;
    if (isLeaf(x)) return this.remove(x);
    for (const s of x.slots) this.drop(s);
  }

  private remove(l: Leaf): void {
    if (l.table === undefined) this.pud.delete(l.slot);
    else l.table.slots[l.slot] = undefined;
    l.vma.leaves.delete(l);
  }
}
