// drivers/dax/device.c at 7b6be8444e0f, the object side (kernel-semantics.md §2, §6, §7):
// alloc_dax_region, dax_region_unregister, dax_region_put, devm_create_dev_dax, kill_dev_dax,
// unregister_dev_dax and dev_dax_release. The sysfs attributes are in device_sysfs.ts, the fault
// handlers in device_fault.ts, the file operations in device_file.ts.
//
// Every function follows the seed's order of operations and its error paths, including its
// bugs: alloc_dax failing makes devm_create_dev_dax return NULL (rc is never set), a failed
// devm registration of the region leaks it with kref 1, and a failed sysfs_create_groups
// leaves drvdata pointing at freed memory.
import type { DaxRegionRecord } from './dax_region.ts';
import type { DevDaxRecord, DevDaxResource } from './dev_dax.ts';
import type { PfnFlags } from './events.ts';
import { idaGet, idaRemove, newIda } from './ida.ts';
import type { Kernel } from './kernel.ts';
import { zapVma } from './mm_pgtable.ts';
import { oops } from './outcome.ts';
import type { ObjId } from './records.ts';
import { call, ret, sleep, type Sleeper } from './sleep.ts';
import type { Json, Parent } from './state.ts';
import { alloc_dax, daxMemory, put_dax } from './super.ts';
import { big, hex, u64, type U64 } from './u64.ts';

/** IS_ALIGNED(x, align) for a resource_size_t x: the mask is (u64)align - 1. */
const aligned = (x: bigint, align: number) => (x & u64(BigInt(align) - 1n)) === 0n;

/** dev_WARN's prefix: the driver (or bus) name and the device name. */
const devPrefix = (parent: Parent) => `${parent.driver ?? 'nd'} ${parent.name}`;

/** The PFN_DEV and PFN_MAP bits of a region's pfn_flags. */
export function pfnBits(flags: PfnFlags): { dev: boolean; map: boolean } {
  const parts = flags.split('|');
  return { dev: parts.includes('PFN_DEV'), map: parts.includes('PFN_MAP') };
}

export interface RegionArgs {
  id: bigint;
  start: bigint;
  size: bigint;
  align: bigint;
  pfn_flags: PfnFlags;
}

/** alloc_dax_region: a region on parent, or null (no errno) on any failure. */
export function alloc_dax_region(k: Kernel, parentName: string, a: RegionArgs): DaxRegionRecord | null {
  const id = Number(BigInt.asIntN(32, a.id));
  const align = Number(BigInt.asUintN(32, a.align));
  const parent = k.parentW(parentName);
  if (parent.drvdata !== null) {
    k.hit('alloc_dax_region:drvdata_set');
    k.warn(`${devPrefix(parent)}: dax core failed to setup private data`);
    return noRegion(k, parentName);
  }
  if (!aligned(a.start, align) || !aligned(a.size, align)) {
    k.hit('alloc_dax_region:misaligned');
    return noRegion(k, parentName);
  }
  if (k.fail.take('kzalloc')) {
    k.hit('alloc_dax_region:kzalloc');
    return noRegion(k, parentName);
  }
  const input = { id, parent: parentName, start: hex(a.start), size: hex(a.size), align, pfn_flags: a.pfn_flags };
  const region = k.create('dax_region', parentName, input, { ida: newIda() });
  k.parentW(parentName).drvdata = region.id;
  if (k.fail.take('sysfs_create_groups')) {
    k.hit('alloc_dax_region:sysfs_create_groups');
    k.send(region.id, { type: 'dax_region.free' }); // kfree; drvdata still points at it
    return null;
  }
  k.parentW(parentName).group = region.id;
  k.send(region.id, { type: 'dax_region.get' });
  if (k.fail.take('devm_add_action')) {
    // devm_add_action_or_reset runs the action now; the caller never gets the pointer it
    // would have to put, so the region leaks with kref 1.
    k.hit('alloc_dax_region:devm_add_action');
    k.parentW(parentName).group = null;
    k.send(region.id, { type: 'dax_region.unregister' });
    return null;
  }
  const p = k.parentW(parentName);
  // concat, not [...list, x]: V8 gives a spread list room for 19 entries, kept with the device.
  p.devres = p.devres.concat([{ action: 'dax_region_unregister', target: region.id }]);
  k.hit('alloc_dax_region:ok');
  return k.obj(region.id, 'dax_region');
}

