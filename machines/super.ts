// drivers/dax/super.c at 7b6be8444e0f (kernel-semantics.md §2-§4): alloc_dax, kill_dax,
// put_dax (with dax_destroy_inode's WARN_ONCE), dax_alive, dax_get_private, dax_read_lock /
// dax_read_unlock, synchronize_srcu on dax_srcu, and the RCU callback dax_i_callback. Each
// function checks first for what would crash the kernel (a NULL dax_device where it is
// dereferenced, memory already freed) and reports an oops before any state changes;
// everything else goes through the dax_device and dax_srcu machines.
import type { DaxDeviceRecord } from './dax_device.ts';
import { reading } from './dax_srcu.ts';
import { idaGet, idaRemove } from './ida.ts';
import type { Kernel } from './kernel.ts';
import { oops, type Ret } from './outcome.ts';
import type { ObjId } from './records.ts';
import { call, ret, sleep, type Sleeper } from './sleep.ts';
import type { NullBinding } from './state.ts';

export const WARN_KILL_BEFORE_IPUT = 'kill_dax() must be called before final iput()';
const LOCKDEP_DAX_ALIVE = 'dax_alive: lockdep_assert_held(&dax_srcu) failed: dax_read_lock() not held by this task';
const ILLEGAL_SYNCHRONIZE = 'suspicious RCU usage: Illegal synchronize_srcu() in same-type SRCU (or in RCU) read-side critical section';

/** alloc_dax(private): the lowest free minor below max(nr_dax, 256), then a new inode. */
export function alloc_dax(k: Kernel, handle: string, priv: string): DaxDeviceRecord | null {
  // The whole call made to fail (daxlog ruling 6): NULL before anything is taken.
  if (k.fail.take('alloc_dax')) {
    k.hit('alloc_dax:injected');
    return null;
  }
  // ida_simple_get: -ENOSPC when every minor is taken, -ENOMEM on allocation failure; both NULL.
  const minor = k.fail.take('ida') ? '-ENOMEM' : idaGet(k.minorsW(), k.s.nrDax);
  if (typeof minor === 'string') {
    k.hit('alloc_dax:no_minor');
    return null;
  }
  // dax_dev_get → iget5_locked: NULL when no inode can be allocated; the minor goes back.
  if (k.fail.take('iget5_locked')) {
    k.hit('alloc_dax:no_inode');
    idaRemove(k.minorsW(), minor);
    return null;
  }
  k.hit('alloc_dax:ok');
  const dev = k.create('dax_device', handle, { minor, private: priv }, { owner: null });
  k.record.minor = minor;
  return dev;
}

/** The dax_device a pointer-valued handle names, or an oops when the kernel would crash. */
export function deref(k: Kernel, fn: string, d: ObjId | NullBinding): DaxDeviceRecord {
  if (typeof d !== 'number') {
    k.hit('oops:null_dax_device');
    oops(`NULL pointer dereference: ${fn}() on dax_device ${d.handle}, which is ${d.ptr}`);
  }
  const dev = k.obj(d, 'dax_device');
  if (dev.value === 'freed') {
    k.hit('oops:freed_dax_device');
    oops(`use after free: ${fn}() on dax_device ${dev.label}, already freed by its RCU callback`);
  }
  return dev;
}

/**
 * The dax_device a kernel object points at (dev_dax->dax_dev, the dax inode behind an open
 * file), reached by `fn`: its memory stays valid while destroyed and is gone once its RCU
 * callback freed it. A log can free it early with its own dax.put.
 */
export function daxMemory(k: Kernel, id: ObjId, fn: string): DaxDeviceRecord {
  const d = k.obj(id, 'dax_device');
  if (d.value === 'freed') {
    k.hit('oops:dax_device_freed_under_user');
    oops(`use after free: ${fn} reaches dax_device ${d.label}, already freed by its RCU callback`);
  }
  return d;
}

/** kill_dax: alive = false, synchronize_srcu, private = NULL. A NULL device is a no-op. */
export const kill_dax: Sleeper = (k, f) => {
  const dax = f.l['dax'] as ObjId | null;
  switch (f.pc) {
    case 0: {
      if (dax === null) {
        k.hit('kill_dax:null');
        return ret(0);
      }
      const d = deref(k, 'kill_dax', dax);
      k.hit(d.value === 'alive' ? 'kill_dax:alive' : 'kill_dax:again');
      k.send(dax, { type: 'dax.kill' });
      return call(f, 1, 'synchronize_srcu');
    }
    default: {
      // The device may have been put and even freed while this task slept.
      const d = k.obj(dax!, 'dax_device');
      if (d.value === 'freed') {
        k.hit('oops:kill_dax_woke_freed');
        oops(`use after free: kill_dax() woke and wrote private = NULL to dax_device ${d.label}, freed while it waited`);
      }
      k.send(dax!, { type: 'dax.kill_synchronized' });
      return ret(0);
    }
  }
};

