// Invariants of the DAX core, as functions of the kernel's state: what must hold after every
// step whatever the log did, each written from kernel-semantics.md, not from the engine's own
// bookkeeping. `replay --check` runs them after every step, `daxsim explore` in every state it
// reaches, and the generated-log properties after every generated step. A log that misuses the
// kernel (a put beyond its references, a call on freed memory) can break them: that is the
// kernel misbehaving, and what they are for.
//
//   refcount  kref, device refs, cdev count and f_count never go below zero
//   minors    no two dax_devices that are not freed share a minor, and each holds its minor in
//             the IDA (§1 "Minor IDA", §3 "Minor reuse")
//   region    a region is freed only once its devm action and sysfs group are gone and no
//             dev_dax holds it (§1, §6)
//   srcu      readers counted by generation; waiters in call order; every task waiting in
//             synchronize_srcu is a waiter and every waiter's task waits (§4)
//   tasks     no blocked task is left that could run: after a step, every wait is still on
//   handles   every handle names an object that exists, displaced objects are live
//   pgtable   every page-table entry maps memory of a mapped vma, inside its bounds
// and across a step (prev → next):
//   final     an object in a final state never changes again (daxlog.md §2)
//   free      a dax_device is freed only from destroyed, and only by an RCU grace period (§3)
//   kill      a kill completes only once no reader that entered before it is inside (§4): a
//             dax_device goes from alive to killed within a step only when every reader the
//             step began with has left, and from killing to killed only with the grace period of
//             a waiter that ended with no earlier reader inside
//   fault     no fault installs an entry for a device that was not alive when it began (§4)
import type { EventType } from './events.ts';
import { idaHas } from './ida.ts';
import { FINAL, OBJECT_MACHINES } from './registry.ts';
import { leavesOf, type AnyRecord, type KernelState } from './state.ts';
import { big } from './u64.ts';

export type InvariantName = 'refcount' | 'minors' | 'region' | 'srcu' | 'tasks' | 'handles' | 'pgtable' | 'final' | 'free' | 'kill' | 'fault';

export interface Violation {
  invariant: InvariantName;
  message: string;
}

const COUNTS: Partial<Record<AnyRecord['kind'], string[]>> = { dax_region: ['kref'], dev_dax: ['refs', 'cdev'], file: ['fcount'] };

/**
 * Each invariant of one state, with the parts of the state it reads. Those given `fresh` (the
 * records that differ from a state known to break none, when only the table of objects among
 * their parts changed) look at what those records can break and no further.
 */
const STATE_CHECKS: [(s: KernelState, fresh?: AnyRecord[]) => Violation | undefined, (keyof KernelState)[]][] = [
  [refcounts, ['objects']],
  [minors, ['objects', 'minors']],
  [regions, ['objects', 'parents']],
  [srcu, ['srcu', 'blocked']],
  [tasks, ['srcu', 'blocked', 'parents']],
  [handles, ['handles', 'displaced', 'objects']],
  [pgtable, ['mm', 'objects']],
];

/**
 * The first invariant the state breaks, if any. `since`, when given, is a state that breaks none
 * and that s was stepped from, both shared (never written again, as an explorer keeps them): an
 * invariant whose parts of the state are the same objects in both holds still, and is skipped.
 */
export function checkState(s: KernelState, since?: KernelState): Violation | undefined {
  // The parts that differ from `since`, as a bitmask over PARTS (all of them without since).
  let changed = -1;
  if (since !== undefined) {
    changed = 0;
    for (let i = 0; i < PARTS.length; i++) if (s[PARTS[i]!] !== since[PARTS[i]!]) changed |= 1 << i;
  }
  const fresh = since !== undefined && (changed & OBJECTS) !== 0 ? changedRecords(since, s) : undefined;
  for (let i = 0; i < STATE_CHECKS.length; i++) {
    const reads = READS[i]!;
    if ((changed & reads) === 0) continue;
    // Only the objects changed among what this invariant reads: the fresh records will do.
    const v = STATE_CHECKS[i]![0](s, (changed & reads) === OBJECTS ? fresh : undefined);
    if (v !== undefined) return v;
  }
  return undefined;
}

