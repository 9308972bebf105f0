// The parent device of a dax region, as the driver core sees it (drivers/base/dd.c and
// devres.c, v4.12, the environment of the seed): device_lock, the devres actions, and the
// detach of a driver. The parent's data lives in the kernel's state (state.ts Parent).
//
// Probe and unbind run under device_lock(parent). Unbind (__device_release_driver) runs the
// devres actions last-registered first, then clears drvdata; so does a failed probe
// (really_probe's error path). A region attribute's show takes device_lock(parent) while it
// holds the attribute's kernfs active reference, and removing the group waits for those
// references to drain: a show that blocks on the lock of an unbind in progress deadlocks with
// it (kernel-semantics.md §2 "Deadlock hazard", scenario 52).
import type { Kernel } from './kernel.ts';
import type { ObjId } from './records.ts';
import type { DevresEntry, Json } from './state.ts';
import { call, ret, sleep, type Sleeper } from './sleep.ts';

/**
 * device_lock(parent): sleeps while the lock is held. A kernel mutex does not nest, and a task
 * that oopsed while holding it (a crash midway through an unbind) never lets it go.
 */
export const device_lock: Sleeper = (k, f) => {
  const parent = f.l['parent'] as string;
  if (f.pc === 0 && (k.s.parents[parent]?.lockOwner ?? null) !== null) {
    k.hit('device_lock:waits');
    return sleep(f, 1, { on: 'device_lock', parent });
  }
  k.parentW(parent).lockOwner = k.current;
  return ret(0);
};

export function device_unlock(k: Kernel, parent: string): void {
  k.parentW(parent).lockOwner = null;
}

/**
 * devres_release_all: the whole list of actions leaves the device at once (release_nodes moves
 * it to a list of its own under devres_lock), then each runs, last-registered first, and drvdata
 * and driver are cleared. An action registered while they run stays on the device for a later
 * release; one that devm_release_action looks for while they run is no longer on the device.
 */
export const devres_release_all: Sleeper = (k, f) => {
  const name = f.l['parent'] as string;
  if (f.pc === 0) {
    const p = k.parentW(name);
    f.l = { parent: name, todo: p.devres as unknown as Json };
    p.devres = [];
  }
  const todo = f.l['todo'] as unknown as DevresEntry[];
  if (todo.length === 0) {
    const p = k.parentW(name);
    p.drvdata = null;
    p.driver = null;
    return ret(0);
  }
  const action = todo[todo.length - 1]!;
  f.l = { parent: name, todo: todo.slice(0, -1) as unknown as Json };
  return call(f, 1, action.action, action.action === 'dax_region_unregister' ? { region: action.target } : { dev: action.target });
};

/** __device_release_driver under device_lock: the driver's devres actions, then no driver. */
export const device_release_driver: Sleeper = (k, f) => {
  const parent = f.l['parent'] as string;
  if (f.pc === 0) return call(f, 1, 'device_lock', { parent });
  if (f.pc === 1) {
    const bound = k.s.parents[parent]!.driver !== null;
    k.hit(bound ? 'unbind:release_all' : 'unbind:no_driver');
    if (bound) return call(f, 2, 'devres_release_all', { parent });
  }
  device_unlock(k, parent);
  return ret(0);
};

/**
 * devm_release_action(parent, unregister_dev_dax, dev) (daxlog ruling 4): the devres entry
 * leaves the parent's list, then the action runs; false when the entry is no longer there.
 */
export function devm_release_action(k: Kernel, parent: string, dev: ObjId): boolean {
  const devres = k.s.parents[parent]!.devres;
  const i = devres.findIndex((a) => a.target === dev);
  if (i < 0) return false;
  const p = k.parentW(parent);
  p.devres = devres.filter((_, j) => j !== i);
  return true;
}

export const BASE_SLEEPERS = { device_lock, devres_release_all, device_release_driver };
