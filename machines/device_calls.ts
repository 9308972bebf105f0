// The device-DAX and process events of daxlog.md §3, each mapped to the kernel function it
// stands for. Handles are looked up here, so a handle the log never created is a log error
// before the kernel function runs.
import {
  alloc_dax_region,
  dax_region_put,
  DaxRegion,
  devm_create_dev_dax,
  DevDax,
  pfnFlags,
  unregister_dev_dax,
} from './device.ts';
import type { EventType } from './events.ts';
import type { CallTable, Kernel } from './kernel.ts';
import { chrdev_open, file_close, OpenFile } from './chrdev.ts';
import { direct_fault, handle_mm_fault } from './memory.ts';
import { do_mmap, do_munmap, VmArea } from './mmap.ts';
import { NullObject } from './objects.ts';
import { oops, refuse } from './outcome.ts';
import { dax_pmem_probe } from './pmem.ts';
import { sysfs_read } from './sysfs.ts';

type DeviceEvent =
  | 'dax_region.alloc' | 'dax_region.put' | 'dev_dax.create' | 'dev_dax.unregister' | 'dax_pmem.probe' | 'driver.unbind'
  | 'sysfs.read' | 'file.open' | 'file.close' | 'file.mmap' | 'vma.munmap' | 'vma.fault' | 'vma.access';

/** The region a handle names; NULL (a failed alloc) or a freed region oopses when used. */
function region(k: Kernel, handle: string, fn: string): DaxRegion {
  const r = k.lookup(handle, 'dax_region', AT_PARENT);
  if (r instanceof NullObject) {
    k.hit('oops:null_region');
    oops(`NULL pointer dereference: ${fn}() on region ${handle}, which is ${r.ptr}`);
  }
  if (r.state === 'freed') {
    k.hit('oops:freed_region');
    oops(`use after free: ${fn}() on region ${r.label}, already freed`);
  }
  return r as DaxRegion;
}

// Paths of the fields a lookup names in its log error, made once (these run at most steps).
const AT_FD = ['event', 'fd'];
const AT_VMA = ['event', 'vma'];
const AT_PARENT = ['event', 'parent'];
const file = (k: Kernel, fd: string) => k.lookup(fd, 'file', AT_FD) as OpenFile | NullObject;
const mapping = (k: Kernel, vma: string) => k.lookup(vma, 'mapping', AT_VMA) as VmArea | NullObject;

export const DEVICE_CALLS: CallTable<DeviceEvent> = {
  'dax_region.alloc': (k, e, fail) => {
    const parent = k.parent(e.parent);
    parent.driver ??= 'dax_pmem'; // the caller is inside the parent's probe
    const r = alloc_dax_region(k, parent, e.id, e.start, e.size, e.align, pfnFlags(e.pfn_flags ?? 'PFN_DEV|PFN_MAP'), fail);
    return r === null ? 'NULL' : r.label;
  },
  'dax_region.put': (k, e) => {
    dax_region_put(k, region(k, e.parent, 'dax_region_put'));
    return 0;
  },
  'dev_dax.create': function* (k, e, fail) {
    const r = region(k, e.parent, 'devm_create_dev_dax');
    const dev = yield* devm_create_dev_dax(k, r, e.res, e.dev, fail, ['event', 'dev']);
    return dev instanceof DevDax ? dev.label : dev;
  },
  'dev_dax.unregister': function* (k, e) {
    const dev = k.lookup(e.dev, 'dev_dax', ['event', 'dev']);
    if (dev instanceof NullObject) {
      k.hit('oops:null_dev_dax');
      oops(`NULL pointer dereference: unregister_dev_dax() on ${dev.handle}, which is ${dev.ptr}`);
    }
    const d = dev as DevDax;
    if (d.state === 'released') {
      k.hit('oops:released_dev_dax');
      oops(`use after free: devm_release_action() on ${d.label}, already released`);
    }
    // devm_release_action (daxlog ruling 4): the devres entry leaves the parent's list, then the
    // action runs, so an unbind that starts later does not run it again. With no entry left (a
    // second unregister, or one after the unbind) devres WARNs and nothing else happens.
    const parent = d.region.parent;
    const i = parent.devres.findIndex((a) => a.target === d);
    if (i < 0) {
      k.hit('dev_dax.unregister:no_action');
      k.warn(`WARNING: devm_release_action(${parent.name}, unregister_dev_dax, ${d.name}): no such devres action (drivers/base/devres.c)`);
      return 0;
    }
    parent.devres.splice(i, 1);
    k.hit('dev_dax.unregister:devm_action');
    return yield* unregister_dev_dax(k, d);
  },
  'dax_pmem.probe': (k, e, fail) => dax_pmem_probe(k, e, fail),
  'driver.unbind': function* (k, e) {
    const parent = k.parents.get(e.parent);
    if (parent === undefined) refuse(['event', 'parent'], `event.parent: no region was ever set up on ${JSON.stringify(e.parent)}`);
    yield* parent.lock(k);
    k.hit(parent.driver === null ? 'unbind:no_driver' : 'unbind:release_all');
    if (parent.driver !== null) yield* parent.releaseAll();
    parent.unlock();
    return 0;
  },
  'sysfs.read': (k, e) => sysfs_read(k, e.path),
  'file.open': (k, e) => chrdev_open(k, e.fd, e.dev),
  'file.close': (k, e) => file_close(k, file(k, e.fd)),
  'file.mmap': (k, e) => do_mmap(k, e, file(k, e.fd)),
  'vma.munmap': (k, e) => do_munmap(k, e, mapping(k, e.vma)),
  'vma.fault': (k, e) => direct_fault(k, e, mapping(k, e.vma)),
  'vma.access': (k, e) => handle_mm_fault(k, e, mapping(k, e.vma)),
};

export type { EventType };