/**
 * The records of next that are not those of prev (new ones included), in id order. By index
 * while ids are few (an explorer's states), else through the keys.
 */
function changedRecords(prev: KernelState, next: KernelState): AnyRecord[] {
  const out: AnyRecord[] = [];
  if (next.nextId <= 256) {
    for (let id = 0; id < next.nextId; id++) {
      const o = next.objects[id];
      if (o !== undefined && prev.objects[id] !== o) out.push(o);
    }
    return out;
  }
  for (const id in next.objects) {
    const o = next.objects[id as unknown as number]!;
    if (prev.objects[id as unknown as number] !== o) out.push(o);
  }
  return out;
}

/** The parts of the state some invariant reads, and what each invariant reads as a bitmask of them. */
const PARTS = [...new Set(STATE_CHECKS.flatMap(([, reads]) => reads))];
const READS = STATE_CHECKS.map(([, reads]) => reads.reduce((m, part) => m | (1 << PARTS.indexOf(part)), 0));
const OBJECTS = 1 << PARTS.indexOf('objects');

/** The first invariant a step from prev to next breaks (the state's own included), if any. */
export function checkStep(prev: KernelState, next: KernelState, type: EventType): Violation | undefined {
  return checkState(next) ?? transitions(prev, next, type);
}

/** The first invariant of a step across it (prev → next) that the step breaks, if any. */
export function checkTransition(prev: KernelState, next: KernelState, type: EventType): Violation | undefined {
  return transitions(prev, next, type);
}

const fail = (invariant: InvariantName, message: string): Violation => ({ invariant, message });

function refcounts(s: KernelState, fresh?: AnyRecord[]): Violation | undefined {
  for (const o of fresh ?? Object.values(s.objects)) {
    for (const key of COUNTS[o.kind] ?? []) {
      const n = (o.context as unknown as Record<string, number>)[key]!;
      if (n < 0) return fail('refcount', `${o.kind} ${o.label}: ${key} is ${n}`);
    }
  }
  return undefined;
}

function minors(s: KernelState, fresh?: AnyRecord[]): Violation | undefined {
  // Minors go wrong only through a dax_device (or the IDA, which makes fresh undefined).
  if (fresh !== undefined && !fresh.some((o) => o.kind === 'dax_device')) return undefined;
  let held: Map<number, AnyRecord> | undefined;
  for (const id in s.objects) {
    const o = s.objects[id as unknown as number]!;
    if (o.kind !== 'dax_device' || o.value === 'freed') continue;
    const m = o.context.minor;
    const other = held?.get(m);
    if (other !== undefined) return fail('minors', `minor ${m} is held by both ${other.label} (${other.value}) and ${o.label} (${o.value})`);
    if (!idaHas(s.minors, m)) return fail('minors', `${o.label} (${o.value}) holds minor ${m}, which the IDA has free`);
    (held ??= new Map()).set(m, o);
  }
  return undefined;
}

function regions(s: KernelState, fresh?: AnyRecord[]): Violation | undefined {
  // A region goes wrong only through itself or a dev_dax holding it (or its parent).
  if (fresh !== undefined && !fresh.some((o) => o.kind === 'dax_region' || o.kind === 'dev_dax')) return undefined;
  for (const id in s.objects) {
    const o = s.objects[id as unknown as number]!;
    if (o.kind !== 'dax_region' || o.value !== 'freed') continue;
    const p = s.parents[o.context.parent];
    if (p?.devres.some((a) => a.target === o.id)) return fail('region', `region ${o.label} was freed while its devm action dax_region_unregister is still registered on ${p.name} (no unbind yet)`);
    if (p?.group === o.id) return fail('region', `region ${o.label} was freed while its dax_region/ sysfs group is still on ${p.name}`);
    const child = Object.values(s.objects).find((d) => d.kind === 'dev_dax' && d.context.region === o.id && d.value !== 'released');
    if (child !== undefined) return fail('region', `region ${o.label} was freed while ${child.label} (${child.value}) still holds a reference`);
  }
  return undefined;
}