/**
 * A region creation that failed before the region existed leaves its handle naming NULL
 * (daxlog ruling 1), unless a live region still holds the handle (its name is the parent's).
 */
function noRegion(k: Kernel, parent: string): null {
  if (k.liveAt(parent) === undefined) k.bindNull('dax_region', parent, 'NULL');
  return null;
}

/** dax_region_unregister, the devm action: remove the sysfs group, drop the devm reference. */
export const dax_region_unregister: Sleeper = (k, f) => {
  const id = f.l['region'] as ObjId;
  const region = k.obj(id, 'dax_region');
  const parent = region.context.parent;
  if (f.pc === 0) {
    // Puts beyond the caller's own reference can free the region before its devm action runs.
    if (region.value === 'freed') {
      k.hit('oops:region_freed_before_its_action');
      oops(`use after free: dax_region_unregister() on region ${region.label}, already freed`);
    }
    if (k.s.parents[parent]!.groupReaders.length > 0) {
      k.hit('dax_region_unregister:drain_waits');
      return sleep(f, 1, { on: 'kernfs_drain', parent });
    }
  }
  const p = k.parentW(parent);
  if (p.group === id) p.group = null;
  const after = k.send(id, { type: 'dax_region.unregister' }, 'dax_region');
  k.hit(after.value === 'freed' ? 'dax_region_unregister:frees' : 'dax_region_unregister:children_hold');
  return ret(0);
};

export function dax_region_put(k: Kernel, id: ObjId): void {
  const region = k.obj(id, 'dax_region');
  if (region.value === 'freed') {
    k.hit('oops:freed_region');
    oops(`use after free: dax_region_put() on region ${region.label}, already freed`);
  }
  const after = k.send(id, { type: 'dax_region.put' }, 'dax_region');
  k.hit(after.value === 'freed' ? 'dax_region_put:frees' : 'dax_region_put:held');
}

/** The handle a new dev_dax takes: free, final, or a device already unregistered (name free). */
function claimDevHandle(k: Kernel, handle: string, path: (string | number)[]): void {
  const cur = k.liveAt(handle);
  if (cur === undefined || (cur.kind === 'dev_dax' && cur.value === 'unregistered')) return;
  k.claim(handle, path);
}

/** The variables of devm_create_dev_dax's frame: the region, the resources, the log's handle. */
export function createFrame(region: ObjId, res: { start: bigint; size: bigint }[], dev: string | undefined): Record<string, Json> {
  return { region, res: res.map((r) => ({ start: hex(r.start), size: hex(r.size) })), dev: dev ?? null };
}

/**
 * devm_create_dev_dax(region, res, count): returns the new dev_dax's id, an ERR_PTR errno, or
 * 'NULL' when alloc_dax fails (the seed jumps to its error path without setting rc).
 */
export const devm_create_dev_dax: Sleeper = (k, f) => {
  switch (f.pc) {
    case 0:
      return create(k, f);
    case 1:
      // cdev_device_add failed: kill_dev_dax ran; put_device releases the device.
      put_device(k, f.l['dev'] as ObjId);
      return ret(f.l['rc'] as string);
    default:
      // devm_add_action_or_reset ran unregister_dev_dax.
      return ret('-ENOMEM');
  }
};

