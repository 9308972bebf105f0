// mmap and munmap in the v4.12 core mm around a device-DAX file (mm/mmap.c, kernel-semantics.md
// §5): do_mmap with the file's dax_get_unmapped_area over the default top-down allocator,
// mmap_region calling dax_mmap, and munmap cutting a vma's head or tail or removing it
// (zapping its entries and freeing the page tables no other vma covers). All tasks of a log
// are threads of one process: they share one address space (state.ts AddressSpace).
import { dax_get_unmapped_area, dax_mmap } from './device_file.ts';
import { vmaBounds, type VmaShape } from './device_fault.ts';
import type { EventOf } from './events.ts';
import { fput } from './fs_file.ts';
import type { Kernel } from './kernel.ts';
import { freeTables, zapVma } from './mm_pgtable.ts';
import { oops, refuse, type Ret } from './outcome.ts';
import type { ObjId } from './records.ts';
import type { NullBinding } from './state.ts';
import { hex, u64 } from './u64.ts';

export const PAGE_SIZE = 1n << 12n;
/** x86_64 with 4-level paging. */
export const TASK_SIZE = (1n << 47n) - PAGE_SIZE;
/** CONFIG_DEFAULT_MMAP_MIN_ADDR. */
export const MMAP_MIN_ADDR = 4096n;
const PAGE_MASK = ~(PAGE_SIZE - 1n);
const pageAlign = (n: bigint) => u64(n + PAGE_SIZE - 1n) & PAGE_MASK;

const bounds = (k: Kernel, id: ObjId) => vmaBounds(k.obj(id, 'mapping').context);

/** The vmas that overlap [start, end), in address order. */
export function overlapping(k: Kernel, start: bigint, end: bigint): ObjId[] {
  return k.s.mm.vmas.filter((id) => {
    const b = bounds(k, id);
    return b.start < end && start < b.end;
  });
}

function insertVma(k: Kernel, id: ObjId): void {
  const start = bounds(k, id).start;
  const vmas = k.s.mm.vmas;
  let i = 0;
  while (i < vmas.length && bounds(k, vmas[i]!).start < start) i++;
  const mm = k.wf('mm');
  mm.vmas = [...vmas.slice(0, i), id, ...vmas.slice(i)];
}

function removeVma(k: Kernel, id: ObjId): void {
  const mm = k.wf('mm');
  mm.vmas = mm.vmas.filter((v) => v !== id);
}

/**
 * arch_get_unmapped_area_topdown: a free hint if it fits, else the highest gap below mmap_base
 * that holds len (vm_unmapped_area, top-down first fit). Returns -ENOMEM when nothing fits.
 */
export function unmappedArea(k: Kernel, addr: bigint, len: bigint, fixed: boolean): bigint | '-ENOMEM' | '-EINVAL' {
  if (len > TASK_SIZE) return '-ENOMEM';
  if (fixed) {
    if (addr > TASK_SIZE - len) return '-ENOMEM';
    return (addr & (PAGE_SIZE - 1n)) !== 0n ? '-EINVAL' : addr;
  }
  if (addr !== 0n) {
    const hint = (addr + PAGE_SIZE - 1n) & ~(PAGE_SIZE - 1n);
    if (hint <= TASK_SIZE - len && hint >= MMAP_MIN_ADDR && overlapping(k, hint, hint + len).length === 0) return hint;
  }
  const vmas = k.s.mm.vmas;
  let top = k.mmapBase;
  for (let i = vmas.length - 1; i >= -1; i--) {
    const v = i >= 0 ? bounds(k, vmas[i]!) : undefined;
    if (v !== undefined && v.start >= top) continue;
    const floor = v === undefined ? PAGE_SIZE : v.end > top ? top : v.end;
    if (top - floor >= len) return top - len;
    if (v !== undefined) top = v.start < top ? v.start : top;
  }
  return '-ENOMEM';
}

