// The process address space the mappings live in (struct mm_struct, v4.12 core mm as the
// environment of the seed): the vmas, the default top-down unmapped-area allocator, and the
// page tables as far as the fault path can see them (kernel-semantics.md §5).
//
// Page tables are three maps keyed by slot index: PUD slots (1 GiB), PMD slots (2 MiB) and PTEs
// (4 KiB). A PUD or PMD slot is empty, a huge leaf, or a pointer to the next-level table. Faults
// allocate tables on the way down (pmd_alloc after a PUD fallback; a PTE table when a PTE is
// inserted); zapping removes leaves only and never frees tables; munmap frees the tables that
// map nothing but the unmapped range (free_pgtables).
//
// All tasks of a log are threads of one process, so they share this one address space.
import type { VmArea } from './memory.ts';

export const PAGE_SHIFT = 12n;
export const PAGE_SIZE = 1n << PAGE_SHIFT;
export const PMD_SIZE = 1n << 21n;
export const PUD_SIZE = 1n << 30n;
/** x86_64 with 4-level paging. */
export const TASK_SIZE = (1n << 47n) - PAGE_SIZE;
/** CONFIG_DEFAULT_MMAP_MIN_ADDR. */
export const MMAP_MIN_ADDR = 4096n;

export type EntrySize = 'PTE' | 'PMD' | 'PUD';
export const ENTRY_BYTES: Record<EntrySize, bigint> = { PTE: PAGE_SIZE, PMD: PMD_SIZE, PUD: PUD_SIZE };

export interface Leaf {
  size: EntrySize;
  /** Slot index at its level: address >> 30, >> 21 or >> 12. */
  index: number;
  /** Physical address mapped at the start of the entry. */
  phys: bigint;
  vma: VmArea;
}
type Slot = Leaf | 'table';

const pudIndex = (a: bigint) => Number(a >> 30n);
const pmdIndex = (a: bigint) => Number(a >> 21n);
const pteIndex = (a: bigint) => Number(a >> 12n);
const PMDS_PER_PUD = 512;
const PTES_PER_PMD = 512;

export class AddressSpace {
  /** Mapped vmas in address order. */
  readonly vmas: VmArea[] = [];
  private readonly pud = new Map<number, Slot>();
  private readonly pmd = new Map<number, Slot>();
  private readonly pte = new Map<number, Leaf>();

  constructor(readonly mmapBase: bigint) {}

  // ---- vmas ----

  find(addr: bigint): VmArea | undefined {
    for (const v of this.vmas) if (v.start <= addr && addr < v.end) return v;
    return undefined;
  }

  insert(v: VmArea): void {
    let i = 0;
    while (i < this.vmas.length && this.vmas[i]!.start < v.start) i++;
    this.vmas.splice(i, 0, v);
  }

  remove(v: VmArea): void {
    const i = this.vmas.indexOf(v);
    if (i >= 0) this.vmas.splice(i, 1);
  }

  /** The vmas that overlap [start, end). */
  overlapping(start: bigint, end: bigint): VmArea[] {
    return this.vmas.filter((v) => v.start < end && start < v.end);
  }

  /**
   * arch_get_unmapped_area_topdown: a free hint if it fits, else the highest gap below mmap_base
   * that holds len (vm_unmapped_area, top-down first fit). Returns -ENOMEM when nothing fits.
   */
  unmappedArea(addr: bigint, len: bigint, fixed: boolean): bigint | '-ENOMEM' | '-EINVAL' {
    if (len > TASK_SIZE) return '-ENOMEM';
    if (fixed) {
      if (addr > TASK_SIZE - len) return '-ENOMEM';
      return (addr & (PAGE_SIZE - 1n)) !== 0n ? '-EINVAL' : addr;
    }
    if (addr !== 0n) {
      const hint = (addr + PAGE_SIZE - 1n) & ~(PAGE_SIZE - 1n);
      if (hint <= TASK_SIZE - len && hint >= MMAP_MIN_ADDR && this.overlapping(hint, hint + len).length === 0) return hint;
    }
    let top = this.mmapBase;
    for (let i = this.vmas.length - 1; i >= -1; i--) {
      const v = this.vmas[i];
      if (v !== undefined && v.start >= top) continue;
      const floor = v === undefined ? PAGE_SIZE : v.end > top ? top : v.end;
      if (top - floor >= len) return top - len;
      if (v !== undefined) top = v.start < top ? v.start : top;
    }
    return '-ENOMEM';
  }

  // ---- page tables ----

  /** The leaf that maps addr, if any. */
  leafAt(addr: bigint): Leaf | undefined {
    const u = this.pud.get(pudIndex(addr));
    if (u === undefined) return undefined;
    if (u !== 'table') return u;
    const m = this.pmd.get(pmdIndex(addr));
    if (m === undefined) return undefined;
    if (m !== 'table') return m;
    return this.pte.get(pteIndex(addr));
  }

