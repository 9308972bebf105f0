// dax_srcu, the one static SRCU domain of drivers/dax/super.c at 7b6be8444e0f, shared by every
// dax_device (kernel-semantics.md §4). dax_read_lock / dax_read_unlock enter and leave a
// read-side section (they nest, per task); synchronize_srcu waits for every reader that
// entered before it, of any device.
//
// The deterministic reading of §4: synchronize_srcu is an atomic step that records, as its
// threshold, the id the next reader would get; its grace period is over once no reader with a
// smaller id is left. Readers get ids in entry order, so the oldest reader decides every wait,
// and the waiters whose grace period ends at an unlock are always the first ones in call order.
// The machine ends them itself: the unlock that lets them go moves them from `waiters` to
// `done`, which the kernel reads to wake their tasks (and then empties with dax_srcu.woken). A
// task's nested locks are one reader with a depth: only its outermost section can hold a
// synchronize_srcu back.
//
// The SRCU index that dax_read_lock returns is srcu_idx & 1; the model flips srcu_idx at every
// synchronize_srcu call (daxlog ruling 7).
//
// States: idle (no reader), reading (readers, nobody waiting), synchronizing (a synchronize_srcu
// waits for readers that entered before it).
import { and, assign, not, setup } from 'xstate';

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
  /** Tasks inside a read-side section, in the order they entered it (so by id). */
  readers: SrcuReader[];
  /** Each reading task's reader id, to find it without a scan. */
  holders: Record<string, number>;
  /** synchronize_srcu calls still waiting, in call order (so by threshold). */
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

/** Where the task's reader entry is, or -1 when the task holds no dax_read_lock. */
export function readerOf(ctx: DaxSrcuContext, task: string): number {
  const id = ctx.holders[task];
  if (id === undefined) return -1;
  // Readers are in id order: a binary search.
  let lo = 0;
  let hi = ctx.readers.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ctx.readers[mid]!.id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The id of the oldest reader once `task` leaves its innermost section; Infinity when none is left. */
function oldestAfterUnlock(ctx: DaxSrcuContext, task: string): number {
  const first = ctx.readers[0];
  if (first === undefined) return Infinity;
  if (first.task !== task || first.depth > 1) return first.id;
  return ctx.readers[1]?.id ?? Infinity;
}

/** How many of the waiters (in call order) have no reader left that entered before them. */
function graceOver(oldest: number, waiters: SrcuWaiter[]): number {
  let n = 0;
  while (n < waiters.length && waiters[n]!.threshold <= oldest) n++;
  return n;
}

const LOCK = { kernel: 'dax_read_lock' };
const UNLOCK = { kernel: 'dax_read_unlock' };
const SYNC = { kernel: 'synchronize_srcu' };

// The actions change the context's lists in place and hand them back: dax_srcu can hold
// thousands of readers and waiters, and copying the lists at every lock, unlock and
// synchronize_srcu made waiting quadratic. The kernel owns the context it sends an event with
// (Kernel.srcuSend copies a shared one first), and an actor owns its own.
export const daxSrcuMachine = setup({
  types: { context: {} as DaxSrcuContext, events: {} as DaxSrcuEvent },
  guards: {
    holds_read_lock: ({ context, event }) => 'task' in event && context.holders[event.task] !== undefined,
    // Guards see the context before the transition's actions run.
    last_reader: ({ context }) => context.readers.length === 1 && context.readers[0]!.depth === 1,
    /** The unlock ends the grace period of every waiter (waiters are in threshold order). */
    ends_every_wait: ({ context, event }) =>
      event.type === 'dax_srcu.read_unlock' && context.waiters.at(-1)!.threshold <= oldestAfterUnlock(context, event.task),
  },
  actions: {
    enter: assign(({ context, event }) => {
      const task = (event as { task: string }).task;
      const i = readerOf(context, task);
      if (i >= 0) {
        context.readers[i]!.depth++;
        return { readers: context.readers };
      }
      context.readers.push({ id: context.nextReader, task, depth: 1 });
      context.holders[task] = context.nextReader;
      return { nextReader: context.nextReader + 1, readers: context.readers, holders: context.holders };
    }),
    // The unlock leaves the task's section; waiters with no earlier reader left are done.
    leave: assign(({ context, event }) => {
      const task = (event as { task: string }).task;
      const i = readerOf(context, task);
      const r = context.readers[i]!;
      if (r.depth > 1) r.depth--;
      else {
        if (i === 0) context.readers.shift();
        else context.readers.splice(i, 1);
        delete context.holders[task];
      }
      const n = graceOver(context.readers[0]?.id ?? Infinity, context.waiters);
      for (const w of context.waiters.splice(0, n)) context.done.push(w.task);
      return { readers: context.readers, holders: context.holders, waiters: context.waiters, done: context.done };
    }),
    // srcu_idx flips; with readers inside, the caller waits for those that entered before it.
    start_grace_period: assign(({ context, event }) => {
      const task = (event as { task: string }).task;
      if (context.readers.length > 0) context.waiters.push({ task, threshold: context.nextReader });
      return { idx: context.idx + 1, waiters: context.waiters };
    }),
    forget_done: assign({ done: () => [] }),
  },
}).createMachine({
  id: 'dax_srcu',
  description: 'dax_srcu (drivers/dax/super.c): the one SRCU domain every dax_device shares',
  context: () => ({ idx: 0, nextReader: 0, readers: [], holders: Object.create(null) as Record<string, number>, waiters: [], done: [] }),
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
          { guard: 'holds_read_lock', actions: 'leave', meta: UNLOCK, description: "a reader leaves; grace periods it held back may end" },
        ],
        'dax_srcu.synchronize': { actions: 'start_grace_period', meta: SYNC, description: 'another synchronize_srcu waits too' },
      },
    },
  },
});
