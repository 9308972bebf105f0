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
import type { VmArea } from './mmap.ts';

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
  /**
   * The entry allows stores. A huge entry a read fault installed does not (insert_pfn_pmd and
   * insert_pfn_pud make it writable only for a write fault); a PTE always does (the vma's
   * vm_page_prot: device DAX asks for no write notification).
   */
  write: boolean;
  /** Where the leaf sits: its table (none for a PUD leaf) and slot. */
  table: PmdTable | PteTable | undefined;
  slot: number;
}

const BYTES: Record<EntrySize, bigint> = { PTE: 1n << 12n, PMD: 1n << 21n, PUD: 1n << 30n };

const isLeaf = (x: Leaf | PmdTable | PteTable | undefined): x is Leaf => x !== undefined && 'vma' in x;

/** The page number of an address. Addresses stay below 2^47, so page numbers are exact doubles. */
export const pageOf = (addr: bigint): number => Number(addr >> 12n);
const pudSlot = (page: number) => Math.floor(page / 262144);
const pmdSlot = (page: number) => Math.floor(page / 512) % 512;
const pteSlot = (page: number) => page % 512;

export class PageTables {
  private readonly pud = new Map<number, Leaf | PmdTable>();

  /** The leaf that maps the page, if any. */
  leafAt(page: number): Leaf | undefined {
    const a = this.pud.get(pudSlot(page));
    if (a === undefined || isLeaf(a)) return a;
    const b = a.slots[pmdSlot(page)];
    if (b === undefined || isLeaf(b)) return b;
    return b.slots[pteSlot(page)];
  }

  /** pud_none / pmd_none for the slot that covers the page. */
  slotEmpty(level: 'PUD' | 'PMD', page: number): boolean {
    const a = this.pud.get(pudSlot(page));
    if (level === 'PUD') return a === undefined;
    return a === undefined || (!isLeaf(a) && a.slots[pmdSlot(page)] === undefined);
  }

  /** pmd_alloc: an empty PUD slot gets a PMD table. */
  allocPmdTable(page: number): void {
    const u = pudSlot(page);
    if (!this.pud.has(u)) this.pud.set(u, { level: 'pmd', slots: new Array(512) });
  }

  /**
   * Installs the leaf of `size` covering addr, making the tables above it. Whatever held the
   * slot is replaced (set_pmd_at / set_pud_at overwrite; a PTE slot is only filled when empty by
   * the caller). Replaced leaves are taken off their vmas.
   */
  install(size: EntrySize, addr: bigint, phys: bigint, vma: VmArea, write: boolean): void {
    const page = pageOf(addr);
    const u = pudSlot(page);
    const m = pmdSlot(page);
    const base = addr & ~(BYTES[size] - 1n);
    if (size === 'PUD') {
      this.drop(this.pud.get(u));
      this.pud.set(u, this.leaf(size, base, phys, vma, write, undefined, u));
      return;
    }
    let pmd = this.pud.get(u);
    if (pmd === undefined || isLeaf(pmd)) {
      this.drop(pmd);
      this.pud.set(u, (pmd = { level: 'pmd', slots: new Array(512) }));
    }
    if (size === 'PMD') {
      this.drop(pmd.slots[m]);
      pmd.slots[m] = this.leaf(size, base, phys, vma, write, pmd, m);
      return;
    }
    let pte = pmd.slots[m];
    if (pte === undefined || isLeaf(pte)) {
      this.drop(pte);
      pmd.slots[m] = pte = { level: 'pte', slots: new Array(512) };
    }
    const t = pteSlot(page);
    this.drop(pte.slots[t]);
    pte.slots[t] = this.leaf(size, base, phys, vma, true, pte, t);
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
      const page = pageOf(a);
      const m = pmdSlot(page);
      const pmd = this.pud.get(pudSlot(page));
      if (pmd === undefined || isLeaf(pmd)) continue;
      const pte = pmd.slots[m];
      if (pte !== undefined && !isLeaf(pte) && !inUse(a, a + pmdSpan)) pmd.slots[m] = undefined;
    }
    const pudSpan = BYTES.PUD;
    for (let a = start & ~(pudSpan - 1n); a < end; a += pudSpan) {
      const u = pudSlot(pageOf(a));
      const pmd = this.pud.get(u);
      if (pmd !== undefined && !isLeaf(pmd) && !inUse(a, a + pudSpan)) this.pud.delete(u);
    }
  }

  private leaf(size: EntrySize, base: bigint, phys: bigint, vma: VmArea, write: boolean, table: Leaf['table'], slot: number): Leaf {
    const l: Leaf = { size, base, phys, vma, write, table, slot };
    vma.leaves.add(l);
    return l;
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