// srcu, tasks and handles run in most states an explorer reaches: they walk the state with
// for-in and make no arrays or sets.
function srcu(s: KernelState): Violation | undefined {
  const c = s.srcu.context;
  const counted: Record<string, number> = {};
  for (const task in c.readers) {
    const r = c.readers[task]!;
    if (r.depth < 1 || r.gen > c.idx) return fail('srcu', `task ${task} reads dax_srcu with depth ${r.depth} from generation ${r.gen} (srcu_idx ${c.idx})`);
    counted[r.gen] = (counted[r.gen] ?? 0) + 1;
  }
  for (const counts of [counted, c.counts]) {
    for (const g in counts) {
      if (counted[g] !== c.counts[g]) return fail('srcu', `dax_srcu counts ${c.counts[g] ?? 0} readers of generation ${g}, but ${counted[g] ?? 0} read`);
    }
  }
  for (let i = 1; i < c.waiters.length; i++) {
    if (c.waiters[i - 1]!.gen > c.waiters[i]!.gen) return fail('srcu', `dax_srcu's waiters are out of call order at ${c.waiters[i]!.task}`);
  }
  for (const task in s.blocked) {
    if (s.blocked[task]!.wait.on === 'synchronize_srcu' && !c.waiters.some((w) => w.task === task) && !c.done.includes(task)) {
      return fail('srcu', `task ${task} sleeps in synchronize_srcu but waits for no grace period`);
    }
  }
  for (const w of c.waiters) if (s.blocked[w.task]?.wait.on !== 'synchronize_srcu') return notAsleep(w.task);
  for (const task of c.done) if (s.blocked[task]?.wait.on !== 'synchronize_srcu') return notAsleep(task);
  return undefined;
}

const notAsleep = (task: string) => fail('srcu', `dax_srcu has a waiter for task ${task}, which is not asleep in synchronize_srcu`);

/** The oldest generation a reader of dax_srcu is from (Infinity: no reader). */
function oldest(s: KernelState): number {
  let g = Infinity;
  for (const t in s.srcu.context.readers) g = Math.min(g, s.srcu.context.readers[t]!.gen);
  return g;
}

function tasks(s: KernelState): Violation | undefined {
  if (s.srcu.context.done.length > 0) return fail('tasks', `tasks ${s.srcu.context.done.join(', ')} were left asleep after their grace period ended`);
  for (const task in s.blocked) {
    const b = s.blocked[task]!;
    if (b.wait.on === 'synchronize_srcu') {
      const w = s.srcu.context.waiters.find((x) => x.task === task)!;
      if (oldest(s) > w.gen) return fail('tasks', `task ${task} was left asleep in synchronize_srcu with no earlier reader inside`);
      continue;
    }
    const p = s.parents[b.wait.parent];
    if (p === undefined) return fail('tasks', `task ${task} waits on a parent ${b.wait.parent} that does not exist`);
    if (b.wait.on === 'device_lock' && p.lockOwner === null) return fail('tasks', `task ${task} was left asleep on device_lock(${p.name}), which is free`);
    if (b.wait.on === 'kernfs_drain' && p.groupReaders.length === 0) return fail('tasks', `task ${task} was left asleep in a kernfs drain of ${p.name} with no reader inside`);
  }
  return undefined;
}

function handles(s: KernelState): Violation | undefined {
  // for-in, not Object.entries: an explorer runs this in most new states.
  for (const h in s.handles) {
    const b = s.handles[h];
    if (typeof b === 'number' && s.objects[b] === undefined) return fail('handles', `handle ${h} names object ${b}, which is gone`);
  }
  for (const h in s.displaced) {
    const older = s.displaced[h]!;
    for (const n in older) {
      const id = older[n as unknown as number]!;
      const o = s.objects[id];
      if (o === undefined || o.label !== `${h}~${n}`) return fail('handles', `${h}~${n} names ${o === undefined ? 'nothing' : o.label}`);
    }
  }
  return undefined;
}

