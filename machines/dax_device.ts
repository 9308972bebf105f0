// struct dax_device, drivers/dax/super.c at 7b6be8444e0f: an inode of the internal "dax"
// filesystem with an embedded cdev, a private pointer and an `alive` flag.
//
// Lifecycle (kernel-semantics.md §3, daxlog.md §2):
//   alive      alloc_dax returned it: alive = true, private set, minor held, i_count = 1
//   killing    kill_dax stored alive = false and waits in synchronize_srcu
//   killed     the grace period ended and kill_dax cleared private
//   destroyed  the final put_dax evicted the inode; dax_destroy_inode queued the RCU callback
//   freed      dax_i_callback ran: the minor is back in the IDA, the memory in dax_cache
//
// Invariants: `alive` is a flag of its own, not the state: a put while alive (super.c:
// dax_destroy_inode's WARN_ONCE) reaches destroyed with alive still true. Only kill_dax clears
// it, only the end of kill_dax's grace period clears private, and nothing leaves freed. Calls
// the kernel would make on freed memory never reach this machine: super.ts turns them into an
// oops first.
import { assign, setup } from 'xstate';

export interface DaxDeviceContext {
  /** MINOR(inode->i_rdev), from dax_minor_ida. */
  minor: number;
  /** dax_dev->private, as the log names it; null once kill_dax has finished. */
  private: string | null;
  alive: boolean;
}

export type DaxDeviceEvent =
  | { type: 'dax.kill' } // kill_dax, first half: the plain store alive = false
  | { type: 'dax.kill_synchronized' } // kill_dax, after synchronize_srcu: private = NULL
  | { type: 'dax.put' } // put_dax → iput → evict → dax_destroy_inode → call_rcu
  | { type: 'rcu.callback' }; // dax_i_callback after a grace period

export const DAX_DEVICE_SYMBOL = {
  'dax.kill': 'kill_dax',
  'dax.kill_synchronized': 'kill_dax',
  'dax.put': 'put_dax',
  'rcu.callback': 'dax_i_callback',
} as const satisfies Record<DaxDeviceEvent['type'], string>;

export const daxDeviceMachine = setup({
  types: {
    context: {} as DaxDeviceContext,
    events: {} as DaxDeviceEvent,
    input: {} as { minor: number; private: string },
  },
  actions: {
    store_not_alive: assign({ alive: false }),
    clear_private: assign({ private: null }),
  },
}).createMachine({
  id: 'dax_device',
  context: ({ input }) => ({ minor: input.minor, private: input.private, alive: true }),
  initial: 'alive',
  states: {
    alive: {
      on: {
        'dax.kill': { target: 'killing', actions: 'store_not_alive' },
        'dax.put': { target: 'destroyed' },
      },
    },
    killing: {
      on: {
        'dax.kill': { actions: 'store_not_alive' },
        'dax.kill_synchronized': { target: 'killed', actions: 'clear_private' },
        'dax.put': { target: 'destroyed' },
      },
    },
    killed: {
      on: {
        // A second kill_dax does another grace period and clears private again.
        'dax.kill': { actions: 'store_not_alive' },
        'dax.kill_synchronized': { actions: 'clear_private' },
        'dax.put': { target: 'destroyed' },
      },
    },
    destroyed: {
      // Evicted but not yet freed: the memory is valid until the RCU callback, so a kill_dax
      // that was already waiting (or a late one) still writes to it.
      on: {
        'dax.kill': { actions: 'store_not_alive' },
        'dax.kill_synchronized': { actions: 'clear_private' },
        'rcu.callback': { target: 'freed' },
      },
    },
    freed: { type: 'final' },
  },
});
