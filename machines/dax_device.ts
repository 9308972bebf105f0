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
import { checked, type InputSpec } from './input.ts';
import type { ObjectRecord } from './records.ts';

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

export type DaxDeviceState = 'alive' | 'killing' | 'killed' | 'destroyed' | 'freed';

/** A dax_device in the kernel's state; `owner` is the dev_dax whose dax_dev it is, if any. */
export interface DaxDeviceRecord extends ObjectRecord<'dax_device', DaxDeviceState, DaxDeviceContext> {
  owner: number | null;
}

/** What alloc_dax gives a new device (machines/input.ts). */
export const DAX_DEVICE_INPUT = {
  minor: { kind: 'int', doc: 'MINOR(inode->i_rdev), the lowest free id of dax_minor_ida' },
  private: { kind: 'string', doc: "the private data alloc_dax was given (the log names it; default the device's handle)" },
} as const satisfies InputSpec;
const EXAMPLE = { minor: 0, private: 'a' };

const KILL = { kernel: 'kill_dax' };
const KILL_DONE = { kernel: 'kill_dax' };
const PUT = { kernel: 'put_dax' };

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
  description: 'struct dax_device (drivers/dax/super.c): an inode with a cdev, a private pointer and an alive flag',
  meta: { input: DAX_DEVICE_INPUT, example: EXAMPLE },
  context: ({ input }) => {
    const given = checked('dax_device', DAX_DEVICE_INPUT, EXAMPLE, input);
    return { minor: given.minor, private: given.private, alive: true };
  },
  initial: 'alive',
  states: {
    alive: {
      on: {
        'dax.kill': { target: 'killing', actions: 'store_not_alive', meta: KILL, description: 'kill_dax stores alive = false, then waits for a grace period' },
        'dax.put': { target: 'destroyed', meta: PUT, description: 'the final put while alive: dax_destroy_inode WARNs once, call_rcu' },
      },
    },
    killing: {
      on: {
        'dax.kill': { actions: 'store_not_alive', meta: KILL, description: 'another kill_dax while one waits' },
        'dax.kill_synchronized': { target: 'killed', actions: 'clear_private', meta: KILL_DONE, description: "the grace period is over: private = NULL" },
        'dax.put': { target: 'destroyed', meta: PUT, description: 'the final put while a kill waits' },
      },
    },
    killed: {
      on: {
        // A second kill_dax does another grace period and clears private again.
        'dax.kill': { actions: 'store_not_alive', meta: KILL, description: 'kill_dax again: another grace period' },
        'dax.kill_synchronized': { actions: 'clear_private', meta: KILL_DONE, description: 'the second grace period is over' },
        'dax.put': { target: 'destroyed', meta: PUT, description: 'the final put after the kill: call_rcu, no WARN' },
      },
    },
    destroyed: {
      // Evicted but not yet freed: the memory is valid until the RCU callback, so a kill_dax
      // that was already waiting (or a late one) still writes to it.
      on: {
        'dax.kill': { actions: 'store_not_alive', meta: KILL, description: 'kill_dax on evicted memory not yet freed' },
        'dax.kill_synchronized': { actions: 'clear_private', meta: KILL_DONE, description: 'a kill that waited ends on evicted memory' },
        'rcu.callback': { target: 'freed', meta: { kernel: 'dax_i_callback' }, description: 'dax_i_callback: the minor goes back to the IDA' },
      },
    },
    freed: { type: 'final' },
  },
});
