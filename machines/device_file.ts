// The file operations of device DAX at 7b6be8444e0f (device.c, kernel-semantics.md §5, §8):
// dax_open, dax_release, dax_get_unmapped_area and dax_mmap. The VFS and core mm around them
// are fs_file.ts (chrdev_open, close, fput) and mm_mmap.ts (do_mmap, munmap).
import { check_vma, type VmaShape } from './device_fault.ts';
import type { Kernel } from './kernel.ts';
import type { ObjId } from './records.ts';
import { daxMemory } from './super.ts';
import { u64 } from './u64.ts';
import { unmappedArea } from './mm_mmap.ts';

/**
 * dax_open, after chrdev_open took the cdev: filp->private_data = dax_get_private(dax_dev),
 * the dev_dax, or NULL after the kill (dev_dbg then would dereference NULL: nothing printed).
 * Always succeeds.
 */
export function dax_open(k: Kernel, dev: ObjId): ObjId | null {
  const d = k.obj(dev, 'dev_dax');
  const priv = daxMemory(k, d.context.dax, 'dax_get_private() in dax_open()').context.private === null ? null : dev;
  k.hit(priv === null ? 'dax_open:private_null' : 'dax_open:ok');
  if (priv !== null) k.printk('debug', `dax ${d.context.name}: dax_open`);
  return priv;
}

/** dax_release, at the file's last fput: a dev_dbg, nothing undone. */
export function dax_release(k: Kernel, priv: ObjId | null): void {
  k.hit('dax_release');
  if (priv !== null) k.printk('debug', `dax ${k.obj(priv, 'dev_dax').context.name}: dax_release`);
}

/** dax_get_unmapped_area: ask for len + align and round up to a start congruent to the offset. */
export function dax_get_unmapped_area(k: Kernel, priv: ObjId | null, addr: bigint, len: bigint, pgoff: bigint, fixed: boolean): bigint | string {
  if (priv === null || addr !== 0n) {
    k.hit('dax_get_unmapped_area:hint_or_fixed');
    return unmappedArea(k, addr, len, fixed);
  }
  const regionAlign = k.obj(k.obj(priv, 'dev_dax').context.region, 'dax_region').context.align;
  const align = BigInt(regionAlign);
  const mask = BigInt((regionAlign - 1) >>> 0);
  const off = u64(pgoff << 12n);
  const offEnd = u64(off + len);
  const offAlign = u64(((off - 1n) | mask) + 1n); // round_up(off, align)
  if (offEnd <= offAlign || u64(offEnd - offAlign) < align) {
    k.hit('dax_get_unmapped_area:no_aligned_chunk');
    return unmappedArea(k, addr, len, fixed);
  }
  const lenAlign = u64(len + align);
  if (u64(off + lenAlign) < off) {
    k.hit('dax_get_unmapped_area:overflow');
    return unmappedArea(k, addr, len, fixed);
  }
  const addrAlign = unmappedArea(k, addr, lenAlign, fixed);
  if (typeof addrAlign === 'string') {
    k.hit('dax_get_unmapped_area:no_room_to_align');
    return unmappedArea(k, addr, len, fixed);
  }
  k.hit('dax_get_unmapped_area:aligned');
  return addrAlign + (u64(off - addrAlign) & mask);
}

/** dax_mmap: dev_dbg, then check_vma under dax_read_lock (taken and dropped within the call). */
export function dax_mmap(k: Kernel, dev: ObjId, shape: VmaShape): 0 | string {
  k.printk('debug', `dax ${k.obj(dev, 'dev_dax').context.name}: dax_mmap`);
  return check_vma(k, dev, shape, 'dax_mmap');
}
