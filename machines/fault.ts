// drivers/dax/device.c at 7b6be8444e0f, the fault side (kernel-semantics.md §4, §5): check_vma,
// pgoff_to_phys, the PTE / PMD / PUD handlers and dev_dax_huge_fault. A handler runs inside one
// dax_read_lock section that begins and ends within the step, so no kill can land inside it;
// a race is written in the log by wrapping the fault in the task's own read section.
import { cHex, u64 } from '../src/values.ts';
import type { DevDax } from './device.ts';
import type { Kernel } from './kernel.ts';
import { daxMemory } from './super.ts';
import type { VmArea } from './mmap.ts';
import { PAGE_SIZE, PMD_SIZE, PUD_SIZE } from './mm.ts';
import { pageOf, type EntrySize } from './pgtable.ts';

export type VmFault = 'VM_FAULT_NOPAGE' | 'VM_FAULT_SIGBUS' | 'VM_FAULT_FALLBACK' | 'VM_FAULT_OOM';

/** What check_vma looks at: the vma's bounds and flags (also for a vma mmap is building). */
export interface VmaShape {
  start: bigint;
  end: bigint;
  shared: boolean;
}

const info = (k: Kernel, dev: DevDax, msg: string) => k.printk('info', `dax ${dev.name}: ${msg}`);
const dbg = (k: Kernel, dev: DevDax, msg: string) => k.printk('debug', `dax ${dev.name}: ${msg}`);

/** check_vma(dev_dax, vma, func): 0, -ENXIO (silently) or -EINVAL with a dev_info. */
export function check_vma(k: Kernel, dev: DevDax, vma: VmaShape, func: string): 0 | '-ENXIO' | '-EINVAL' {
  const comm = k.current;
  if (!daxMemory(k, dev.dax, 'dax_alive() in check_vma()').ctx.alive) {
    k.hit('check_vma:not_alive');
    return '-ENXIO';
  }
  if (!vma.shared) {
    k.hit('check_vma:private');
    info(k, dev, `${comm}: ${func}: fail, attempted private mapping`);
    return '-EINVAL';
  }
  const mask = BigInt((dev.region.align - 1) >>> 0); // unsigned int arithmetic, then widened
  if ((vma.start & mask) !== 0n || (vma.end & mask) !== 0n) {
    k.hit('check_vma:unaligned');
    info(k, dev, `${comm}: ${func}: fail, unaligned vma (${cHex(vma.start)} - ${cHex(vma.end)}, ${cHex(mask)})`);
    return '-EINVAL';
  }
  const { dev: pfnDev, map } = dev.region.pfn;
  if (pfnDev && !map) {
    // VM_DONTCOPY is never set on a vma this model builds (no madvise).
    k.hit('check_vma:needs_dontfork');
    info(k, dev, `${comm}: ${func}: fail, dax range requires MADV_DONTFORK`);
    return '-EINVAL';
  }
  if (!k.config.fs_dax) {
    k.hit('check_vma:not_dax');
    info(k, dev, `${comm}: ${func}: fail, vma is not DAX capable`);
    return '-EINVAL';
  }
  k.hit('check_vma:ok');
  return 0;
}

/** pgoff_to_phys: the resources as one concatenated range; -1 when [phys, phys+size) does not fit. */
export function pgoff_to_phys(dev: DevDax, pgoff: bigint, size: bigint): bigint | -1 {
  let p = pgoff;
  let phys = 0n;
  let i = 0;
  for (; i < dev.res.length; i++) {
    const r = dev.res[i]!;
    phys = u64(p * PAGE_SIZE + r.start);
    if (phys >= r.start && phys <= r.end) break;
    p = u64(p - (r.end - r.start + 1n) / PAGE_SIZE);
  }
  if (i < dev.res.length && u64(phys + size - 1n) <= dev.res[i]!.end) return phys;
  return -1;
}

/** linear_page_index: the file page of addr in vma. */
const pageIndex = (vma: VmArea, addr: bigint) => u64(((addr - vma.start) >> 12n) + vma.pgoff);

/** Inserts the page-table leaf of a fault that succeeded; a write fault's entry is writable. */
function insert(k: Kernel, vma: VmArea, size: EntrySize, addr: bigint, phys: bigint, write: boolean): void {
  k.mm.pt.install(size, addr, phys, vma, write);
}

