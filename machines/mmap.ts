// mmap and munmap of a device-DAX file at 7b6be8444e0f (kernel-semantics.md §5), in the v4.12
// core mm around it: do_mmap with the file's dax_get_unmapped_area and the default top-down
// allocator (mm.ts), mmap_region calling dax_mmap (check_vma under the read lock), and munmap
// cutting a vma's head or tail or removing it (zapping its entries and freeing unused tables).
import type { Actor } from 'xstate';
import { cHex, hex, u64 } from '../src/values.ts';
import { fput, type OpenFile } from './chrdev.ts';
import type { FileMmap, VmaMunmap } from './events.ts';
import { check_vma, type VmaShape } from './fault.ts';
import type { Kernel } from './kernel.ts';
import { MMAP_MIN_ADDR, PAGE_SIZE, TASK_SIZE } from './mm.ts';
import { KObject, NullObject } from './objects.ts';
import { oops, refuse, type Ret } from './outcome.ts';
import type { Leaf } from './pgtable.ts';
import { vmAreaMachine, type VmAreaContext } from './vm_area.ts';

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
      this.spanText = `(${cHex(c.start)} - ${cHex(c.end)})`;
    }
    return this.spanText;
  }
  private spanOf: unknown;
  private spanText = '';
}

const PAGE_MASK = ~(PAGE_SIZE - 1n);
const pageAlign = (n: bigint) => u64(n + PAGE_SIZE - 1n) & PAGE_MASK;

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
  // free_pgtables between the neighbours of a removed vma; a partial munmap frees no table
  // (daxlog ruling 11).
  if (from === v.start && to === v.end) k.mm.pt.freeTables(from, to, (a, b) => k.mm.overlapping(a, b).length > 0);
}
