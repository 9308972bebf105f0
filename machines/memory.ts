// The core-mm fault path around device DAX (v4.12's __handle_mm_fault, kernel-semantics.md §5):
// a load or store that no entry maps goes down the cascade PUD → PMD → PTE, each attempt one
// call of dev_dax_huge_fault (fault.ts); a direct fault is one such call. Mappings are in
// mmap.ts, the page tables in pgtable.ts.
import { u64 } from '../src/values.ts';
import type { VmaAccess, VmaFault } from './events.ts';
import { dev_dax_huge_fault, PE_SIZE, type VmFault } from './fault.ts';
import type { Kernel } from './kernel.ts';
import type { VmArea } from './mmap.ts';
import { NullObject } from './objects.ts';
import type { Ret } from './outcome.ts';
import { pageOf, type EntrySize } from './pgtable.ts';

/** vma.fault: one direct dev_dax_huge_fault at vma start + off. */
export function direct_fault(k: Kernel, e: VmaFault, v: VmArea | NullObject): Ret {
  if (v instanceof NullObject || v.state === 'unmapped' || e.off >= v.end - v.start) {
    k.hit('fault:sigsegv');
    return 'SIGSEGV';
  }
  const pe = typeof e.size === 'string' ? PE_SIZE[e.size] : Number(BigInt.asIntN(32, e.size));
  return dev_dax_huge_fault(k, v, v.start + e.off, pe, e.write ?? false);
}

/**
 * vma.access: a load or store. Covered by an entry: no fault. Otherwise __handle_mm_fault:
 * a PUD attempt if the PUD slot is empty and THP applies, then pmd_alloc, a PMD attempt if the
 * PMD slot is empty and THP applies, then the PTE fault. Any result without FALLBACK is final.
 */
export function handle_mm_fault(k: Kernel, e: VmaAccess, v: VmArea | NullObject): Ret {
  if (v instanceof NullObject || v.state === 'unmapped') {
    k.hit('access:sigsegv');
    return 'SIGSEGV';
  }
  const { start, end } = v.bounds;
  const addr = start + e.off;
  if (addr >= end) {
    k.hit('access:sigsegv');
    return 'SIGSEGV';
  }
  const page = pageOf(addr);
  const rec = k.record;
  const write = e.write ?? false;
  const leaf = k.mm.pt.leafAt(page);
  if (leaf !== undefined) {
    if (!write || leaf.write) {
      report(k, addr, page);
      rec.attempts = NO_ATTEMPTS;
      k.hit('access:mapped');
      return 0;
    }
    // A store to a huge entry a read installed: wp_huge_pmd / wp_huge_pud call the huge_fault
    // handler again at that size (daxlog ruling 12). PTEs are installed writable.
    k.hit('access:write_protected');
    const r = dev_dax_huge_fault(k, v, addr, PE_SIZE[leaf.size], true);
    rec.attempts = [[leaf.size, r]];
    if (r === 'VM_FAULT_NOPAGE') report(k, addr, page);
    return r;
  }
  rec.attempts = [];
  // transparent_hugepage_enabled(vma): "always", or "madvise" with the VM_HUGEPAGE dax_mmap sets.
  const thp = k.config.thp !== 'never';
  const attempt = (size: EntrySize): VmFault => {
    const r = dev_dax_huge_fault(k, v, addr, PE_SIZE[size], write);
    rec.attempts!.push([size, r]);
    return r;
  };
  let r: VmFault = 'VM_FAULT_FALLBACK';
  if (!thp) k.hit('access:thp_off');
  if (k.mm.pt.slotEmpty('PUD', page)) {
    if (thp) r = attempt('PUD');
  } else k.hit('access:pud_slot_taken');
  if (r === 'VM_FAULT_FALLBACK') {
    k.mm.pt.allocPmdTable(page);
    if (k.mm.pt.slotEmpty('PMD', page)) {
      if (thp) r = attempt('PMD');
    } else k.hit('access:pmd_slot_taken');
  }
  if (r === 'VM_FAULT_FALLBACK') r = attempt('PTE');
  if (r === 'VM_FAULT_NOPAGE') report(k, addr, page);
  k.hit(r === 'VM_FAULT_NOPAGE' ? 'access:fault_maps' : 'access:fault_fails');
  return r;
}

/** The attempts of an access that did not fault (shared; never written to). */
const NO_ATTEMPTS: [EntrySize, string][] = Object.freeze([]) as unknown as [EntrySize, string][];

/** Sets map and phys when an entry maps addr (on page). */
function report(k: Kernel, addr: bigint, page: number): boolean {
  const leaf = k.mm.pt.leafAt(page);
  if (leaf === undefined) return false;
  const rec = k.record;
  rec.map = leaf.size;
  rec.phys = u64(leaf.phys + (addr - leaf.base));
  return true;
}
