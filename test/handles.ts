// What the resolvers of test/steps.ts and test/steps_process.ts share: the handle pools (one
// per kind, disjoint, since handles share one namespace), choosing among candidates, and the
// daxlog.md §2 rule for when a handle is free for a new object.
import type { Cmd } from './arbitraries.ts';
import type { Json, LogBuilder } from './generate.ts';
import type { FailSite } from '../machines/events.ts';
import type { Kernel } from '../machines/kernel.ts';
import { idaSize } from '../machines/ida.ts';
import type { AnyRecord } from '../machines/state.ts';

export const DAX = ['d0', 'd1', 'd2', 'd3'];
export const PARENTS = ['p0', 'p1', 'p2'];
export const DEVS = ['x0', 'x1', 'x2', 'x3'];
export const FDS = ['f0', 'f1', 'f2', 'f3'];
export const VMAS = ['v0', 'v1', 'v2', 'v3'];

export const K = 1n << 10n;
export const M = 1n << 20n;
export const G = 1n << 30n;

/** An event's fields and the failure sites the call is sure to reach; undefined: no valid form. */
export type Made = [Record<string, Json>, FailSite[]] | undefined;
export type Resolver = (k: Kernel, c: Cmd, b: LogBuilder) => Made;
export const none: FailSite[] = [];

/** The (n mod count)-th of xs: shrinking n towards 0 moves towards the first candidate. */
export const pick = <T>(xs: readonly T[], n: number): T => xs[n % xs.length]!;
export const hex = (n: bigint) => '0x' + BigInt.asUintN(64, n).toString(16);
export const opt = (n: bigint | undefined) => (n === undefined ? undefined : hex(n));

const FINAL = new Set(['freed', 'released', 'closed', 'unmapped']);

/** The object a handle names, if it names one (not a NULL binding). */
export function named(k: Kernel, h: string): AnyRecord | undefined {
  const b = k.s.handles[h];
  return typeof b === 'number' ? k.s.objects[b] : undefined;
}

/** The kind of what a handle names (an object or a NULL binding), if anything. */
export function kindAt(k: Kernel, h: string): string | undefined {
  const b = k.s.handles[h];
  return b === undefined ? undefined : typeof b === 'number' ? k.s.objects[b]?.kind : b.kind;
}

/** daxlog.md §2: a handle is free for a new object when unused, final, or a failed creation. */
export function free(k: Kernel, h: string): boolean {
  const o = named(k, h);
  return o === undefined || FINAL.has(o.value);
}

/**
 * A dev_dax handle may also be taken over from a device that was unregistered (still held),
 * unless a sleeping probe will take it when it wakes.
 */
export function devFree(b: LogBuilder, h: string): boolean {
  const o = named(b.kernel, h);
  return (free(b.kernel, h) || (o?.kind === 'dev_dax' && o.value === 'unregistered')) && !b.reserved(h);
}

/** The misuse draw: one time in eight a call may go to any object, not only a good one. */
export const misuse = (n: number) => n >> 5 === 7;

/**
 * A handle of `kind` from pool, or undefined: mostly one whose object is `good` (a call that
 * does something), one time in eight any (NULL handles, freed objects: misuse that the kernel
 * oopses or fails on).
 */
export function choose(k: Kernel, pool: string[], kind: string, n: number, good: (o: AnyRecord) => boolean = () => true): string | undefined {
  const all = pool.filter((h) => kindAt(k, h) === kind);
  const from = misuse(n) ? all : all.filter((h) => {
    const o = named(k, h);
    return o !== undefined && good(o);
  });
  return from.length === 0 ? undefined : pick(from, n);
}

export const isState = (...states: string[]) => (o: AnyRecord) => states.includes(o.value);
export const minorsFree = (k: Kernel) => idaSize(k.s.minors) < k.s.nrDax;
/** Does the task hold a dax_read_lock? */
export const holdsReadLock = (k: Kernel, task: string) => k.s.srcu.context.readers[task] !== undefined;
/** IS_ALIGNED for an unsigned int align, as device.c computes it. */
export const aligned = (x: bigint, align: bigint) => (x & BigInt.asUintN(64, BigInt.asUintN(32, align) - 1n)) === 0n;
