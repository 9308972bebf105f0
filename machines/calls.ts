// The one call table: what each log event does (daxlog.md §3), checked by the type system to
// cover every event type. This is the only place that reads a log's event: handles are looked
// up here (a handle the log never created is a log error before any kernel function runs), and
// the kernel functions get object ids and plain values. The table and the sleeping functions
// by name make the kernel's program (kernel.ts KernelProgram).
import { BASE_SLEEPERS, devm_release_action } from './base.ts';
import { alloc_dax_region, createFrame, dax_region_put, DEVICE_SLEEPERS } from './device.ts';
import { SYSFS_SLEEPERS } from './device_sysfs.ts';
import { filp_close, chrdev_open } from './fs_file.ts';
import type { Kernel, KernelProgram } from './kernel.ts';
import { direct_fault, handle_mm_fault } from './mm_memory.ts';
import { do_mmap, do_munmap } from './mm_mmap.ts';
import { oops, refuse } from './outcome.ts';
import { PMEM_SLEEPERS, probeFrame } from './pmem.ts';
import type { ObjId } from './records.ts';
import type { NullBinding } from './state.ts';
import { call, ret, type CallTable, type Sleeper } from './sleep.ts';
import {
  alloc_dax,
  dax_alive,
  dax_get_private,
  dax_read_lock,
  dax_read_unlock,
  put_dax,
  rcu_grace_period,
  SUPER_SLEEPERS,
} from './super.ts';

// Paths of the fields a lookup names in its log error, made once (these run at most steps).
const AT_DAX = ['event', 'dax'];
const AT_FD = ['event', 'fd'];
const AT_VMA = ['event', 'vma'];
const AT_PARENT = ['event', 'parent'];
const AT_DEV = ['event', 'dev'];

const device = (k: Kernel, handle: string) => k.lookup(handle, 'dax_device', AT_DAX);
/** What a handle names as a C pointer: the object, or NULL for a failed creation's handle. */
const pointer = (b: ObjId | NullBinding): ObjId | null => (typeof b === 'number' ? b : null);

/** The region a handle names; NULL (a failed alloc) or a freed region oopses when used. */
function region(k: Kernel, handle: string, fn: string): ObjId {
  const r = k.lookup(handle, 'dax_region', AT_PARENT);
  if (typeof r !== 'number') {
    k.hit('oops:null_region');
    oops(`NULL pointer dereference: ${fn}() on region ${handle}, which is ${r.ptr}`);
  }
  const o = k.obj(r, 'dax_region');
  if (o.value === 'freed') {
    k.hit('oops:freed_region');
    oops(`use after free: ${fn}() on region ${o.label}, already freed`);
  }
  return r;
}

