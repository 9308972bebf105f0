// drivers/dax/device.c at 7b6be8444e0f, the object side (kernel-semantics.md §2, §6, §7):
// alloc_dax_region, dax_region_unregister, dax_region_put, devm_create_dev_dax,
// kill_dev_dax, unregister_dev_dax and dev_dax_release. The sysfs attributes are in sysfs.ts,
// faults in fault.ts, the file operations in chrdev.ts and mmap.ts.
//
// Every function follows the seed's order of operations and its error paths, including its
// bugs: alloc_dax failing makes devm_create_dev_dax return NULL (rc is never set), a failed
// devm registration of the region leaks it with kref 1, and a failed sysfs_create_groups
// leaves drvdata pointing at freed memory.
import type { Actor } from 'xstate';
import { daxRegionMachine } from './dax_region.ts';
import { devDaxMachine } from './dev_dax.ts';
import type { ParentDevice } from './driver.ts';
import { Ida } from './ida.ts';
import type { FailSites, Kernel, Sleeps } from './kernel.ts';
import { KObject } from './objects.ts';
import { oops } from './outcome.ts';
import { alloc_dax, daxMemory, kill_dax, put_dax, type DaxDevice } from './super.ts';
import { u64 } from '../src/values.ts';

export interface PfnFlags {
  dev: boolean;
  map: boolean;
}

export function pfnFlags(s: string): PfnFlags {
  const parts = s.split('|');
  return { dev: parts.includes('PFN_DEV'), map: parts.includes('PFN_MAP') };
}

export class DaxRegion extends KObject<typeof daxRegionMachine> {
  /** Allocator of child dev_dax ids. */
  readonly ida = new Ida();
  constructor(
    actor: Actor<typeof daxRegionMachine>,
    readonly parent: ParentDevice,
    /** int region_id */
    readonly id: number,
    readonly start: bigint,
    readonly size: bigint,
    /** unsigned int align */
    readonly align: number,
    readonly pfn: PfnFlags,
  ) {
    super('dax_region', parent.name, actor);
  }
  get kref(): number {
    return this.actor.getSnapshot().context.kref;
  }
}

export interface DevDaxResource {
  start: bigint;
  end: bigint;
}

export class DevDax extends KObject<typeof devDaxMachine> {
  constructor(
    handle: string,
    actor: Actor<typeof devDaxMachine>,
    readonly name: string,
    readonly id: number,
    readonly region: DaxRegion,
    readonly dax: DaxDevice,
    readonly res: DevDaxResource[],
  ) {
    super('dev_dax', handle, actor);
  }
  get ctx() {
    return this.actor.getSnapshot().context;
  }
  /** The size attribute: the sum of the resource sizes. */
  get size(): bigint {
    return this.res.reduce((n, r) => u64(n + (r.end - r.start + 1n)), 0n);
  }
}

/** IS_ALIGNED(x, align) for a resource_size_t x: the mask is (u64)align - 1. */
const aligned = (x: bigint, align: number) => (x & u64(BigInt(align) - 1n)) === 0n;

/** dev_WARN's prefix: the driver (or bus) name and the device name. */
const devPrefix = (parent: ParentDevice) => `${parent.driver ?? 'nd'} ${parent.name}`;

/** alloc_dax_region: a region on parent, or null (no errno) on any failure. */
export function alloc_dax_region(
  k: Kernel,
  parent: ParentDevice,
  regionId: bigint,
  start: bigint,
  size: bigint,
  alignArg: bigint,
  pfn: PfnFlags,
  fail: FailSites,
): DaxRegion | null {
  const id = Number(BigInt.asIntN(32, regionId));
  const align = Number(BigInt.asUintN(32, alignArg));
  if (parent.drvdata !== null) {
    k.hit('alloc_dax_region:drvdata_set');
    k.warn(`${devPrefix(parent)}: dax core failed to setup private data`);
    return noRegion(k, parent);
  }
  if (!aligned(start, align) || !aligned(size, align)) {
    k.hit('alloc_dax_region:misaligned');
    return noRegion(k, parent);
  }
  if (fail.take('kzalloc')) {
    k.hit('alloc_dax_region:kzalloc');
    return noRegion(k, parent);
  }
  const region = k.adopt(new DaxRegion(k.actor(daxRegionMachine, parent.name, { id }), parent, id, start, size, align, pfn));
  parent.drvdata = region;
  if (fail.take('sysfs_create_groups')) {
    k.hit('alloc_dax_region:sysfs_create_groups');
    k.send(region, { type: 'dax_region.free' }); // kfree; drvdata still points at it
    return null;
  }
  parent.group = region;
  k.send(region, { type: 'dax_region.get' });
  if (fail.take('devm_add_action')) {
    // devm_add_action_or_reset runs the action now; the caller never gets the pointer it
    // would have to put, so the region leaks with kref 1.
    k.hit('alloc_dax_region:devm_add_action');
    parent.group = null;
    k.send(region, { type: 'dax_region.unregister' });
    return null;
  }
  parent.devres.push({ name: 'dax_region_unregister', target: region, run: () => dax_region_unregister(k, region) });
  k.hit('alloc_dax_region:ok');
  return region;
}