function create(k: Kernel, f: { l: Record<string, Json>; pc: number; fn: string }): ReturnType<Sleeper> {
  const regionId = f.l['region'] as ObjId;
  const devHandle = (f.l['dev'] as string | null) ?? undefined;
  const region = k.obj(regionId, 'dax_region');
  const parentName = region.context.parent; // dax_region->dev: the region's memory is read first
  if (region.value === 'freed') {
    k.hit('oops:freed_region');
    oops(`use after free: devm_create_dev_dax() on region ${region.label}, already freed`);
  }
  // Until alloc_dax succeeds a failure leaves the dev_dax's handle (when the log named it)
  // naming NULL, and its dax_device's handle with it (daxlog ruling 1).
  const early = (rc: string, handle = devHandle) => {
    if (handle !== undefined && k.liveAt(handle) === undefined) {
      k.bindNull('dev_dax', handle, rc === 'NULL' ? 'NULL' : `ERR_PTR(${rc})`);
      if (k.liveAt(`${handle}/dax_dev`) === undefined) k.bindNull('dax_device', `${handle}/dax_dev`, 'NULL');
    }
    return ret(rc);
  };
  if (k.fail.take('kzalloc')) {
    k.hit('devm_create_dev_dax:kzalloc');
    return early('-ENOMEM');
  }
  let copied: DevDaxResource[] = [];
  for (const r of f.l['res'] as { start: U64; size: U64 }[]) {
    const start = big(r.start);
    const size = big(r.size);
    if (!aligned(start, region.context.align) || !aligned(size, region.context.align)) {
      k.hit('devm_create_dev_dax:misaligned');
      return early('-EINVAL');
    }
    // The region's own spelling of the same start, when it is one (a string less per device).
    copied.push({ start: r.start === region.context.start ? region.context.start : r.start, end: hex(u64(start + size - 1n)) });
  }
  // Kept for the device's life: an exact copy, without the room a list grown by push keeps.
  copied = copied.slice();
  const id = k.fail.take('ida') ? '-ENOSPC' : idaGet(k.regionIdaW(regionId), 0);
  if (typeof id === 'string') {
    k.hit('devm_create_dev_dax:ida');
    return early(id);
  }
  const name = `dax${region.context.id}.${id}`;
  const handle = devHandle ?? name;
  claimDevHandle(k, handle, devHandle === undefined ? ['event', 'parent'] : ['event', 'dev']);
  const dax = alloc_dax(k, `${handle}/dax_dev`, handle);
  if (dax === null) {
    k.hit('devm_create_dev_dax:alloc_dax_null');
    idaRemove(k.regionIdaW(regionId), id);
    return early('NULL', handle);
  }
  // device_initialize, then cdev_init and cdev->owner = parent->driver->owner: outside a probe
  // (the parent's driver unbound) that read crashes, with the dev_dax id and the new dax_device
  // already taken; they stay taken (daxlog ruling 14). The dev_dax never became a device.
  if (k.s.parents[parentName]!.driver === null) {
    k.hit('oops:no_driver');
    if (k.liveAt(handle) === undefined) k.bindNull('dev_dax', handle, 'NULL');
    oops(`NULL pointer dereference: devm_create_dev_dax() reads parent->driver->owner, and ${parentName} has no driver bound`);
  }
  // From here teardown goes through dev_dax_release.
  const dev = k.create('dev_dax', handle, { name, id, region: regionId, dax: dax.id, res: copied });
  k.objW(dax.id, 'dax_device').owner = dev.id;
  k.send(regionId, { type: 'dax_region.get' });
  let rc: string | undefined;
  if (k.fail.take('cdev_device_add')) {
    k.hit('devm_create_dev_dax:cdev_device_add');
    rc = '-EBUSY';
  } else if (k.s.nodes[name] !== undefined) {
    // device_add: the class already has a device of that name.
    k.hit('devm_create_dev_dax:duplicate_name');
    k.warn(`sysfs: cannot create duplicate filename '/class/dax/${name}'`);
    rc = '-EEXIST';
  }
  if (rc !== undefined) {
    f.l['dev'] = dev.id;
    f.l['rc'] = rc;
    return call(f, 1, 'kill_dev_dax', { dev: dev.id });
  }
  k.send(dev.id, { type: 'dev_dax.cdev_add' });
  k.wf('nodes')[name] = dev.id;
  if (k.fail.take('devm_add_action')) {
    k.hit('devm_create_dev_dax:devm_add_action');
    return call(f, 2, 'unregister_dev_dax', { dev: dev.id });
  }
  const p = k.parentW(parentName);
  p.devres = p.devres.concat([{ action: 'unregister_dev_dax', target: dev.id }]);
  k.hit('devm_create_dev_dax:ok');
  return ret(dev.id);
}

