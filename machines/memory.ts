// The process side around device DAX at 7b6be8444e0f (kernel-semantics.md §5, §8): open and
// close of /dev/daxR.N (chrdev_open → dax_open, fput → dax_release), mmap (do_mmap with
// dax_get_unmapped_area and dax_mmap), munmap, and the core-mm fault cascade of v4.12's
// __handle_mm_fault (PUD → PMD → PTE). Files and mappings are XState machines (file.ts,
// vm_area.ts); the address space is mm.ts.
import type { Actor } from 'xstate';
import { hex, u64 } from '../src/values.ts';
import { cdev_put, type DevDax } from './device.ts';
import type { FileMmap, VmaAccess, VmaFault, VmaMunmap } from './events.ts';
import { check_vma, dev_dax_huge_fault, PE_SIZE, type VmaShape, type VmFault } from './fault.ts';
import { fileMachine } from './file.ts';
import type { Kernel } from './kernel.ts';
import { MMAP_MIN_ADDR, PAGE_SIZE, TASK_SIZE } from './mm.ts';
import { pageOf, type EntrySize, type Leaf } from './pgtable.ts';
import { KObject, NullObject } from './objects.ts';
import { oops, refuse, type Ret } from './outcome.ts';
import type { DaxDevice } from './super.ts';
import { vmAreaMachine, type VmAreaContext } from './vm_area.ts';

export class OpenFile extends KObject<typeof fileMachine> {
  constructor(
    handle: string,
    actor: Actor<typeof fileMachine>,
    /** The device whose cdev the file holds. */
    readonly dev: DevDax,
    /** inode_dax(inode): f_mapping is this dax inode's address space. */
    readonly dax: DaxDevice,
    /** filp->private_data: NULL when dax_open ran after the kill. */
    readonly priv: DevDax | null,
  ) {
    super('file', handle, actor);
  }
  get fcount(): number {
    return this.actor.getSnapshot().context.fcount;
  }
  /** Closed and released by its last fput (no mapping holds it): the struct file is gone. */
  override get live(): boolean {
    return super.live && !(this.state === 'closed' && this.fcount === 0);
  }
}

export class VmArea extends KObject<typeof vmAreaMachine> {
  /** The page-table leaves that map this vma (mm.ts keeps them in step). */
  readonly leaves = new Set<Leaf>();
  constructor(
    handle: string,
    actor: Actor<typeof vmAreaMachine>,
    readonly file: OpenFile,
  ) {
    super('mapping', handle, actor);
  }
  private get ctx() {
    return this.actor.getSnapshot().context;
  }
  get start(): bigint {
    return this.ctx.start;
  }
  /** start and end in one read of the snapshot. */
  get bounds(): VmAreaContext {
    return this.ctx;
  }
  get end(): bigint {
    return this.ctx.end;
  }
  get pgoff(): bigint {
    return this.ctx.pgoff;
  }
  get shared(): boolean {
    return this.ctx.shared;
  }
  /** "(start - end)" as the fault path's dev_dbg prints it; the bounds change only by a trim. */
  get span(): string {
    const c = this.ctx;
    if (this.spanOf !== c) {
      this.spanOf = c;
      this.spanText = `(${hex(c.start)} - ${hex(c.end)})`;
    }
    return this.spanText;
  }
  private spanOf: unknown;
  private spanText = '';
}

const PAGE_MASK = ~(PAGE_SIZE - 1n);
const pageAlign = (n: bigint) => u64(n + PAGE_SIZE - 1n) & PAGE_MASK;

// ---- open and close ----

/** chrdev_open → dax_open: always 0 once the node exists; private_data may be NULL. */
export function chrdev_open(k: Kernel, fd: string, devName: string): Ret {
  k.claim(fd, ['event', 'fd']);
  const dev = k.nodes.get(devName);
  if (dev === undefined) {
    k.hit('chrdev_open:no_node');
    k.bindNull('file', fd, '-ENOENT');
    return '-ENOENT';
  }
  k.send(dev, { type: 'dev_dax.cdev_get' });
  const priv = dev.dax.ctx.private === null ? null : dev;
  k.hit(priv === null ? 'dax_open:private_null' : 'dax_open:ok');
  if (priv !== null) k.printk('debug', `dax ${dev.name}: dax_open`);
  const actor = k.actor(fileMachine, fd, { dev: devName, private: priv?.label ?? null });
  k.adopt(new OpenFile(fd, actor, dev, dev.dax, priv));
  return 0;
}