/**
 * A region creation that failed before the region existed leaves its handle naming NULL
 * (daxlog ruling 1), unless a live region still holds the handle (its name is the parent's).
 */
function noRegion(k: Kernel, parent: ParentDevice): null {
  if (k.objects.liveAt(parent.name) === undefined) k.bindNull('dax_region', parent.name, 'NULL');
  return null;
}

/** dax_region_unregister, the devm action: remove the sysfs group, drop the devm reference. */
export function* dax_region_unregister(k: Kernel, region: DaxRegion): Sleeps {
  // Puts beyond the caller's own reference can free the region before its devm action runs.
  if ((region.state as string) === 'freed') {
    k.hit('oops:region_freed_before_its_action');
    oops(`use after free: dax_region_unregister() on region ${region.label}, already freed`);
  }
  const parent = region.parent;
  if (parent.groupReaders.size > 0) {
    k.hit('dax_region_unregister:drain_waits');
    yield parent.drain();
  }
  if (parent.group === region) parent.group = null;
  k.send(region, { type: 'dax_region.unregister' });
  k.hit(region.state === 'freed' ? 'dax_region_unregister:frees' : 'dax_region_unregister:children_hold');
  return 0;
}

export function dax_region_put(k: Kernel, region: DaxRegion): void {
  if (region.state === 'freed') {
    k.hit('oops:freed_region');
    oops(`use after free: dax_region_put() on region ${region.label}, already freed`);
  }
  k.send(region, { type: 'dax_region.put' });
  k.hit((region.state as string) === 'freed' ? 'dax_region_put:frees' : 'dax_region_put:held');
}

/** The handle a new dev_dax takes: free, final, or a device already unregistered (name free). */
function claimDevHandle(k: Kernel, handle: string, path: (string | number)[]): void {
  const cur = k.objects.liveAt(handle);
  if (cur === undefined || (cur instanceof DevDax && cur.state === 'unregistered')) return;
  k.claim(handle, path);
}

/**
 * devm_create_dev_dax(region, res, count): a dev_dax, an ERR_PTR errno, or 'NULL' when
 * alloc_dax fails (the seed jumps to its error path without setting rc).
 */