function __dev_dax_pte_fault(k: Kernel, dev: DevDax, vma: VmArea, address: bigint): VmFault {
  const func = '__dev_dax_pte_fault';
  if (check_vma(k, dev, vma, func) !== 0) {
    k.hit('pte_fault:check_vma');
    return 'VM_FAULT_SIGBUS';
  }
  const align = dev.region.align;
  if (align > 4096) {
    k.hit('pte_fault:align_above');
    dbg(k, dev, `${func}: alignment (${cHex(align)}) > fault size (0x1000)`);
    return 'VM_FAULT_SIGBUS';
  }
  if (align !== 4096) {
    k.hit('pte_fault:align_below');
    return 'VM_FAULT_SIGBUS';
  }
  const pgoff = pageIndex(vma, address);
  const phys = pgoff_to_phys(dev, pgoff, PAGE_SIZE);
  if (phys === -1) {
    k.hit('pte_fault:pgoff_to_phys');
    dbg(k, dev, `${func}: pgoff_to_phys(${cHex(pgoff)}) failed`);
    return 'VM_FAULT_SIGBUS';
  }
  // vm_insert_mixed: -EBUSY when something already maps the address (a racing fault); both
  // 0 and -EBUSY are NOPAGE.
  if (k.mm.pt.leafAt(pageOf(address)) === undefined) {
    k.hit('pte_fault:insert');
    insert(k, vma, 'PTE', address, phys, true);
  } else k.hit('pte_fault:busy');
  return 'VM_FAULT_NOPAGE';
}

/** __dev_dax_pmd_fault and __dev_dax_pud_fault: one body, the sizes and names differ. */
function dev_dax_huge_entry_fault(k: Kernel, dev: DevDax, vma: VmArea, address: bigint, size: 'PMD' | 'PUD', write: boolean): VmFault {
  const func = size === 'PMD' ? '__dev_dax_pmd_fault' : '__dev_dax_pud_fault';
  const bytes = size === 'PMD' ? PMD_SIZE : PUD_SIZE;
  const base = address & ~(bytes - 1n);
  const at = size === 'PMD' ? 'pmd_fault' : 'pud_fault';
  if (check_vma(k, dev, vma, func) !== 0) {
    k.hit(`${at}:check_vma` as const);
    return 'VM_FAULT_SIGBUS';
  }
  const align = BigInt(dev.region.align);
  if (align > bytes) {
    k.hit(`${at}:align_above` as const);
    dbg(k, dev, `${func}: alignment (${cHex(align)}) > fault size (${cHex(bytes)})`);
    return 'VM_FAULT_SIGBUS';
  }
  if (!(dev.region.pfn.dev && dev.region.pfn.map)) {
    k.hit(`${at}:no_devmap` as const);
    dbg(k, dev, `${func}: region lacks devmap flags`);
    return 'VM_FAULT_SIGBUS';
  }
  // bytes < align cannot happen here: the alignment check above already returned.
  if (bytes > align) {
    k.hit(`${at}:fallback` as const);
    return 'VM_FAULT_FALLBACK';
  }
  // Outside the vma cannot happen either: check_vma passed, so the vma is align-aligned.
  if (base < vma.start || base + bytes > vma.end) return 'VM_FAULT_SIGBUS';
  const pgoff = pageIndex(vma, base);
  const phys = pgoff_to_phys(dev, pgoff, bytes);
  if (phys === -1) {
    k.hit(`${at}:pgoff_to_phys` as const);
    dbg(k, dev, `${func}: pgoff_to_phys(${cHex(pgoff)}) failed`);
    return 'VM_FAULT_SIGBUS';
  }
  // vmf_insert_pfn_pmd / _pud: sets the entry (over whatever the slot held), NOPAGE.
  k.hit(`${at}:insert` as const);
  insert(k, vma, size, base, phys, write);
  return 'VM_FAULT_NOPAGE';
}

export const PE_SIZE: Record<EntrySize, number> = { PTE: 0, PMD: 1, PUD: 2 };

/**
 * dev_dax_huge_fault(vmf, pe_size) (and dev_dax_fault, which is its PTE case): logs the entry,
 * takes the read lock for the handler, dispatches on pe_size; anything else is SIGBUS.
 */
export function dev_dax_huge_fault(k: Kernel, vma: VmArea, address: bigint, pe: number, write: boolean): VmFault {
  const dev = vma.file.priv!;
  dbg(k, dev, `dev_dax_huge_fault: ${k.current}: ${write ? 'write' : 'read'} ${vma.span} size = ${pe}`);
  const page = address & ~(PAGE_SIZE - 1n);
  switch (pe) {
    case 0:
      return __dev_dax_pte_fault(k, dev, vma, page);
    case 1:
      return dev_dax_huge_entry_fault(k, dev, vma, page, 'PMD', write);
    case 2:
      // Without CONFIG_HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD the handler is a stub.
      if (k.config.pud) return dev_dax_huge_entry_fault(k, dev, vma, page, 'PUD', write);
      k.hit('pud_fault:stub');
      return 'VM_FAULT_FALLBACK';
    default:
      k.hit('dev_dax_huge_fault:bad_size');
      return 'VM_FAULT_SIGBUS';
  }
}