/** synchronize_srcu(&dax_srcu) for the current task: returns once earlier readers have left. */
export const synchronize_srcu: Sleeper = (k, f) => {
  if (f.pc === 1) return ret(0); // woken: the grace period is over
  const task = k.current;
  if (holdsReadLock(k, task)) {
    k.hit('synchronize_srcu:in_read_section');
    k.warn(ILLEGAL_SYNCHRONIZE);
  }
  const srcu = k.srcuSend({ type: 'dax_srcu.synchronize', task });
  const waits = srcu.context.waiters.at(-1)?.task === task; // a waiter joins at the end
  if (!waits) {
    k.hit('synchronize_srcu:no_readers');
    return ret(0);
  }
  k.hit('synchronize_srcu:waits');
  return sleep(f, 1, { on: 'synchronize_srcu' });
};

/**
 * put_dax → iput: every put of the model is the final one (the dax_device's inode has one
 * reference), so it evicts the inode, and evict calls the super block's destroy_inode.
 */
export function put_dax(k: Kernel, d: ObjId | null): Ret {
  if (d === null) {
    k.hit('put_dax:null');
    return 0;
  }
  const dev = deref(k, 'put_dax', d);
  if (dev.value === 'destroyed') {
    k.hit('oops:put_dax_twice');
    oops(`use after free: put_dax() on dax_device ${dev.label} after its final put (kernel BUG in iput: the inode is already cleared)`);
  }
  dax_destroy_inode(k, dev.id);
  return 0;
}

/**
 * dax_destroy_inode (dax_sops.destroy_inode): WARN_ONCE when the device was never killed, then
 * call_rcu(dax_i_callback).
 */
function dax_destroy_inode(k: Kernel, id: ObjId): void {
  const dev = k.obj(id, 'dax_device');
  if (dev.context.alive) {
    k.hit(k.s.warnedOnce.includes('dax_destroy_inode') ? 'dax_destroy_inode:alive_warned_before' : 'dax_destroy_inode:alive_warn_once');
    k.warnOnce('dax_destroy_inode', WARN_KILL_BEFORE_IPUT);
  } else k.hit('dax_destroy_inode:killed');
  k.send(id, { type: 'dax.put' });
  k.wf('rcu').push({ fn: 'dax_i_callback', dax: id });
}

/** dax_i_callback, one grace period after destroy: the minor goes back to the IDA. */
function dax_i_callback(k: Kernel, id: ObjId): void {
  const d = k.obj(id, 'dax_device');
  if (!idaRemove(k.minorsW(), d.context.minor)) k.warn(`ida_remove called for id=${d.context.minor} which is not allocated.`);
  k.send(id, { type: 'rcu.callback' });
}

/** Does the task hold a dax_read_lock? (lockdep's view) */
export function holdsReadLock(k: Kernel, task = k.current): boolean {
  return reading(k.s.srcu.context, task);
}

export function dax_alive(k: Kernel, d: ObjId | NullBinding): boolean {
  const dev = deref(k, 'dax_alive', d);
  if (!holdsReadLock(k)) {
    k.hit('dax_alive:lockdep_warn');
    k.warn(LOCKDEP_DAX_ALIVE);
  }
  k.hit(dev.context.alive ? 'dax_alive:true' : 'dax_alive:false');
  return dev.context.alive;
}

export function dax_get_private(k: Kernel, d: ObjId | NullBinding): string | null {
  const p = deref(k, 'dax_get_private', d).context.private;
  k.hit(p === null ? 'dax_get_private:null' : 'dax_get_private:set');
  return p;
}

export function dax_read_lock(k: Kernel): number {
  const idx = k.s.srcu.context.idx & 1;
  k.srcuSend({ type: 'dax_srcu.read_lock', task: k.current });
  return idx;
}

export function dax_read_unlock(k: Kernel): number {
  if (!holdsReadLock(k)) {
    k.hit('dax_read_unlock:imbalance');
    k.warn(`bad unlock balance detected! ${k.current} is trying to release lock (dax_srcu) but there are no more locks to release!`);
    return 0;
  }
  k.hit('dax_read_unlock:ok');
  k.srcuSend({ type: 'dax_srcu.read_unlock', task: k.current });
  return 0;
}

/** The end of an RCU grace period: every callback queued before this step runs, in order. */
export function rcu_grace_period(k: Kernel): number {
  const queue = k.s.rcu;
  k.w().rcu = [];
  k.hit(queue.length === 0 ? 'rcu:no_callbacks' : 'rcu:callbacks');
  for (const cb of queue) dax_i_callback(k, cb.dax);
  return queue.length;
}

export const SUPER_SLEEPERS = { kill_dax, synchronize_srcu };