  /** Is the slot at this level empty (pud_none / pmd_none)? */
  slotEmpty(size: 'PUD' | 'PMD', addr: bigint): boolean {
    if (size === 'PUD') return !this.pud.has(pudIndex(addr));
    const u = this.pud.get(pudIndex(addr));
    return u === 'table' ? !this.pmd.has(pmdIndex(addr)) : u === undefined;
  }

  /** pmd_alloc: the PUD slot gets a PMD table if it is empty. */
  allocPmdTable(addr: bigint): void {
    if (!this.pud.has(pudIndex(addr))) this.pud.set(pudIndex(addr), 'table');
  }

  /**
   * Installs a leaf for the entry of `size` that covers addr, allocating the tables above it.
   * Whatever the slot held is replaced (set_pmd_at / set_pud_at overwrite); the leaves it
   * replaced are returned and taken off their vmas.
   */
  install(size: EntrySize, addr: bigint, phys: bigint, vma: VmArea): Leaf[] {
    const gone: Leaf[] = [];
    const drop = (l: Slot | undefined) => {
      if (l !== undefined && l !== 'table') gone.push(l);
    };
    const u = pudIndex(addr);
    if (size === 'PUD') {
      drop(this.pud.get(u));
      this.clearPmds(u, gone);
      return this.set(this.pud, { size, index: u, phys, vma }, gone);
    }
    drop(this.pud.get(u));
    this.pud.set(u, 'table');
    const m = pmdIndex(addr);
    if (size === 'PMD') {
      drop(this.pmd.get(m));
      this.clearPtes(m, gone);
      return this.set(this.pmd, { size, index: m, phys, vma }, gone);
    }
    drop(this.pmd.get(m));
    this.pmd.set(m, 'table');
    const t = pteIndex(addr);
    drop(this.pte.get(t));
    return this.set(this.pte, { size, index: t, phys, vma }, gone);
  }

  /**
   * Zaps the leaves of vma that meet [start, end); page tables stay. A huge leaf that only
   * partly overlaps the range goes whole: zap_pmd_range / zap_pud_range split it, and
   * splitting a DAX entry just clears it (as does __split_vma at a new vma boundary).
   */
  zap(vma: VmArea, start: bigint, end: bigint): Leaf[] {
    const gone: Leaf[] = [];
    for (const l of vma.leaves) {
      const shift = l.size === 'PUD' ? 30n : l.size === 'PMD' ? 21n : 12n;
      const a = BigInt(l.index) << shift;
      if (a >= end || a + (1n << shift) <= start) continue;
      (l.size === 'PUD' ? this.pud : l.size === 'PMD' ? this.pmd : this.pte).delete(l.index);
      gone.push(l);
    }
    for (const l of gone) vma.leaves.delete(l);
    return gone;
  }

  /**
   * free_pgtables for a range that was just unmapped: the PTE and PMD tables that map only
   * addresses no vma covers any more are freed, so their slots are empty again.
   */
  freeTables(start: bigint, end: bigint): void {
    const unused = (a: bigint, size: bigint) => this.overlapping(a, a + size).length === 0;
    for (let a = start & ~(PMD_SIZE - 1n); a < end; a += PMD_SIZE) {
      if (this.pmd.get(pmdIndex(a)) === 'table' && unused(a, PMD_SIZE)) this.pmd.delete(pmdIndex(a));
    }
    for (let a = start & ~(PUD_SIZE - 1n); a < end; a += PUD_SIZE) {
      if (this.pud.get(pudIndex(a)) === 'table' && unused(a, PUD_SIZE)) {
        this.pud.delete(pudIndex(a));
        this.clearPmds(pudIndex(a), []);
      }
    }
  }

  private set(level: Map<number, Slot>, leaf: Leaf, gone: Leaf[]): Leaf[] {
    level.set(leaf.index, leaf);
    leaf.vma.leaves.add(leaf);
    for (const l of gone) l.vma.leaves.delete(l);
    return gone;
  }

  /** Empties the PMD slots (and their PTEs) under PUD slot u. */
  private clearPmds(u: number, gone: Leaf[]): void {
    for (let m = u * PMDS_PER_PUD; m < (u + 1) * PMDS_PER_PUD; m++) {
      const slot = this.pmd.get(m);
      if (slot === undefined) continue;
      if (slot === 'table') this.clearPtes(m, gone);
      else gone.push(slot);
      this.pmd.delete(m);
    }
  }

  /** Empties the PTEs under PMD slot m. */
  private clearPtes(m: number, gone: Leaf[]): void {
    if (this.pmd.get(m) !== 'table') return;
    for (let t = m * PTES_PER_PMD; t < (m + 1) * PTES_PER_PMD; t++) {
      const p = this.pte.get(t);
      if (p === undefined) continue;
      gone.push(p);
      this.pte.delete(t);
    }
  }
}
