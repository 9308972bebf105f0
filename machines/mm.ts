// The process address space the mappings live in (struct mm_struct, v4.12 core mm as the
// environment of the seed): the vmas, the default top-down unmapped-area allocator, and the page
// tables (pgtable.ts). All tasks of a log are threads of one process: they share this one.
import type { VmArea } from './mmap.ts';
import { PageTables } from './pgtable.ts';

export const PAGE_SHIFT = 12n;
export const PAGE_SIZE = 1n << PAGE_SHIFT;
export const PMD_SIZE = 1n << 21n;
export const PUD_SIZE = 1n << 30n;
/** x86_64 with 4-level paging. */
export const TASK_SIZE = (1n << 47n) - PAGE_SIZE;
/** CONFIG_DEFAULT_MMAP_MIN_ADDR. */
export const MMAP_MIN_ADDR = 4096n;

export class AddressSpace {
  /** Mapped vmas in address order. */
  readonly vmas: VmArea[] = [];
  readonly pt = new PageTables();

  constructor(readonly mmapBase: bigint) {}

  // ---- vmas ----

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
}
