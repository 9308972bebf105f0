// dax_srcu, the one static SRCU domain of drivers/dax/super.c at 7b6be8444e0f, shared by every
// dax_device (kernel-semantics.md §4). dax_read_lock / dax_read_unlock enter and leave a
// read-side section (they nest, per task); synchronize_srcu waits for every reader that
// entered before it, of any device.
//
// The deterministic reading of §4, in SRCU's own terms: srcu_idx counts synchronize_srcu calls
// (the model flips it at every call, daxlog ruling 7), and a reader is counted under the index
// it entered with, its generation. A synchronize_srcu made at index g waits for the readers of
// generation g or older, the ones that entered before it; its grace period is over when none of
// them is left. Readers are kept by task, with their generation and nesting depth, so the order
// in which two readers of one generation entered leaves no trace: the state after "A locks, B
// locks" is the state after "B locks, A locks". Waiters are in call order, which is also the
// order of their indexes, so the grace periods an unlock ends are always the first waiters'.
// The machine ends them itself: the unlock moves them from `waiters` to `done`, which the kernel
// reads to wake their tasks (then empties with dax_srcu.woken).
//
// dax_read_lock returns srcu_idx & 1. States: idle (no reader), reading (readers, nobody
// waiting), synchronizing (a synchronize_srcu waits for readers that entered before it).
import { and, assertEvent, assign, not, setup } from 'xstate';

export interface SrcuReader {
  /** srcu_idx when the task's outermost section began. */
  gen: number;
  /** How many dax_read_lock calls of the task are open (nesting). */
  depth: number;
}
export interface SrcuWaiter {
  task: string;
  /** srcu_idx when it called synchronize_srcu: it waits for readers of this generation or older. */
  gen: number;
}
export interface DaxSrcuContext {
  /** srcu_idx: synchronize_srcu calls so far. */
  idx: number;
  /** The tasks inside a read-side section. */
  readers: Record<string, SrcuReader>;
  /** How many readers each generation has (a generation with none is not listed). */
  counts: Record<string, number>;
  /** synchronize_srcu calls still waiting, in call order. */
  waiters: SrcuWaiter[];
  /** Tasks whose synchronize_srcu may return: their grace period ended, they are not woken yet. */
  done: string[];
}

export type DaxSrcuEvent =
  | { type: 'dax_srcu.read_lock'; task: string }
  | { type: 'dax_srcu.read_unlock'; task: string }
  | { type: 'dax_srcu.synchronize'; task: string }
  | { type: 'dax_srcu.woken' };

export type DaxSrcuState = 'idle' | 'reading' | 'synchronizing';

/** Does the task hold a dax_read_lock? */
export function reading(ctx: DaxSrcuContext, task: string): boolean {
  return ctx.readers[task] !== undefined;
}

/** The oldest generation with a reader left, once `task` left its innermost section (Infinity: none). */
export function oldestAfterUnlock(ctx: DaxSrcuContext, task: string): number {
  const r = ctx.readers[task]!;
  let oldest = Infinity;
  for (const g in ctx.counts) {
    const left = ctx.counts[g]! - (r.depth === 1 && Number(g) === r.gen ? 1 : 0);
    if (left > 0) oldest = Math.min(oldest, Number(g));
  }
  return oldest;
}

/** How many readers are inside. */
function readerCount(ctx: DaxSrcuContext): number {
  let n = 0;
  for (const g in ctx.counts) n += ctx.counts[g]!;
  return n;
}

const LOCK = { kernel: 'dax_read_lock' };
const UNLOCK = { kernel: 'dax_read_unlock' };
const SYNC = { kernel: 'synchronize_srcu' };