export function file_close(k: Kernel, f: OpenFile | NullObject): Ret {
  if (f instanceof NullObject || f.state === 'closed') {
    k.hit('close:ebadf');
    return '-EBADF';
  }
  k.send(f, { type: 'file.close' });
  if (f.fcount === 0) release_file(k, f);
  else k.hit('close:mapping_holds_file');
  return 0;
}

/** The last fput: dax_release, then the cdev reference goes. */
function release_file(k: Kernel, f: OpenFile): void {
  k.hit('dax_release');
  if (f.priv !== null) k.printk('debug', `dax ${f.priv.name}: dax_release`);
  cdev_put(k, f.dev);
}

function fput(k: Kernel, f: OpenFile): void {
  k.send(f, { type: 'file.put' });
  if (f.fcount === 0) release_file(k, f);
}

// ---- mmap ----

/** dax_get_unmapped_area: ask for len + align and round up to a start congruent to the offset. */
function dax_get_unmapped_area(k: Kernel, f: OpenFile, addr: bigint, len: bigint, pgoff: bigint, fixed: boolean): bigint | string {
  const dev = f.priv;
  if (dev === null || addr !== 0n) {
    k.hit('dax_get_unmapped_area:hint_or_fixed');
    return k.mm.unmappedArea(addr, len, fixed);
  }
  const align = BigInt(dev.region.align);
  const mask = BigInt((dev.region.align - 1) >>> 0);
  const off = u64(pgoff << 12n);
  const offEnd = u64(off + len);
  const offAlign = u64(((off - 1n) | mask) + 1n); // round_up(off, align)
  if (offEnd <= offAlign || u64(offEnd - offAlign) < align) {
    k.hit('dax_get_unmapped_area:no_aligned_chunk');
    return k.mm.unmappedArea(addr, len, fixed);
  }
  const lenAlign = u64(len + align);
  if (u64(off + lenAlign) < off) {
    k.hit('dax_get_unmapped_area:overflow');
    return k.mm.unmappedArea(addr, len, fixed);
  }
  const addrAlign = k.mm.unmappedArea(addr, lenAlign, fixed);
  if (typeof addrAlign === 'string') {
    k.hit('dax_get_unmapped_area:no_room_to_align');
    return k.mm.unmappedArea(addr, len, fixed);
  }
  k.hit('dax_get_unmapped_area:aligned');
  return addrAlign + (u64(off - addrAlign) & mask);
}

