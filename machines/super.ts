// drivers/dax/super.c at 7b6be8444e0f (kernel-semantics.md §2-§4): alloc_dax, kill_dax,
// put_dax, dax_alive, dax_get_private, dax_read_lock / dax_read_unlock, and the RCU callback
// dax_i_callback. Each function checks first for what would crash the kernel (a NULL
// dax_device where it is dereferenced, memory already freed) and reports an oops before any
// state changes; everything else goes through the dax_device and dax_srcu machines.
import { daxDeviceMachine } from './dax_device.ts';
import type { CallTable, FailSites, Kernel, Sleeps } from './kernel.ts';
import type { VmArea } from './mmap.ts';
import { KObject, NullObject, type Named } from './objects.ts';
import { oops, type Ret } from './outcome.ts';

export class DaxDevice extends KObject<typeof daxDeviceMachine> {
  /** The dax inode's i_mmap: every mapping of a file whose f_mapping is this inode's. */
  readonly mappings = new Set<VmArea>();

  get ctx() {
    return this.actor.getSnapshot().context;
  }
}

export const WARN_KILL_BEFORE_IPUT = 'kill_dax() must be called before final iput()';
const LOCKDEP_DAX_ALIVE = 'dax_alive: lockdep_assert_held(&dax_srcu) failed: dax_read_lock() not held by this task';

/** alloc_dax(private): the lowest free minor below max(nr_dax, 256), then a new inode. */
export function alloc_dax(k: Kernel, handle: string, priv: string, fail: FailSites): DaxDevice | null {
  // The whole call made to fail (daxlog ruling 6): NULL before anything is taken.
  if (fail.take('alloc_dax')) {
    k.hit('alloc_dax:injected');
    return null;
  }
  // ida_simple_get: -ENOSPC when every minor is taken, -ENOMEM on allocation failure; both NULL.
  const minor = fail.take('ida') ? '-ENOMEM' : k.minors.get(k.nrDax);
  if (typeof minor === 'string') {
    k.hit('alloc_dax:no_minor');
    return null;
  }
  // dax_dev_get → iget5_locked: NULL when no inode can be allocated; the minor goes back.
  if (fail.take('iget5_locked')) {
    k.hit('alloc_dax:no_inode');
    k.minors.remove(minor);
    return null;
  }
  k.hit('alloc_dax:ok');
  const dev = k.adopt(new DaxDevice('dax_device', handle, k.actor(daxDeviceMachine, handle, { minor, private: priv })));
  k.record.minor = minor;
  return dev;
}

/** The dax_device a pointer-valued handle names, or an oops when the kernel would crash. */
function deref(k: Kernel, fn: 'kill_dax' | 'put_dax' | 'dax_alive' | 'dax_get_private', d: Named): DaxDevice {
  if (d instanceof NullObject) {
    k.hit('oops:null_dax_device');
    oops(`NULL pointer dereference: ${fn}() on dax_device ${d.handle}, which is ${d.ptr}`);
  }
  if (!(d instanceof DaxDevice)) throw new Error(`bug: ${d.label} is not a dax_device`);
  if (d.state === 'freed') {
    k.hit('oops:freed_dax_device');
    oops(`use after free: ${fn}() on dax_device ${d.label}, already freed by its RCU callback`);
  }
  return d;
}

/**
 * The dax_device a kernel object points at (dev_dax->dax_dev, the dax inode behind an open
 * file), reached by `fn`: its memory stays valid while destroyed and is gone once its RCU
 * callback freed it. A log can free it early with its own dax.put.
 */
export function daxMemory(k: Kernel, d: DaxDevice, fn: string): DaxDevice {
  if (d.state === 'freed') {
    k.hit('oops:dax_device_freed_under_user');
    oops(`use after free: ${fn} reaches dax_device ${d.label}, already freed by its RCU callback`);
  }
  return d;
}

/** kill_dax: alive = false, synchronize_srcu, private = NULL. A NULL device is a no-op. */
export function* kill_dax(k: Kernel, d: Named): Sleeps {
  if (!(d instanceof DaxDevice)) {
    k.hit('kill_dax:null');
    return 0;
  }
  deref(k, 'kill_dax', d);
  k.hit(d.state === 'alive' ? 'kill_dax:alive' : 'kill_dax:again');
  k.send(d, { type: 'dax.kill' });
  yield* k.synchronizeSrcu();
  // The device may have been put and even freed while this task slept.
  if (d.state === 'freed') {
    k.hit('oops:kill_dax_woke_freed');
    oops(`use after free: kill_dax() woke and wrote private = NULL to dax_device ${d.label}, freed while it waited`);
  }
  k.send(d, { type: 'dax.kill_synchronized' });
  return 0;
}