/** mmap(2) of an open device file: do_mmap → get_unmapped_area → mmap_region → dax_mmap. */
export function do_mmap(k: Kernel, e: EventOf<'file.mmap'>, f: ObjId | NullBinding): Ret {
  k.claim(e.vma, ['event', 'vma']);
  const failed = (rc: string) => {
    k.bindNull('mapping', e.vma, rc);
    return rc;
  };
  if (typeof f !== 'number' || k.obj(f, 'file').value === 'closed') {
    k.hit('mmap:ebadf');
    return failed('-EBADF');
  }
  const file = k.obj(f, 'file');
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
  const got = dax_get_unmapped_area(k, file.context.private, hint, len, pgoff, fixed);
  // get_unmapped_area's own checks of what the file's hook returned. An aligned search for a
  // device aligned below a page asks for len + align bytes, not a page multiple, and so gets an
  // address that is not page-aligned: -EINVAL.
  const addr = typeof got === 'string' ? got : got > TASK_SIZE - len ? '-ENOMEM' : (got & ~PAGE_MASK) !== 0n ? '-EINVAL' : got;
  if (typeof addr === 'string') {
    k.hit('mmap:no_address');
    return failed(addr);
  }
  const dev = file.context.private;
  if (dev === null) {
    k.hit('oops:mmap_private_null');
    oops(`NULL pointer dereference: dax_mmap() → check_vma() on ${file.label}, opened after the kill (private_data is NULL)`);
  }
  // mmap_region: a fixed mapping first unmaps whatever it overlaps.
  if (fixed) {
    for (const v of overlapping(k, addr, addr + len)) {
      k.hit('mmap:fixed_replaces');
      unmapRange(k, v, addr, addr + len, ['event', 'addr']);
    }
  }
  const shape: VmaShape = { start: addr, end: addr + len, shared };
  const rc = dax_mmap(k, dev, shape);
  if (rc !== 0) {
    k.hit('mmap:check_vma_fails');
    return failed(rc);
  }
  k.hit('mmap:ok');
  const vma = k.create('mapping', e.vma, { start: hex(addr), end: hex(addr + len), pgoff: hex(pgoff), shared, file: f });
  k.send(f, { type: 'file.get' });
  insertVma(k, vma.id);
  return hex(addr);
}

/** munmap(2) of part of a vma: a head, a tail, or all of it. */
export function do_munmap(k: Kernel, e: EventOf<'vma.munmap'>, v: ObjId | NullBinding): Ret {
  const off = e.off ?? 0n;
  if (typeof v !== 'number' || (off & ~PAGE_MASK) !== 0n || e.len === 0n) {
    k.hit('munmap:einval');
    return '-EINVAL';
  }
  const vma = k.obj(v, 'mapping');
  const b = vmaBounds(vma.context);
  if (vma.value === 'unmapped' || off >= b.end - b.start) {
    k.hit('munmap:nothing_mapped');
    return 0;
  }
  const size = b.end - b.start;
  const start = b.start + off;
  const want = e.len === undefined ? size - off : pageAlign(e.len);
  const end = want === 0n || start + want > b.end ? b.end : start + want;
  unmapRange(k, v, start, end, ['event', 'len']);
  return 0;
}

/** Unmaps [start, end) of v: zap its entries, trim or remove it, free unused page tables. */
function unmapRange(k: Kernel, v: ObjId, start: bigint, end: bigint, path: (string | number)[]): void {
  const vma = k.obj(v, 'mapping');
  const b = vmaBounds(vma.context);
  const from = start > b.start ? start : b.start;
  const to = end < b.end ? end : b.end;
  if (from > b.start && to < b.end) {
    refuse(path, `${path.join('.')}: unmapping [${hex(from)}, ${hex(to)}) would split ${vma.label} in two; daxlog v1 allows cutting only a head or a tail`);
  }
  zapVma(k, v, from, to);
  const whole = from === b.start && to === b.end;
  if (whole) {
    k.hit('munmap:whole');
    removeVma(k, v);
    k.send(v, { type: 'vma.unmap' });
    fput(k, vma.context.file);
  } else if (from === b.start) {
    k.hit('munmap:head');
    k.send(v, { type: 'vma.trim', start: hex(to), end: hex(b.end), pgoff: hex(u64(b.pgoff + ((to - b.start) >> 12n))) });
  } else {
    k.hit('munmap:tail');
    k.send(v, { type: 'vma.trim', start: hex(b.start), end: hex(from), pgoff: hex(b.pgoff) });
  }
  // free_pgtables between the neighbours of a removed vma; a partial munmap frees no table
  // (daxlog ruling 11).
  if (whole) freeTables(k, from, to, (x, y) => overlapping(k, x, y).length > 0);
}