export function* devm_create_dev_dax(
  k: Kernel,
  region: DaxRegion,
  res: { start: bigint; size: bigint }[],
  devHandle: string | undefined,
  fail: FailSites,
  path: (string | number)[],
): Generator<ReturnType<ParentDevice['drain']>, DevDax | string, void> {
  const parent = region.parent; // dax_region->dev: the region's memory is read first
  if (region.state === 'freed') {
    k.hit('oops:freed_region');
    oops(`use after free: devm_create_dev_dax() on region ${region.label}, already freed`);
  }
  // Until alloc_dax succeeds a failure leaves the dev_dax's handle (when the log named it)
  // naming NULL, and its dax_device's handle with it (daxlog ruling 1).
  const early = (rc: string, handle = devHandle): string => {
    if (handle !== undefined && k.objects.liveAt(handle) === undefined) {
      k.bindNull('dev_dax', handle, rc === 'NULL' ? 'NULL' : `ERR_PTR(${rc})`);
      if (k.objects.liveAt(`${handle}/dax_dev`) === undefined) k.bindNull('dax_device', `${handle}/dax_dev`, 'NULL');
    }
    return rc;
  };
  if (fail.take('kzalloc')) {
    k.hit('devm_create_dev_dax:kzalloc');
    return early('-ENOMEM');
  }
  const copied: DevDaxResource[] = [];
  for (const r of res) {
    if (!aligned(r.start, region.align) || !aligned(r.size, region.align)) {
      k.hit('devm_create_dev_dax:misaligned');
      return early('-EINVAL');
    }
    copied.push({ start: r.start, end: u64(r.start + r.size - 1n) });
  }
  const id = fail.take('ida') ? '-ENOSPC' : region.ida.get(0);
  if (typeof id === 'string') {
    k.hit('devm_create_dev_dax:ida');
    return early(id);
  }
  const name = `dax${region.id}.${id}`;
  const handle = devHandle ?? name;
  claimDevHandle(k, handle, devHandle === undefined ? ['event', 'parent'] : path);
  const dax = alloc_dax(k, `${handle}/dax_dev`, handle, fail);
  if (dax === null) {
    k.hit('devm_create_dev_dax:alloc_dax_null');
    region.ida.remove(id);
    return early('NULL', handle);
  }
  // device_initialize, then cdev_init and cdev->owner = parent->driver->owner: outside a probe
  // (the parent's driver unbound) that read crashes, with the dev_dax id and the new dax_device
  // already taken; they stay taken (daxlog ruling 14). The dev_dax never became a device.
  if (parent.driver === null) {
    k.hit('oops:no_driver');
    if (k.objects.liveAt(handle) === undefined) k.bindNull('dev_dax', handle, 'NULL');
    oops(`NULL pointer dereference: devm_create_dev_dax() reads parent->driver->owner, and ${parent.name} has no driver bound`);
  }
  // From here teardown goes through dev_dax_release.
  const dev = k.adopt(new DevDax(handle, k.actor(devDaxMachine, handle, { name }), name, id, region, dax, copied));
  k.send(region, { type: 'dax_region.get' });
  let rc: string | undefined;
  if (fail.take('cdev_device_add')) {
    k.hit('devm_create_dev_dax:cdev_device_add');
    rc = '-EBUSY';
  } else if (k.nodes.has(name)) {
    // device_add: the class already has a device of that name.
    k.hit('devm_create_dev_dax:duplicate_name');
    k.warn(`sysfs: cannot create duplicate filename '/class/dax/${name}'`);
    rc = '-EEXIST';
  }
  if (rc !== undefined) {
    yield* kill_dev_dax(k, dev);
    put_device(k, dev);
    return rc;
  }
  k.send(dev, { type: 'dev_dax.cdev_add' });
  k.nodes.set(name, dev);
  if (fail.take('devm_add_action')) {
    k.hit('devm_create_dev_dax:devm_add_action');
    yield* unregister_dev_dax(k, dev);
    return '-ENOMEM';
  }
  parent.devres.push({ name: 'unregister_dev_dax', target: dev, run: () => unregister_dev_dax(k, dev) });
  k.hit('devm_create_dev_dax:ok');
  return dev;
}

/** kill_dev_dax: kill_dax, then zap every mapping of the device (unmap_mapping_range). */
export function* kill_dev_dax(k: Kernel, dev: DevDax): Sleeps {
  yield* kill_dax(k, dev.dax);
  unmap_mapping_range(k, dev.dax);
  return 0;
}

/** unmap_mapping_range(dax inode mapping, 0, 0, 1): every entry of every vma of the inode. */
export function unmap_mapping_range(k: Kernel, dax: DaxDevice): void {
  for (const vma of dax.mappings) {
    if (vma.leaves.size > 0) k.hit('unmap_mapping_range:zaps');
    k.mm.pt.zap(vma, vma.start, vma.end);
  }
}

/**
 * unregister_dev_dax, the devm action: kill, unmap, cdev_device_del, put_device. It runs once
 * per device: its devres entry leaves the parent's list before it runs (devres_release_all,
 * devm_release_action), so nothing can call it on a device it already unregistered.
 */
export function* unregister_dev_dax(k: Kernel, dev: DevDax): Sleeps {
  k.printk('debug', `dax ${dev.name}: unregister_dev_dax`);
  yield* kill_dev_dax(k, dev);
  // cdev_device_del: device_del removes the node and the sysfs device, cdev_del drops the
  // cdev's own reference (the cdev goes once no open file holds it).
  k.send(dev, { type: 'dev_dax.device_del' });
  if (k.nodes.get(dev.name) === dev) k.nodes.delete(dev.name);
  cdev_put(k, dev);
  put_device(k, dev);
  k.hit((dev.state as string) === 'released' ? 'unregister_dev_dax:released' : 'unregister_dev_dax:held_open');
  return 0;
}

/** A reference on the cdev goes (cdev_del, or the release of an open file). */
export function cdev_put(k: Kernel, dev: DevDax): void {
  daxMemory(k, dev.dax, 'cdev_put()'); // the cdev is embedded in the dax_device's inode
  k.send(dev, { type: 'dev_dax.cdev_put' });
  if (dev.state === 'released') dev_dax_release(k, dev);
}

export function put_device(k: Kernel, dev: DevDax): void {
  k.send(dev, { type: 'dev_dax.put_device' });
  if (dev.state === 'released') dev_dax_release(k, dev);
}

/** dev_dax_release: the id back to the region, the region reference, the final put_dax. */
function dev_dax_release(k: Kernel, dev: DevDax): void {
  k.hit('dev_dax_release');
  dev.region.ida.remove(dev.id);
  dax_region_put(k, dev.region);
  put_dax(k, dev.dax);
}