const leaves = leavesOf;

const BYTES = { PTE: 1n << 12n, PMD: 1n << 21n, PUD: 1n << 30n };

function pgtable(s: KernelState): Violation | undefined {
  for (const l of leaves(s)) {
    const v = s.objects[l.vma];
    if (v === undefined || v.kind !== 'mapping' || v.value !== 'mapped') return fail('pgtable', `a ${l.size} entry at ${l.base} maps memory of a vma that is not mapped`);
    const base = big(l.base);
    if (base < big(v.context.start) || base + BYTES[l.size] > big(v.context.end)) {
      return fail('pgtable', `a ${l.size} entry at ${l.base} lies outside ${v.label} [${v.context.start}, ${v.context.end})`);
    }
  }
  return undefined;
}

function transitions(prev: KernelState, next: KernelState, type: EventType): Violation | undefined {
  if (prev.objects === next.objects) return faults(prev, next);
  for (const o of changedRecords(prev, next)) {
    const was = prev.objects[o.id];
    if (was === undefined) continue;
    const final = OBJECT_MACHINES[o.kind].compiled.finals;
    if (final.has(was.value as never) && was.value !== o.value) return fail('final', `${o.kind} ${o.label} left its final state ${was.value} for ${o.value}`);
    if (o.kind !== 'dax_device' || was.kind !== 'dax_device') continue;
    if (o.value === 'freed' && was.value !== 'freed') {
      if (was.value !== 'destroyed') return fail('free', `dax_device ${o.label} was freed from ${was.value}, without being destroyed first`);
      if (type !== 'rcu.grace_period') return fail('free', `dax_device ${o.label} was freed by ${type}, not by an RCU grace period after its destroy`);
    }
    if (was.value === 'alive' && o.value === 'killed') {
      // The kill began within the step, after every reader the step started with had entered.
      const before = prev.srcu.context.readers;
      const inside = Object.keys(before).find((t) => next.srcu.context.readers[t]?.gen === before[t]!.gen);
      if (inside !== undefined) return fail('kill', `kill_dax of ${o.label} completed within one step while task ${inside} was still inside a dax_srcu read section it entered before`);
    }
    if (was.value === 'killing' && o.value === 'killed') {
      // A waiter is one synchronize_srcu call: its task and its generation. A task woken in this
      // step may be waiting again by its end, in a later call (an unbind's next kill).
      const ended = prev.srcu.context.waiters.filter((w) => !next.srcu.context.waiters.some((x) => x.task === w.task && x.gen === w.gen));
      if (ended.length === 0) return fail('kill', `kill_dax of ${o.label} completed with no grace period ending`);
      for (const w of ended) {
        const r = Object.entries(next.srcu.context.readers).find(([, x]) => x.gen <= w.gen);
        if (r !== undefined) return fail('kill', `the grace period of task ${w.task} ended while task ${r[0]}, which entered before it, is inside`);
      }
    }
  }
  return faults(prev, next);
}

function faults(prev: KernelState, next: KernelState): Violation | undefined {
  if (prev.mm.pud === next.mm.pud) return undefined;
  const before = new Set(leaves(prev));
  for (const l of leaves(next)) {
    if (before.has(l)) continue;
    const v = prev.objects[l.vma] ?? next.objects[l.vma];
    if (v?.kind !== 'mapping') continue;
    const file = next.objects[v.context.file];
    if (file?.kind !== 'file') continue;
    const dax = prev.objects[file.context.dax];
    if (dax?.kind === 'dax_device' && !dax.context.alive) return fail('fault', `a ${l.size} entry for ${v.label} was installed while its dax_device ${dax.label} was not alive (${dax.value})`);
  }
  return undefined;
}

export { FINAL };
