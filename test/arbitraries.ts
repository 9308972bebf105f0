// fast-check arbitraries for generated daxlogs. A generated log is a header config and a list
// of abstract commands: an operation, a task number and a few small numbers. The numbers mean
// nothing by themselves; test/generate.ts resolves each command against the replayed model
// (which handles exist, which tasks are blocked) into one valid step, so every list of
// commands is a valid log, and shrinking a list (dropping commands, numbers towards 0) keeps it
// valid. A number picks the (n mod count)-th candidate, so 0 is always the simplest choice.
import fc from 'fast-check';

import { EVENT_TYPES, type EventType } from '../machines/events.ts';

/** Every event type of machines/events.ts: the weights below and test/steps.ts's resolvers must cover each. */
export const OPS = EVENT_TYPES;
export type Op = EventType;

/** How often each operation is drawn: races need locks, kills and faults more than the rest. */
const WEIGHT: Record<Op, number> = {
  'dax.alloc': 4, 'dax.kill': 4, 'dax.put': 3, 'dax.alive': 2, 'dax.get_private': 1,
  'dax_srcu.read_lock': 8, 'dax_srcu.read_unlock': 8, 'rcu.grace_period': 5,
  'dax_pmem.probe': 6, 'dax_region.alloc': 2, 'dax_region.put': 2, 'dev_dax.create': 3, 'dev_dax.unregister': 3, 'driver.unbind': 2,
  'sysfs.read': 2, 'file.open': 8, 'file.close': 3, 'file.mmap': 10, 'vma.munmap': 3, 'vma.fault': 8, 'vma.access': 12,
};

export interface Cmd {
  op: Op;
  /** Which of the tasks that are not blocked makes the call. */
  task: number;
  a: number;
  b: number;
  c: number;
  d: number;
  /** 0: no failure injection; n: the n-th site (mod count) the call is sure to reach. */
  fail: number;
}

export interface GenConfig {
  /** How many tasks take part: main, A, B, C. */
  tasks: number;
  nr_dax: number | undefined;
  thp: 'always' | 'madvise' | 'never' | undefined;
  pud: boolean | undefined;
  fs_dax: boolean | undefined;
  /** Start with all but two minors taken (nr_dax at most 256), to reach the exhaustion paths. */
  prefill: boolean;
}

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);
/** One time in `n` a value of arb, else `usual`; shrinks towards `usual` (fc.oneof would not). */
const rarely = <T>(arb: fc.Arbitrary<T>, usual: T, n: number) =>
  fc.tuple(fc.nat({ max: n - 1 }), arb).map(([i, v]) => (i === n - 1 ? v : usual));
const sometimes = <T>(arb: fc.Arbitrary<T>, freq = 2) => fc.option(arb, { nil: undefined, freq });

export const configArb: fc.Arbitrary<GenConfig> = fc.record({
  tasks: fc.integer({ min: 2, max: 4 }),
  nr_dax: sometimes(pick([1, 100, 256, 300])),
  thp: sometimes(pick(['always', 'madvise', 'never'] as const)),
  pud: sometimes(fc.boolean()),
  fs_dax: rarely(fc.constant(false), undefined, 12),
  prefill: rarely(fc.constant(true), false, 20),
});

const small = fc.nat({ max: 255 });

export const cmdArb: fc.Arbitrary<Cmd> = fc.record({
  op: fc.oneof(...OPS.map((op) => ({ arbitrary: fc.constant(op), weight: WEIGHT[op] }))),
  task: fc.nat({ max: 3 }),
  a: small,
  b: small,
  c: small,
  d: small,
  fail: rarely(fc.integer({ min: 1, max: 8 }), 0, 25),
});

export const cmdsArb = (maxLength: number): fc.Arbitrary<Cmd[]> => fc.array(cmdArb, { minLength: 1, maxLength, size: 'max' });