/** mmap(2) of an open device file: do_mmap → get_unmapped_area → mmap_region → dax_mmap. */
export function do_mmap(k: Kernel, e: FileMmap, f: OpenFile | NullObject): Ret {
  k.claim(e.vma, ['event', 'vma']);
  const failed = (rc: string) => {
    k.bindNull('mapping', e.vma, rc);
    return rc;
  };
  if (f instanceof NullObject || f.state === 'closed') {
    k.hit('mmap:ebadf');
    return failed('-EBADF');
  }
  const shared = e.flags.startsWith('MAP_SHARED');
  const fixed = e.flags.endsWith('MAP_FIXED');
  const len = pageAlign(e.len);
  if (e.len === 0n || len === 0n) {
    k.hit('mmap:bad_length');
    return failed(e.len === 0n ? '-EINVAL' : '-ENOMEM');
  }
  const pgoff = e.pgoff ?? 0n;
  if (u64(pgoff + (len >> 12n)) < pgoff) {
    k.hit('mmap:pgoff_overflow');
    return failed('-EOVERFLOW');
  }
  let hint = e.addr ?? 0n;
  if (!fixed) {
    hint &= PAGE_MASK; // round_hint_to_min
    if (hint !== 0n && hint < MMAP_MIN_ADDR) hint = pageAlign(MMAP_MIN_ADDR);
  }
  const got = dax_get_unmapped_area(k, f, hint, len, pgoff, fixed);
  // get_unmapped_area's own checks of what the file's hook returned. An aligned search for a
  // device aligned below a page asks for len + align bytes, not a page multiple, and so gets an
  // address that is not page-aligned: -EINVAL.
  const addr = typeof got === 'string' ? got : got > TASK_SIZE - len ? '-ENOMEM' : (got & ~PAGE_MASK) !== 0n ? '-EINVAL' : got;
  if (typeof addr === 'string') {
    k.hit('mmap:no_address');
    return failed(addr);
  }
  const dev = f.priv;
  if (dev === null) {
    k.hit('oops:mmap_private_null');
    oops(`NULL pointer dereference: dax_mmap() → check_vma() on ${f.label}, opened after the kill (private_data is NULL)`);
  }
  // mmap_region: a fixed mapping first unmaps whatever it overlaps.
  if (fixed) {
    for (const v of k.mm.overlapping(addr, addr + len)) {
      k.hit('mmap:fixed_replaces');
      unmapRange(k, v, addr, addr + len, ['event', 'addr']);
    }
  }
  k.printk('debug', `dax ${dev.name}: dax_mmap`);
  const shape: VmaShape = { start: addr, end: addr + len, shared };
  const rc = check_vma(k, dev, shape, 'dax_mmap'); // under dax_read_lock, released at once
  if (rc !== 0) {
    k.hit('mmap:check_vma_fails');
    return failed(rc);
  }
  k.hit('mmap:ok');
  const actor = k.actor(vmAreaMachine, e.vma, { start: addr, end: addr + len, pgoff, shared });
  const vma = k.adopt(new VmArea(e.vma, actor, f));
  k.send(f, { type: 'file.get' });
  k.mm.insert(vma);
  f.dax.mappings.add(vma);
  return hex(addr);
}

// ---- munmap ----

export function do_munmap(k: Kernel, e: VmaMunmap, v: VmArea | NullObject): Ret {
  const off = e.off ?? 0n;
  if (v instanceof NullObject || (off & ~PAGE_MASK) !== 0n || e.len === 0n) {
    k.hit('munmap:einval');
    return '-EINVAL';
  }
  if (v.state === 'unmapped' || off >= v.end - v.start) {
    k.hit('munmap:nothing_mapped');
    return 0;
  }
  const size = v.end - v.start;
  const start = v.start + off;
  const want = e.len === undefined ? size - off : pageAlign(e.len);
  const end = want === 0n || start + want > v.end ? v.end : start + want;
  unmapRange(k, v, start, end, ['event', 'len']);
  return 0;
}

/** Unmaps [start, end) of v: zap its entries, trim or remove it, free unused page tables. */
function unmapRange(k: Kernel, v: VmArea, start: bigint, end: bigint, path: (string | number)[]): void {
  const from = start > v.start ? start : v.start;
  const to = end < v.end ? end : v.end;
  if (from > v.start && to < v.end) {
    refuse(path, `${path.join('.')}: unmapping [${hex(from)}, ${hex(to)}) would split ${v.label} in two; daxlog v1 allows cutting only a head or a tail`);
  }
  k.mm.pt.zap(v, from, to);
  if (from === v.start && to === v.end) {
    k.hit('munmap:whole');
    k.mm.remove(v);
    v.file.dax.mappings.delete(v);
    k.send(v, { type: 'vma.unmap' });
    fput(k, v.file);
  } else if (from === v.start) {
    k.hit('munmap:head');
    k.send(v, { type: 'vma.trim', start: to, end: v.end, pgoff: u64(v.pgoff + ((to - v.start) >> 12n)) });
  } else {
    k.hit('munmap:tail');
    k.send(v, { type: 'vma.trim', start: v.start, end: from, pgoff: v.pgoff });
  }
  k.mm.pt.freeTables(from, to, (a, b) => !(a >= from && b <= to) && k.mm.overlapping(a, b).length > 0);
}

// ---- faults ----

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
  if (report(k, addr, page)) {
    rec.attempts = NO_ATTEMPTS;
    k.hit('access:mapped');
    return 0;
  }
  rec.attempts = [];
  const write = e.write ?? false;
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
