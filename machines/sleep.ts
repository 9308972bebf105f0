// Kernel functions that can sleep, written as the pieces between their sleep points, so that a
// sleeping call is data: a stack of frames (which function, where it goes on, its variables)
// kept in the kernel's state until the step that wakes it (daxlog.md §5). A piece ends in one of
// three ways:
//   ret(v)             the function returns v to its caller's frame (which goes on at its pc)
//   call(pc, fn, l)    it calls the sleeping function fn with variables l, and goes on at pc
//   sleep(pc, wait)    the task sleeps on wait, and the function goes on at pc once woken
// A function's switch on f.pc reads top to bottom like the kernel function, with its sleep
// points between the cases. Functions that cannot sleep stay plain functions.
import type { EventOf, EventType } from './events.ts';
import type { Kernel } from './kernel.ts';
import type { Ret } from './outcome.ts';
import type { Frame, Json, Wait } from './state.ts';

export type Step = { ret: Ret } | { call: string; l: Frame['l'] } | { sleep: Wait };

/** A sleeping function: runs frame f from f.pc; `value` is what the last callee returned. */
export type Sleeper = (k: Kernel, f: Frame, value: Ret | undefined) => Step;
export type SleeperTable = Readonly<Record<string, Sleeper>>;

export const ret = (value: Ret): Step => ({ ret: value });

export function call(f: Frame, pc: number, fn: string, l: Record<string, Json> = {}): Step {
  f.pc = pc;
  return { call: fn, l };
}

export function sleep(f: Frame, pc: number, wait: Wait): Step {
  f.pc = pc;
  return { sleep: wait };
}

/**
 * What a log event does: a plain kernel call, or a sleeping function started with a frame of
 * the event's fields (looked up first, so a log error comes before anything runs).
 */
export type Call<T extends EventType = EventType> =
  | { run: (k: Kernel, e: EventOf<T>) => Ret }
  | { sleeps: string; frame: (k: Kernel, e: EventOf<T>) => Frame['l'] };
export type CallTable = { readonly [T in EventType]: Call<T> };

/**
 * Runs a stack of frames until the outermost function returns, or the task sleeps; the stack
 * is left as the continuation (the caller keeps it in the blocked task's record).
 */
export function run(k: Kernel, sleepers: SleeperTable, stack: Frame[]): { ret: Ret } | { sleep: Wait } {
  let value: Ret | undefined;
  for (;;) {
    const f = stack[stack.length - 1]!;
    const fn = sleepers[f.fn];
    if (fn === undefined) throw new Error(`bug: no sleeping function ${f.fn}`);
    const s = fn(k, f, value);
    value = undefined;
    if ('ret' in s) {
      stack.pop();
      if (stack.length === 0) return s;
      value = s.ret;
    } else if ('call' in s) stack.push({ fn: s.call, pc: 0, l: s.l });
    else return s;
  }
}
