// drivers/dax/device.c at 7b6be8444e0f, the fault side (kernel-semantics.md §4, §5): check_vma,
// pgoff_to_phys, __dev_dax_pte_fault, __dev_dax_pmd_fault, __dev_dax_pud_fault and
// dev_dax_huge_fault (dev_dax_fault is its PTE case). A handler runs inside one dax_read_lock
// section that begins and ends within the step, so no kill can land inside it; a race is
// written in the log by wrapping the fault in the task's own read section.
import type { DevDaxRecord } from './dev_dax.ts';
import type { Kernel } from './kernel.ts';
import { BYTES, install, leafAt, pageOf } from './mm_pgtable.ts';
import type { ObjId } from './records.ts';
import { daxMemory } from './super.ts';
import { big, cHex, remember, u64 } from './u64.ts';
import type { VmAreaContext } from './vm_area.ts';
import { pfnBits } from './device.ts';

export type VmFault = 'VM_FAULT_NOPAGE' | 'VM_FAULT_SIGBUS' | 'VM_FAULT_FALLBACK' | 'VM_FAULT_OOM';

export const PAGE_SIZE = 1n << 12n;

/** What check_vma looks at: the vma's bounds and flags (also for a vma mmap is building). */
export interface VmaShape {
  start: bigint;
  end: bigint;
  shared: boolean;
}

/** A vma's bounds and offset as bigints, and its "(start - end)" as the dev_dbg lines print it. */
export function vmaBounds(c: VmAreaContext): VmaBounds {
  const known = (c as unknown as Record<symbol, VmaBounds | undefined>)[BOUNDS];
  if (known !== undefined) return known;
  const start = big(c.start);
  const end = big(c.end);
  const span = `(${cHex(start)} - ${cHex(end)})`;
  return remember(c, BOUNDS, { start, end, pgoff: big(c.pgoff), shared: c.shared, span, startN: Number(start), sizeN: Number(end - start) });
}
const BOUNDS = Symbol('bounds');
export interface VmaBounds extends VmaShape {
  pgoff: bigint;
  span: string;
  /** start and end - start as doubles, exact: user addresses stay below 2^47 (TASK_SIZE). */
  startN: number;
  sizeN: number;
}

const info = (k: Kernel, dev: DevDaxRecord, msg: string) => k.printk('info', `dax ${dev.context.name}: ${msg}`);
const dbg = (k: Kernel, dev: DevDaxRecord, msg: string) => k.printk('debug', `dax ${dev.context.name}: ${msg}`);

/** What the fault path reads of a dev_dax's region, decoded once per region context. */
interface RegionFacts {
  align: number;
  alignB: bigint;
  /** align - 1 as unsigned int arithmetic, widened: check_vma's mask. */
  mask: bigint;
  pfnDev: boolean;
  pfnMap: boolean;
}
const FACTS = Symbol('facts');
function regionOf(k: Kernel, dev: DevDaxRecord): RegionFacts {
  const c = k.obj(dev.context.region, 'dax_region').context;
  const known = (c as unknown as Record<symbol, RegionFacts | undefined>)[FACTS];
  if (known !== undefined) return known;
  const pfn = pfnBits(c.pfn_flags);
  return remember(c, FACTS, { align: c.align, alignB: BigInt(c.align), mask: BigInt((c.align - 1) >>> 0), pfnDev: pfn.dev, pfnMap: pfn.map });
}

/** A dev_dax's resources as bigints, decoded once per context. */
const RES = Symbol('res');
function resources(dev: DevDaxRecord): { start: bigint; end: bigint }[] {
  const c = dev.context;
  return (c as unknown as Record<symbol, { start: bigint; end: bigint }[] | undefined>)[RES] ?? remember(c, RES, c.res.map((r) => ({ start: big(r.start), end: big(r.end) })));
}

