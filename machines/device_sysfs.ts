// The sysfs attributes of device DAX at 7b6be8444e0f (device.c, kernel-semantics.md §2): the
// region's dax_region/{id,size,align} group on the parent, whose show functions take
// device_lock(parent) and read drvdata, and a dev_dax's size. While a show runs it holds the
// attribute active, and removing the group waits for it (base.ts): a read behind a sleeping
// unbind deadlocks.
import { device_unlock } from './base.ts';
import type { Kernel } from './kernel.ts';
import { oops, refuse, type Ret } from './outcome.ts';
import { call, ret, type Sleeper } from './sleep.ts';
import { big, u64 } from './u64.ts';

/** The shapes of a sysfs path (daxlog ruling 9), for the log error that lists them. */
const SHAPES = '"<parent>/dax_region/<attr>", "<dev>/<attr>" or "/sys/class/dax/<dev>/<attr>"';
const REGION_PATH = /^(.+)\/dax_region\/([^/]+)$/;
const DEV_PATH = /^(?:\/sys\/class\/dax\/)?([^/]+)\/([^/]+)$/;
const REGION_ATTRS = ['id', 'size', 'align'];

/** sysfs_kf_seq_show of the attribute at path: the show function of a region or dev_dax attribute. */
export const sysfs_read: Sleeper = (k, f) => {
  const path = f.l['path'] as string;
  const m = REGION_PATH.exec(path);
  if (m === null) return ret(dev_attr_show(k, path));
  const parent = m[1]!;
  const attr = m[2]!;
  const task = k.current;
  if (f.pc === 0) {
    const p = k.s.parents[parent];
    if (p === undefined || p.group === null || !REGION_ATTRS.includes(attr)) {
      k.hit('sysfs:region_attr_absent');
      return ret('-ENOENT');
    }
    // kernfs holds the attribute active while show() runs; show takes device_lock(parent).
    const w = k.parentW(parent);
    w.groupReaders = w.groupReaders.concat([task]);
    if (w.lockOwner !== null) k.hit('sysfs:waits_device_lock');
    return call(f, 1, 'device_lock', { parent });
  }
  const region = k.s.parents[parent]!.drvdata;
  device_unlock(k, parent);
  const w = k.parentW(parent);
  w.groupReaders = w.groupReaders.filter((t) => t !== task);
  return ret(region_attr_show(k, region, attr));
};

/** id_show, size_show, align_show: what drvdata's region shows, once the lock is held. */
function region_attr_show(k: Kernel, id: number | null, attr: string): Ret {
  if (id === null) return '-ENXIO';
  const region = k.obj(id, 'dax_region');
  if (region.value === 'freed') {
    k.hit('oops:freed_region');
    oops(`use after free: ${attr}_show() reads region ${region.label} through drvdata, already freed`);
  }
  k.hit('sysfs:region_attr');
  const c = region.context;
  return `${attr === 'id' ? c.id : attr === 'align' ? c.align : big(c.size)}\n`;
}

/** A dev_dax's attribute: only size exists (the sum of its resources' sizes). */
function dev_attr_show(k: Kernel, path: string): Ret {
  const d = DEV_PATH.exec(path);
  if (d === null) refuse(['event', 'path'], `event.path: expected ${SHAPES}, found ${JSON.stringify(path)}`);
  const id = d[2] === 'size' ? k.s.nodes[d[1]!] : undefined;
  k.hit(id === undefined ? 'sysfs:no_such_attr' : 'sysfs:dev_size');
  if (id === undefined) return '-ENOENT';
  const size = k.obj(id, 'dev_dax').context.res.reduce((n, r) => u64(n + (big(r.end) - big(r.start) + 1n)), 0n);
  return `${size}\n`;
}

export const SYSFS_SLEEPERS = { sysfs_read };