/** kill_dev_dax: kill_dax, then zap every mapping of the device (unmap_mapping_range). */
export const kill_dev_dax: Sleeper = (k, f) => {
  if (f.pc === 0) {
    f.l['dax'] = k.obj(f.l['dev'] as ObjId, 'dev_dax').context.dax;
    return call(f, 1, 'kill_dax', { dax: f.l['dax'] });
  }
  unmap_mapping_range(k, f.l['dax'] as ObjId);
  return ret(0);
};

/** unmap_mapping_range(dax inode mapping, 0, 0, 1): every entry of every vma of the inode. */
export function unmap_mapping_range(k: Kernel, dax: ObjId): void {
  for (const v of k.s.mm.vmas) {
    const vma = k.obj(v, 'mapping');
    if (k.obj(vma.context.file, 'file').context.dax !== dax) continue;
    if (zapVma(k, v, big(vma.context.start), big(vma.context.end))) k.hit('unmap_mapping_range:zaps');
  }
}

/**
 * unregister_dev_dax, the devm action: kill, unmap, cdev_device_del, put_device. It runs once
 * per device: its devres entry leaves the parent's list before it runs (devres_release_all,
 * devm_release_action), so nothing can call it on a device it already unregistered.
 */
export const unregister_dev_dax: Sleeper = (k, f) => {
  const id = f.l['dev'] as ObjId;
  if (f.pc === 0) {
    k.printk('debug', `dax ${k.obj(id, 'dev_dax').context.name}: unregister_dev_dax`);
    return call(f, 1, 'kill_dev_dax', { dev: id });
  }
  // cdev_device_del: device_del removes the node and the sysfs device, cdev_del drops the
  // cdev's own reference (the cdev goes once no open file holds it).
  const dev = k.send(id, { type: 'dev_dax.device_del' }, 'dev_dax');
  if (k.s.nodes[dev.context.name] === id) delete k.wf('nodes')[dev.context.name];
  cdev_put(k, id);
  put_device(k, id);
  k.hit(k.obj(id).value === 'released' ? 'unregister_dev_dax:released' : 'unregister_dev_dax:held_open');
  return ret(0);
};

/** A reference on the cdev goes (cdev_del, or the release of an open file). */
export function cdev_put(k: Kernel, id: ObjId): void {
  daxMemory(k, k.obj(id, 'dev_dax').context.dax, 'cdev_put()'); // the cdev is embedded in the dax_device's inode
  const dev = k.send(id, { type: 'dev_dax.cdev_put' }, 'dev_dax');
  if (dev.value === 'released') dev_dax_release(k, dev);
}

export function put_device(k: Kernel, id: ObjId): void {
  const dev = k.send(id, { type: 'dev_dax.put_device' }, 'dev_dax');
  if (dev.value === 'released') dev_dax_release(k, dev);
}

/** dev_dax_release: the id back to the region, the region reference, the final put_dax. */
function dev_dax_release(k: Kernel, dev: DevDaxRecord): void {
  k.hit('dev_dax_release');
  const regionId = dev.context.region;
  idaRemove(k.regionIdaW(regionId), dev.context.id);
  dax_region_put(k, regionId);
  put_dax(k, dev.context.dax);
}

export const DEVICE_SLEEPERS = { dax_region_unregister, devm_create_dev_dax, kill_dev_dax, unregister_dev_dax };
