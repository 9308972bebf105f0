// dax_srcu, the one static SRCU domain of drivers/dax/super.c at 7b6be8444e0f, shared by every
// dax_device (kernel-semantics.md §4). dax_read_lock / dax_read_unlock enter and leave a
// read-side section (they nest, per task); kill_dax's synchronize_srcu waits for every reader
// that entered before it, of any device.
//
// The deterministic reading of §4: synchronize_srcu is an atomic step that records, as its
// threshold, the id the next reader would get; it is over once no reader with a smaller id is
// left. Readers get ids in entry order, so "the oldest reader" decides every wait. A task's
// nested locks are one reader with a depth: only its outermost section can hold a kill back,
// and its id is the one that counts.
//
// The SRCU index that dax_read_lock returns is srcu_idx & 1. Tree SRCU (v4.12) flips srcu_idx
// once per grace period, at its start; the model flips it at each synchronize_srcu call.
//
// States: idle (no reader), reading (readers, no waiter), synchronizing (a kill waits; there
// are readers, or a woken waiter has not been taken off yet).
import { Immer } from 'immer';
import { and, assign, setup } from 'xstate';

// Contexts are replaced, never mutated, so the deep freezing immer does by default only costs
// time (it was a third of each read-lock step).
const { produce } = new Immer({ autoFreeze: false });

export interface SrcuReader {
  /** Entry order of the task's outermost section. */
  id: number;
  task: string;
  /** How many dax_read_lock calls of the task are open (nesting). */
  depth: number;
}
export interface SrcuWaiter {
  task: string;
  /** Readers with an id below this entered before the synchronize_srcu call. */
  threshold: number;
}
export interface DaxSrcuContext {
  /** srcu_idx; dax_read_lock returns its low bit. */
  idx: number;
  nextReader: number;
  /** Tasks inside a read-side section, in the order they entered it. */
  readers: SrcuReader[];
  /** synchronize_srcu calls still waiting, in call order. */
  waiters: SrcuWaiter[];
}

export type DaxSrcuEvent =
  | { type: 'dax_srcu.read_lock'; task: string }
  | { type: 'dax_srcu.read_unlock'; task: string }
  | { type: 'dax_srcu.synchronize'; task: string }
  | { type: 'dax_srcu.synchronized'; task: string };

export const DAX_SRCU_SYMBOL = {
  'dax_srcu.read_lock': 'dax_read_lock',
  'dax_srcu.read_unlock': 'dax_read_unlock',
  'dax_srcu.synchronize': 'synchronize_srcu',
  'dax_srcu.synchronized': 'synchronize_srcu',
} as const satisfies Record<DaxSrcuEvent['type'], string>;

/** Where the task's reader entry is, or -1 when the task holds no dax_read_lock. */
export function readerOf(ctx: DaxSrcuContext, task: string): number {
  return ctx.readers.findIndex((r) => r.task === task);
}

/** True when a waiter's grace period is over: no reader that entered before its call is left. */
export function graceOver(ctx: DaxSrcuContext, w: SrcuWaiter): boolean {
  const oldest = ctx.readers[0];
  return oldest === undefined || oldest.id >= w.threshold;
}

export const daxSrcuMachine = setup({
  types: { context: {} as DaxSrcuContext, events: {} as DaxSrcuEvent },
  guards: {
    holds_read_lock: ({ context, event }) => readerOf(context, event.task) >= 0,
    grace_period_over: ({ context, event }) => {
      const w = context.waiters.find((x) => x.task === event.task);
      return w !== undefined && graceOver(context, w);
    },
    has_waiters: ({ context }) => context.waiters.length > 0,
    has_readers: ({ context }) => context.readers.length > 0,
    // Guards see the context before the transition's actions run.
    last_reader: ({ context }) => context.readers.length === 1 && context.readers[0]!.depth === 1,
    other_waiters: ({ context }) => context.waiters.length > 1,
  },
  actions: {
    // A read lock or unlock happens at every fault a race wraps: these two copy the (short)
    // reader list by hand, which costs a tenth of going through an immer draft.
    enter: assign(({ context, event }) => {
      const i = readerOf(context, event.task);
      if (i < 0) return { nextReader: context.nextReader + 1, readers: [...context.readers, { id: context.nextReader, task: event.task, depth: 1 }] };
      const readers = context.readers.slice();
      readers[i] = { ...readers[i]!, depth: readers[i]!.depth + 1 };
      return { readers };
    }),
    leave: assign(({ context, event }) => {
      const i = readerOf(context, event.task);
      const r = context.readers[i]!;
      const readers = context.readers.slice();
      if (r.depth === 1) readers.splice(i, 1);
      else readers[i] = { ...r, depth: r.depth - 1 };
      return { readers };
    }),
    start_grace_period: assign(({ context, event }) =>
      produce(context, (d) => {
        d.idx++;
        if (d.readers.length > 0) d.waiters.push({ task: event.task, threshold: d.nextReader });
      }),
    ),
    end_wait: assign(({ context, event }) =>
      produce(context, (d) => {
        d.waiters.splice(d.waiters.findIndex((w) => w.task === event.task), 1);
      }),
    ),
  },
}).createMachine({
  id: 'dax_srcu',
  context: { idx: 0, nextReader: 0, readers: [], waiters: [] },
  initial: 'idle',
  // Each state lists what it does with each call; a call that keeps the state is a targetless
  // transition (cheaper than leaving and re-entering the state).
  states: {
    idle: {
      on: {
        'dax_srcu.read_lock': { target: 'reading', actions: 'enter' },
        // synchronize_srcu with no reader inside: the grace period starts and ends at once.
        'dax_srcu.synchronize': { actions: 'start_grace_period' },
      },
    },
    reading: {
      on: {
        'dax_srcu.read_lock': { actions: 'enter' },
        'dax_srcu.read_unlock': [
          { guard: and(['holds_read_lock', 'last_reader']), target: 'idle', actions: 'leave' },
          { guard: 'holds_read_lock', actions: 'leave' },
        ],
        'dax_srcu.synchronize': { target: 'synchronizing', actions: 'start_grace_period' },
      },
    },
    synchronizing: {
      on: {
        'dax_srcu.read_lock': { actions: 'enter' },
        'dax_srcu.read_unlock': { guard: 'holds_read_lock', actions: 'leave' },
        'dax_srcu.synchronize': [
          { guard: 'has_readers', actions: 'start_grace_period' },
          // The last reader left but a woken waiter is not taken off yet: none to wait for.
          { actions: 'start_grace_period' },
        ],
        'dax_srcu.synchronized': [
          { guard: and(['grace_period_over', 'other_waiters']), actions: 'end_wait' },
          { guard: and(['grace_period_over', 'has_readers']), target: 'reading', actions: 'end_wait' },
          { guard: 'grace_period_over', target: 'idle', actions: 'end_wait' },
        ],
      },
    },
  },
});
