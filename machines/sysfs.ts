// The sysfs attributes of device DAX at 7b6be8444e0f (kernel-semantics.md §2): the region's
// dax_region/{id,size,align} group on the parent, whose show functions take device_lock(parent)
// and read drvdata, and a dev_dax's size. While a show runs it holds the attribute active, and
// removing the group waits for it (driver.ts): a read behind a sleeping unbind deadlocks.
import type { ParentDevice } from './driver.ts';
import type { Kernel } from './kernel.ts';
import { oops, refuse, type Ret } from './outcome.ts';

/** The shapes of a sysfs path (daxlog ruling 9), for the log error that lists them. */
const SHAPES = '"<parent>/dax_region/<attr>", "<dev>/<attr>" or "/sys/class/dax/<dev>/<attr>"';
const REGION_PATH = /^(.+)\/dax_region\/([^/]+)$/;
const DEV_PATH = /^(?:\/sys\/class\/dax\/)?([^/]+)\/([^/]+)$/;

/** The show functions of the region group and of a dev_dax's size attribute. */
export function* sysfs_read(k: Kernel, path: string): Generator<ReturnType<ParentDevice['drain']>, Ret, void> {
  const m = REGION_PATH.exec(path);
  if (m !== null) {
    const parent = k.parents.get(m[1]!);
    const attr = m[2]!;
    if (parent === undefined || parent.group === null || (attr !== 'id' && attr !== 'size' && attr !== 'align')) {
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
      oops(`use after free: ${attr}_show() reads region ${region.label} through drvdata, already freed`);
    }
    k.hit('sysfs:region_attr');
    if (attr === 'id') return `${region.id}\n`;
    if (attr === 'align') return `${region.align}\n`;
    return `${region.size}\n`;
  }
  const d = DEV_PATH.exec(path);
  if (d === null) refuse(['event', 'path'], `event.path: expected ${SHAPES}, found ${JSON.stringify(path)}`);
  const dev = d[2] === 'size' ? k.nodes.get(d[1]!) : undefined;
  k.hit(dev === undefined ? 'sysfs:no_such_attr' : 'sysfs:dev_size');
  return dev === undefined ? '-ENOENT' : `${dev.size}\n`;
}