// The actions change the context's records and lists in place and hand them back (a reader's
// entry itself is replaced, never changed): dax_srcu can hold thousands of readers and waiters,
// and copying them at every lock, unlock and synchronize_srcu made waiting quadratic. The kernel
// owns the context it sends an event with (Kernel.srcuSend copies a shared one first), and an
// actor owns its own.
export const daxSrcuMachine = setup({
  types: { context: {} as DaxSrcuContext, events: {} as DaxSrcuEvent },
  guards: {
    holds_read_lock: ({ context, event }) => 'task' in event && reading(context, event.task),
    // Guards see the context before the transition's actions run.
    last_reader: ({ context, event }) => 'task' in event && context.readers[event.task]?.depth === 1 && readerCount(context) === 1,
    /** The unlock ends the grace period of every waiter (the last waiter's is the latest). */
    ends_every_wait: ({ context, event }) =>
      event.type === 'dax_srcu.read_unlock' && context.waiters.at(-1)!.gen < oldestAfterUnlock(context, event.task),
  },
  actions: {
    enter: assign(({ context, event }) => {
      assertEvent(event, 'dax_srcu.read_lock');
      const task = event.task;
      const r = context.readers[task];
      if (r !== undefined) context.readers[task] = { gen: r.gen, depth: r.depth + 1 };
      else {
        context.readers[task] = { gen: context.idx, depth: 1 };
        context.counts[context.idx] = (context.counts[context.idx] ?? 0) + 1;
      }
      return { readers: context.readers, counts: context.counts };
    }),
    // The unlock leaves the task's section; waiters with no reader of their generation or an
    // older one left are done.
    leave: assign(({ context, event }) => {
      assertEvent(event, 'dax_srcu.read_unlock');
      const task = event.task;
      const r = context.readers[task]!;
      if (r.depth > 1) context.readers[task] = { gen: r.gen, depth: r.depth - 1 };
      else {
        delete context.readers[task];
        if (--context.counts[r.gen]! === 0) delete context.counts[r.gen];
      }
      let oldest = Infinity;
      for (const g in context.counts) oldest = Math.min(oldest, Number(g));
      let n = 0;
      while (n < context.waiters.length && context.waiters[n]!.gen < oldest) n++;
      for (const w of context.waiters.splice(0, n)) context.done.push(w.task);
      return { readers: context.readers, counts: context.counts, waiters: context.waiters, done: context.done };
    }),
    // srcu_idx flips; with readers inside, the caller waits for those that entered before it.
    start_grace_period: assign(({ context, event }) => {
      assertEvent(event, 'dax_srcu.synchronize');
      const task = event.task;
      if (readerCount(context) > 0) context.waiters.push({ task, gen: context.idx });
      return { idx: context.idx + 1, waiters: context.waiters };
    }),
    forget_done: assign({ done: () => [] }),
  },
}).createMachine({
  id: 'dax_srcu',
  description: 'dax_srcu (drivers/dax/super.c): the one SRCU domain every dax_device shares',
  // No input: the domain starts with no reader and srcu_idx 0. What its events carry:
  meta: {
    payload: {
      'dax_srcu.read_lock': '`task`: the task entering a read-side section',
      'dax_srcu.read_unlock': '`task`: the task leaving its innermost section',
      'dax_srcu.synchronize': '`task`: the task calling synchronize_srcu; it may return once `task` is in `done`',
    },
  },
  context: () => ({ idx: 0, readers: Object.create(null) as Record<string, SrcuReader>, counts: {}, waiters: [], done: [] }),
  initial: 'idle',
  // The kernel has woken the tasks in `done`.
  on: { 'dax_srcu.woken': { actions: 'forget_done', meta: SYNC, description: 'the kernel woke the tasks whose synchronize_srcu returned' } },
  states: {
    idle: {
      on: {
        'dax_srcu.read_lock': { target: 'reading', actions: 'enter', meta: LOCK, description: 'the first reader enters' },
        // synchronize_srcu with no reader inside: the grace period starts and ends at once.
        'dax_srcu.synchronize': { actions: 'start_grace_period', meta: SYNC, description: 'synchronize_srcu with no reader: returns at once' },
      },
    },
    reading: {
      on: {
        'dax_srcu.read_lock': { actions: 'enter', meta: LOCK, description: 'another reader enters, or a reader nests' },
        'dax_srcu.read_unlock': [
          { guard: and(['holds_read_lock', 'last_reader']), target: 'idle', actions: 'leave', meta: UNLOCK, description: 'the last reader leaves' },
          { guard: 'holds_read_lock', actions: 'leave', meta: UNLOCK, description: 'a reader leaves a section' },
        ],
        'dax_srcu.synchronize': { target: 'synchronizing', actions: 'start_grace_period', meta: SYNC, description: 'synchronize_srcu waits for the readers inside' },
      },
    },
    synchronizing: {
      on: {
        'dax_srcu.read_lock': { actions: 'enter', meta: LOCK, description: 'a later reader enters: no waiter waits for it' },
        'dax_srcu.read_unlock': [
          {
            guard: and(['holds_read_lock', 'ends_every_wait', 'last_reader']),
            target: 'idle',
            actions: 'leave',
            meta: UNLOCK,
            description: 'the last reader leaves: every grace period ends',
          },
          {
            guard: and(['holds_read_lock', 'ends_every_wait', not('last_reader')]),
            target: 'reading',
            actions: 'leave',
            meta: UNLOCK,
            description: 'the last earlier reader leaves: every grace period ends, later readers stay',
          },
          { guard: 'holds_read_lock', actions: 'leave', meta: UNLOCK, description: 'a reader leaves; grace periods it held back may end' },
        ],
        'dax_srcu.synchronize': { actions: 'start_grace_period', meta: SYNC, description: 'another synchronize_srcu waits too' },
      },
    },
  },
});
