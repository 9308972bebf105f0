// The sysfs attributes of device DAX at 7b6be8444e0f (kernel-semantics.md §2): the region's
// dax_region/{id,size,align} group on the parent, whose show functions take device_lock(parent)
// and read drvdata, and a dev_dax's size. While a show runs it holds the attribute active, and
// removing the group waits for it (driver.ts): a read behind a sleeping unbind deadlocks.
import type { ParentDevice } from './driver.ts';
import type { Kernel } from './kernel.ts';
import { oops, type Ret } from './outcome.ts';

/** The show functions of the region group and of a dev_dax's size attribute. */
export function* sysfs_read(k: Kernel, path: string): Generator<ReturnType<ParentDevice['drain']>, Ret, void> {
  const m = /^(.+)\/dax_region\/(id|size|align)$/.exec(path);
  if (m !== null) {
    const parent = k.parents.get(m[1]!);
    if (parent === undefined || parent.group === null) {
      k.hit('sysfs:region_attr_absent');
      return '-ENOENT';
    }
    // kernfs holds the attribute active while show() runs; show takes device_lock(parent).
    const task = k.current;
    parent.groupReaders.add(task);
    if (parent.lockOwner !== null) k.hit('sysfs:waits_device_lock');
    yield* parent.lock(k);
    const region = parent.drvdata;
    parent.unlock();
    parent.groupReaders.delete(task);
    if (region === null) return '-ENXIO';
    if (region.state === 'freed') {
      k.hit('oops:freed_region');
      oops(`use after free: ${m[2]}_show() reads region ${region.label} through drvdata, already freed`);
    }
    k.hit('sysfs:region_attr');
    if (m[2] === 'id') return `${region.id}\n`;
    if (m[2] === 'align') return `${region.align}\n`;
    return `${region.size}\n`;
  }
  const d = /^([^/]+)\/size$/.exec(path);
  const dev = d === null ? undefined : k.nodes.get(d[1]!);
  k.hit(dev === undefined ? 'sysfs:no_such_attr' : 'sysfs:dev_size');
  return dev === undefined ? '-ENOENT' : `${dev.size}\n`;
}