/** put_dax → iput. The final put evicts the inode; dax_destroy_inode WARNs if still alive. */
export function put_dax(k: Kernel, d: Named): Ret {
  if (!(d instanceof DaxDevice)) {
    k.hit('put_dax:null');
    return 0;
  }
  deref(k, 'put_dax', d);
  if (d.state === 'destroyed') {
    k.hit('oops:put_dax_twice');
    oops(`use after free: put_dax() on dax_device ${d.label} after its final put (kernel BUG in iput: the inode is already cleared)`);
  }
  if (d.ctx.alive) {
    k.hit(k.warnedOnce.has('dax_destroy_inode') ? 'put_dax:alive_warned_before' : 'put_dax:alive_warn_once');
    k.warnOnce('dax_destroy_inode', WARN_KILL_BEFORE_IPUT);
  } else k.hit('put_dax:killed');
  k.send(d, { type: 'dax.put' });
  k.callRcu({ name: 'dax_i_callback', run: () => dax_i_callback(k, d) });
  return 0;
}

/** dax_i_callback, one grace period after destroy: the minor goes back to the IDA. */
function dax_i_callback(k: Kernel, d: DaxDevice): void {
  if (!k.minors.remove(d.ctx.minor)) k.warn(`ida_remove called for id=${d.ctx.minor} which is not allocated.`);
  k.send(d, { type: 'rcu.callback' });
}

export function dax_alive(k: Kernel, d: Named): boolean {
  const dev = deref(k, 'dax_alive', d);
  if (!k.holdsReadLock()) {
    k.hit('dax_alive:lockdep_warn');
    k.warn(LOCKDEP_DAX_ALIVE);
  }
  k.hit(dev.ctx.alive ? 'dax_alive:true' : 'dax_alive:false');
  return dev.ctx.alive;
}

export function dax_get_private(k: Kernel, d: Named): string | null {
  const p = deref(k, 'dax_get_private', d).ctx.private;
  k.hit(p === null ? 'dax_get_private:null' : 'dax_get_private:set');
  return p;
}

export function dax_read_lock(k: Kernel): number {
  const idx = k.srcu.getSnapshot().context.idx & 1;
  k.srcu.send({ type: 'dax_srcu.read_lock', task: k.current });
  return idx;
}

export function dax_read_unlock(k: Kernel): number {
  if (!k.holdsReadLock()) {
    k.hit('dax_read_unlock:imbalance');
    k.warn(`bad unlock balance detected! ${k.current} is trying to release lock (dax_srcu) but there are no more locks to release!`);
    return 0;
  }
  k.hit('dax_read_unlock:ok');
  k.srcu.send({ type: 'dax_srcu.read_unlock', task: k.current });
  return 0;
}

/** The end of an RCU grace period: every callback queued before this step runs, in order. */
export function rcu_grace_period(k: Kernel): number {
  const queue = k.rcuQueue;
  k.rcuQueue = [];
  k.hit(queue.length === 0 ? 'rcu:no_callbacks' : 'rcu:callbacks');
  for (const cb of queue) cb.run();
  return queue.length;
}

const AT_DAX = ['event', 'dax'];
const device = (k: Kernel, handle: string) => k.lookup(handle, 'dax_device', AT_DAX);

export const SUPER_CALLS: CallTable<
  'dax.alloc' | 'dax.kill' | 'dax.put' | 'dax.alive' | 'dax.get_private' | 'dax_srcu.read_lock' | 'dax_srcu.read_unlock' | 'rcu.grace_period'
> = {
  'dax.alloc': (k, e, fail) => {
    k.claim(e.dax, ['event', 'dax']);
    const d = alloc_dax(k, e.dax, e.private ?? e.dax, fail);
    if (d === null) k.bindNull('dax_device', e.dax, 'NULL');
    return d === null ? 'NULL' : d.ctx.minor;
  },
  'dax.kill': (k, e) => kill_dax(k, device(k, e.dax)),
  'dax.put': (k, e) => put_dax(k, device(k, e.dax)),
  'dax.alive': (k, e) => dax_alive(k, device(k, e.dax)),
  'dax.get_private': (k, e) => dax_get_private(k, device(k, e.dax)),
  'dax_srcu.read_lock': (k) => dax_read_lock(k),
  'dax_srcu.read_unlock': (k) => dax_read_unlock(k),
  'rcu.grace_period': (k) => rcu_grace_period(k),
};
