// The parent device of a dax region, as the driver core sees it (drivers/base/dd.c and
// devres.c, v4.12, the environment of the seed): whether a driver is bound, its drvdata, its
// devres actions, its device_lock, and the dax_region/ sysfs group the region puts on it.
//
// Probe and unbind run under device_lock(parent). Unbind (__device_release_driver) runs the
// devres actions last-registered first, then clears drvdata; so does a failed probe
// (really_probe's error path). A region attribute's show takes device_lock(parent) while it
// holds the attribute's kernfs active reference, and removing the group waits for those
// references to drain: a show that blocks on the lock of an unbind in progress deadlocks
// with it (kernel-semantics.md §2 "Deadlock hazard", scenario 52).
import type { DaxRegion, DevDax } from './device.ts';
import type { Kernel, Sleeps, Wait } from './kernel.ts';
import type { Ret } from './outcome.ts';

export interface DevresAction {
  name: 'dax_region_unregister' | 'unregister_dev_dax';
  target: DaxRegion | DevDax;
  run: () => Sleeps;
}

export class ParentDevice {
  /** dev->driver: set while a driver is bound or probing. */
  driver: string | null = null;
  /** dev_get_drvdata: may point at a region that was freed (alloc_dax_region's sysfs failure). */
  drvdata: DaxRegion | null = null;
  readonly devres: DevresAction[] = [];
  /** The region whose dax_region/ group is on this device, if the group exists. */
  group: DaxRegion | null = null;
  /** Tasks inside a show() of the group: they hold kernfs active references. */
  readonly groupReaders = new Set<string>();
  /** The task holding device_lock(dev). */
  lockOwner: string | null = null;

  constructor(readonly name: string) {}

  /**
   * device_lock: yields while the lock is held. A kernel mutex does not nest, and a task that
   * oopsed while holding it (a crash midway through an unbind) never lets it go.
   */
  *lock(k: Kernel): Sleeps {
    const task = k.current;
    if (this.lockOwner !== null) {
      k.hit('device_lock:waits');
      yield { where: `device_lock(${this.name})`, ready: () => this.lockOwner === null };
    }
    this.lockOwner = task;
    return 0;
  }

  unlock(): void {
    this.lockOwner = null;
  }

  /** The wait of a group removal for the show() calls still inside the group. */
  drain(): Wait {
    return { where: `kernfs_drain(${this.name}/dax_region)`, ready: () => this.groupReaders.size === 0 };
  }

  /** devres_release_all: every action, last-registered first, then drvdata is cleared. */
  *releaseAll(): Generator<Wait, Ret, void> {
    while (this.devres.length > 0) {
      const action = this.devres.pop()!;
      yield* action.run();
    }
    this.drvdata = null;
    this.driver = null;
    return 0;
  }
}