export const CALLS = {
  // super.c
  'dax.alloc': {
    run: (k, e) => {
      k.claim(e.dax, AT_DAX);
      const d = alloc_dax(k, e.dax, e.private ?? e.dax);
      if (d === null) k.bindNull('dax_device', e.dax, 'NULL');
      return d === null ? 'NULL' : d.context.minor;
    },
  },
  'dax.kill': { sleeps: 'kill_dax', frame: (k, e) => ({ dax: pointer(device(k, e.dax)) }) },
  'dax.put': { run: (k, e) => put_dax(k, pointer(device(k, e.dax))) },
  'dax.alive': { run: (k, e) => dax_alive(k, device(k, e.dax)) },
  'dax.get_private': { run: (k, e) => dax_get_private(k, device(k, e.dax)) },
  'dax_srcu.read_lock': { run: (k) => dax_read_lock(k) },
  'dax_srcu.read_unlock': { run: (k) => dax_read_unlock(k) },
  'rcu.grace_period': { run: (k) => rcu_grace_period(k) },
  // device.c and pmem.c
  'dax_region.alloc': {
    run: (k, e) => {
      const parent = k.parentW(e.parent);
      parent.driver ??= 'dax_pmem'; // the caller is inside the parent's probe
      const args = { id: e.id, start: e.start, size: e.size, align: e.align, pfn_flags: e.pfn_flags ?? 'PFN_DEV|PFN_MAP' } as const;
      const r = alloc_dax_region(k, e.parent, args);
      return r === null ? 'NULL' : r.label;
    },
  },
  'dax_region.put': {
    run: (k, e) => {
      dax_region_put(k, region(k, e.parent, 'dax_region_put'));
      return 0;
    },
  },
  'dev_dax.create': { sleeps: 'dev_dax.create', frame: (k, e) => createFrame(region(k, e.parent, 'devm_create_dev_dax'), e.res, e.dev) },
  'dev_dax.unregister': { sleeps: 'dev_dax.unregister', frame: (k, e) => ({ dev: e.dev }) },
  'dax_pmem.probe': { sleeps: 'dax_pmem_probe', frame: (_k, e) => probeFrame(e) },
  'driver.unbind': {
    sleeps: 'device_release_driver',
    frame: (k, e) => {
      if (k.s.parents[e.parent] === undefined) refuse(AT_PARENT, `event.parent: no region was ever set up on ${JSON.stringify(e.parent)}`);
      return { parent: e.parent };
    },
  },
  'sysfs.read': { sleeps: 'sysfs_read', frame: (_k, e) => ({ path: e.path }) },
  // processes: the file and mm side
  'file.open': { run: (k, e) => chrdev_open(k, e.fd, e.dev) },
  'file.close': { run: (k, e) => filp_close(k, k.lookup(e.fd, 'file', AT_FD)) },
  'file.mmap': { run: (k, e) => do_mmap(k, e, k.lookup(e.fd, 'file', AT_FD)) },
  'vma.munmap': { run: (k, e) => do_munmap(k, e, k.lookup(e.vma, 'mapping', AT_VMA)) },
  'vma.fault': { run: (k, e) => direct_fault(k, e, k.lookup(e.vma, 'mapping', AT_VMA)) },
  'vma.access': { run: (k, e) => handle_mm_fault(k, e, k.lookup(e.vma, 'mapping', AT_VMA)) },
} as const satisfies CallTable;

/** The log's dev_dax.create: devm_create_dev_dax, its result as the log names it. */
const devDaxCreate: Sleeper = (k, f, value) => {
  if (f.pc === 0) return call(f, 1, 'devm_create_dev_dax', f.l);
  return ret(typeof value === 'number' ? k.obj(value).label : value!);
};

/**
 * The log's dev_dax.unregister: devm_release_action(parent, unregister_dev_dax, dev) (daxlog
 * ruling 4). The devres entry leaves the parent's list, then the action runs; with no entry
 * left (a second unregister, or one after the unbind) devres WARNs and nothing else happens.
 */
const devDaxUnregister: Sleeper = (k, f) => {
  if (f.pc === 1) return ret(0);
  const b = k.lookup(f.l['dev'] as string, 'dev_dax', AT_DEV);
  if (typeof b !== 'number') {
    k.hit('oops:null_dev_dax');
    oops(`NULL pointer dereference: unregister_dev_dax() on ${b.handle}, which is ${b.ptr}`);
  }
  const d = k.obj(b, 'dev_dax');
  if (d.value === 'released') {
    k.hit('oops:released_dev_dax');
    oops(`use after free: devm_release_action() on ${d.label}, already released`);
  }
  const parent = k.obj(d.context.region, 'dax_region').context.parent;
  if (!devm_release_action(k, parent, b)) {
    k.hit('dev_dax.unregister:no_action');
    k.warn(`WARNING: devm_release_action(${parent}, unregister_dev_dax, ${d.context.name}): no such devres action (drivers/base/devres.c)`);
    return ret(0);
  }
  k.hit('dev_dax.unregister:devm_action');
  return call(f, 1, 'unregister_dev_dax', { dev: b });
};

export const PROGRAM: KernelProgram = {
  calls: CALLS,
  sleepers: {
    ...SUPER_SLEEPERS,
    ...DEVICE_SLEEPERS,
    ...BASE_SLEEPERS,
    ...SYSFS_SLEEPERS,
    ...PMEM_SLEEPERS,
    'dev_dax.create': devDaxCreate,
    'dev_dax.unregister': devDaxUnregister,
  },
};
