// The core-mm fault path around device DAX (v4.12 mm/memory.c __handle_mm_fault,
// kernel-semantics.md §5): a load or store that no entry maps goes down the cascade PUD → PMD →
// PTE, each attempt one call of dev_dax_huge_fault (device_fault.ts); a store to a huge entry a
// read installed takes the write-protect path (wp_huge_pmd / wp_huge_pud); a direct fault is one
// handler call. The page tables are mm_pgtable.ts.
import { dev_dax_huge_fault, PE_SIZE, vmaBounds, type VmFault } from './device_fault.ts';
import type { EventOf, FaultSize } from './events.ts';
import type { Kernel } from './kernel.ts';
import { allocPmdTable, intoLeaf, leafAt, leafPhysN, slotEmpty } from './mm_pgtable.ts';
import type { Ret } from './outcome.ts';
import type { ObjId } from './records.ts';
import type { Leaf, NullBinding } from './state.ts';
import type { VmAreaContext } from './vm_area.ts';
import { big, u64 } from './u64.ts';

/** vma.fault: one direct dev_dax_huge_fault at vma start + off. */
export function direct_fault(k: Kernel, e: EventOf<'vma.fault'>, v: ObjId | NullBinding): Ret {
  const vma = typeof v === 'number' ? k.obj(v, 'mapping') : undefined;
  const b = vma === undefined ? undefined : vmaBounds(vma.context);
  if (vma === undefined || b === undefined || vma.value === 'unmapped' || e.off >= b.end - b.start) {
    k.hit('fault:sigsegv');
    return 'SIGSEGV';
  }
  const pe = typeof e.size === 'string' ? PE_SIZE[e.size] : Number(BigInt.asIntN(32, e.size));
  return dev_dax_huge_fault(k, vma.id, b.start + e.off, pe, e.write ?? false);
}

/**
 * vma.access: a load or store. Covered by an entry: no fault (a store to a read-only huge entry
 * faults again at that size). Otherwise __handle_mm_fault: a PUD attempt if the PUD slot is
 * empty and THP applies, then pmd_alloc, a PMD attempt if the PMD slot is empty and THP applies,
 * then the PTE fault. Any result without FALLBACK is final.
 */
export function handle_mm_fault(k: Kernel, e: EventOf<'vma.access'>, v: ObjId | NullBinding): Ret {
  const vma = typeof v === 'number' ? k.obj(v, 'mapping') : undefined;
  if (vma === undefined || vma.value === 'unmapped') {
    k.hit('access:sigsegv');
    return 'SIGSEGV';
  }
  const b = vmaBounds(vma.context);
  const offN = Number(e.off);
  if (offN >= b.sizeN) {
    k.hit('access:sigsegv');
    return 'SIGSEGV';
  }
  const addrN = b.startN + offN;
  const page = Math.floor(addrN / 4096);
  const rec = k.record;
  const write = e.write ?? false;
  const leaf = leafAt(k, page);
  if (hits(k, leaf, addrN, write)) return 0;
  const addr = b.start + e.off;
  if (leaf !== undefined) {
    // A store to a huge entry a read installed: wp_huge_pmd / wp_huge_pud call the huge_fault
    // handler again at that size (daxlog ruling 12). PTEs are installed writable.
    k.hit('access:write_protected');
    const r = dev_dax_huge_fault(k, vma.id, addr, PE_SIZE[leaf.size], true);
    rec.attempts = [[leaf.size, r]];
    if (r === 'VM_FAULT_NOPAGE') reportAt(k, addrN, page);
    return r;
  }
  rec.attempts = [];
  // transparent_hugepage_enabled(vma): "always", or "madvise" with the VM_HUGEPAGE dax_mmap sets.
  const thp = k.config.thp !== 'never';
  const attempt = (size: FaultSize): VmFault => {
    const r = dev_dax_huge_fault(k, vma.id, addr, PE_SIZE[size], write);
    rec.attempts!.push([size, r]);
    return r;
  };
  let r: VmFault = 'VM_FAULT_FALLBACK';
  if (!thp) k.hit('access:thp_off');
  if (slotEmpty(k, 'PUD', page)) {
    if (thp) r = attempt('PUD');
  } else k.hit('access:pud_slot_taken');
  if (r === 'VM_FAULT_FALLBACK') {
    allocPmdTable(k, page);
    if (slotEmpty(k, 'PMD', page)) {
      if (thp) r = attempt('PMD');
    } else k.hit('access:pmd_slot_taken');
  }
  if (r === 'VM_FAULT_FALLBACK') r = attempt('PTE');
  if (r === 'VM_FAULT_NOPAGE') reportAt(k, addrN, page);
  k.hit(r === 'VM_FAULT_NOPAGE' ? 'access:fault_maps' : 'access:fault_fails');
  return r;
}

/**
 * The load or store that an entry already maps (a store: a writable one), as handle_mm_fault
 * ends it: no fault, the entry's size and physical address in the step's record. False, with
 * nothing done, for any other access. Kernel.accessHit takes the loads and stores of a long
 * log here without the rest of a step.
 *
 * Worked out in doubles, which are exact for user addresses (below 2^47); an offset at or past
 * the end of the vma is SIGSEGV whatever its size, so its rounding does not matter.
 */
export function mapped(k: Kernel, vma: VmAreaContext, e: EventOf<'vma.access'>): boolean {
  const b = vmaBounds(vma);
  const offN = Number(e.off);
  if (offN >= b.sizeN) return false;
  const addrN = b.startN + offN;
  return hits(k, leafAt(k, Math.floor(addrN / 4096)), addrN, e.write === true);
}

/** The access to addrN ends without a fault when leaf maps it (a store: writably); reported so. */
function hits(k: Kernel, leaf: Leaf | undefined, addrN: number, write: boolean): boolean {
  if (leaf === undefined || (write && !leaf.write)) return false;
  report(k, leaf, addrN);
  k.record.attempts = NO_ATTEMPTS;
  k.hit('access:mapped');
  return true;
}

/** The attempts of an access that did not fault (shared; never written to). */
const NO_ATTEMPTS: [FaultSize, string][] = Object.freeze([]) as unknown as [FaultSize, string][];

/** Sets map and phys for the entry that maps addr. */
function report(k: Kernel, leaf: Leaf, addrN: number): void {
  const into = intoLeaf(leaf, addrN);
  const physN = leafPhysN(leaf);
  k.record.map = leaf.size;
  k.record.phys = physN >= 0 && physN + into <= Number.MAX_SAFE_INTEGER ? physN + into : u64(big(leaf.phys) + BigInt(into));
}

/** Sets map and phys when an entry maps addr (on page), after a fault. */
function reportAt(k: Kernel, addrN: number, page: number): void {
  const leaf = leafAt(k, page);
  if (leaf !== undefined) report(k, leaf, addrN);
}