/** check_vma(dev_dax, vma, func): 0, -ENXIO (silently) or -EINVAL with a dev_info. */
export function check_vma(k: Kernel, devId: ObjId, vma: VmaShape, func: string): 0 | '-ENXIO' | '-EINVAL' {
  const dev = k.obj(devId, 'dev_dax');
  const comm = k.current;
  if (!daxMemory(k, dev.context.dax, 'dax_alive() in check_vma()').context.alive) {
    k.hit('check_vma:not_alive');
    return '-ENXIO';
  }
  if (!vma.shared) {
    k.hit('check_vma:private');
    info(k, dev, `${comm}: ${func}: fail, attempted private mapping`);
    return '-EINVAL';
  }
  const region = regionOf(k, dev);
  const mask = region.mask; // unsigned int arithmetic, then widened
  if ((vma.start & mask) !== 0n || (vma.end & mask) !== 0n) {
    k.hit('check_vma:unaligned');
    info(k, dev, `${comm}: ${func}: fail, unaligned vma (${cHex(vma.start)} - ${cHex(vma.end)}, ${cHex(mask)})`);
    return '-EINVAL';
  }
  if (region.pfnDev && !region.pfnMap) {
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
export function pgoff_to_phys(dev: DevDaxRecord, pgoff: bigint, size: bigint): bigint | -1 {
  const res = resources(dev);
  let p = pgoff;
  let phys = 0n;
  let i = 0;
  for (; i < res.length; i++) {
    const { start, end } = res[i]!;
    phys = u64(p * PAGE_SIZE + start);
    if (phys >= start && phys <= end) break;
    p = u64(p - (end - start + 1n) / PAGE_SIZE);
  }
  if (i < res.length && u64(phys + size - 1n) <= res[i]!.end) return phys;
  return -1;
}

/** linear_page_index: the file page of addr in vma. */
const pageIndex = (vma: VmAreaContext, addr: bigint) => {
  const b = vmaBounds(vma);
  return u64(((addr - b.start) >> 12n) + b.pgoff);
};

function __dev_dax_pte_fault(k: Kernel, dev: DevDaxRecord, vmaId: ObjId, address: bigint): VmFault {
  const func = '__dev_dax_pte_fault';
  const vma = k.obj(vmaId, 'mapping').context;
  if (check_vma(k, dev.id, vmaBounds(vma), func) !== 0) {
    k.hit('pte_fault:check_vma');
    return 'VM_FAULT_SIGBUS';
  }
  const align = regionOf(k, dev).align;
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
  if (leafAt(k, pageOf(address)) === undefined) {
    k.hit('pte_fault:insert');
    install(k, 'PTE', address, phys, vmaId, true);
  } else k.hit('pte_fault:busy');
  return 'VM_FAULT_NOPAGE';
}

function __dev_dax_pmd_fault(k: Kernel, dev: DevDaxRecord, vma: ObjId, address: bigint, write: boolean): VmFault {
  return hugeFault(k, dev, vma, address, 'PMD', write);
}

function __dev_dax_pud_fault(k: Kernel, dev: DevDaxRecord, vma: ObjId, address: bigint, write: boolean): VmFault {
  return hugeFault(k, dev, vma, address, 'PUD', write);
}

/** The body __dev_dax_pmd_fault and __dev_dax_pud_fault share; sizes and names differ. */
function hugeFault(k: Kernel, dev: DevDaxRecord, vmaId: ObjId, address: bigint, size: 'PMD' | 'PUD', write: boolean): VmFault {
  const func = size === 'PMD' ? '__dev_dax_pmd_fault' : '__dev_dax_pud_fault';
  const at = size === 'PMD' ? 'pmd_fault' : 'pud_fault';
  const bytes = BYTES[size];
  const base = address & ~(bytes - 1n);
  const vma = k.obj(vmaId, 'mapping').context;
  const bounds = vmaBounds(vma);
  if (check_vma(k, dev.id, bounds, func) !== 0) {
    k.hit(`${at}:check_vma`);
    return 'VM_FAULT_SIGBUS';
  }
  const region = regionOf(k, dev);
  const align = region.alignB;
  if (align > bytes) {
    k.hit(`${at}:align_above`);
    dbg(k, dev, `${func}: alignment (${cHex(align)}) > fault size (${cHex(bytes)})`);
    return 'VM_FAULT_SIGBUS';
  }
  if (!(region.pfnDev && region.pfnMap)) {
    k.hit(`${at}:no_devmap`);
    dbg(k, dev, `${func}: region lacks devmap flags`);
    return 'VM_FAULT_SIGBUS';
  }
  // bytes < align cannot happen here: the alignment check above already returned.
  if (bytes > align) {
    k.hit(`${at}:fallback`);
    return 'VM_FAULT_FALLBACK';
  }
  // Outside the vma cannot happen either: check_vma passed, so the vma is align-aligned.
  if (base < bounds.start || base + bytes > bounds.end) return 'VM_FAULT_SIGBUS';
  const pgoff = pageIndex(vma, base);
  const phys = pgoff_to_phys(dev, pgoff, bytes);
  if (phys === -1) {
    k.hit(`${at}:pgoff_to_phys`);
    dbg(k, dev, `${func}: pgoff_to_phys(${cHex(pgoff)}) failed`);
    return 'VM_FAULT_SIGBUS';
  }
  // vmf_insert_pfn_pmd / _pud: sets the entry (over whatever the slot held), NOPAGE.
  k.hit(`${at}:insert`);
  install(k, size, base, phys, vmaId, write);
  return 'VM_FAULT_NOPAGE';
}

export const PE_SIZE = { PTE: 0, PMD: 1, PUD: 2 } as const;

/**
 * dev_dax_huge_fault(vmf, pe_size) (and dev_dax_fault, which is its PTE case): logs the entry,
 * takes the read lock for the handler, dispatches on pe_size; anything else is SIGBUS.
 */
export function dev_dax_huge_fault(k: Kernel, vmaId: ObjId, address: bigint, pe: number, write: boolean): VmFault {
  const vma = k.obj(vmaId, 'mapping').context;
  const dev = k.obj(k.obj(vma.file, 'file').context.private!, 'dev_dax');
  dbg(k, dev, `dev_dax_huge_fault: ${k.current}: ${write ? 'write' : 'read'} ${vmaBounds(vma).span} size = ${pe}`);
  const page = address & ~(PAGE_SIZE - 1n);
  switch (pe) {
    case 0:
      return __dev_dax_pte_fault(k, dev, vmaId, page);
    case 1:
      return __dev_dax_pmd_fault(k, dev, vmaId, page, write);
    case 2:
      // Without CONFIG_HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD the handler is a stub.
      if (k.config.pud) return __dev_dax_pud_fault(k, dev, vmaId, page, write);
      k.hit('pud_fault:stub');
      return 'VM_FAULT_FALLBACK';
    default:
      k.hit('dev_dax_huge_fault:bad_size');
      return 'VM_FAULT_SIGBUS';
  }
}
