// Resolving an abstract command (test/arbitraries.ts) into one valid step of a generated log,
// against the model the steps so far have built: which task makes it (never a blocked one),
// which handles it names, and which failure site it may list. The process side is in
// test/steps_process.ts; the handle pools and choosing among candidates in test/handles.ts.
import type { Cmd, Op } from './arbitraries.ts';
import type { LogBuilder, StepObject } from './generate.ts';
import { aligned, choose, DAX, DEVS, devFree, free, G, hex, holdsReadLock, isState, K, kindAt, M, minorsFree, misuse, named, none, opt, PARENTS, pick, type Made, type Resolver } from './handles.ts';
import { PROCESS } from './steps_process.ts';
import type { DaxRegionRecord } from '../machines/dax_region.ts';
import type { FailSite } from '../machines/events.ts';
import { idaHas } from '../machines/ida.ts';
import type { Kernel } from '../machines/kernel.ts';

/** Physical starts: all 1 GiB aligned, so any align divides them. */
const STARTS = [0x100000000n, 0x140000000n, 0x200000000n];
/** Region shapes: size and align (undefined: the probe's default 2 MiB); the last is misaligned. */
const SHAPES: [bigint, bigint | undefined][] = [
  [4n * M, 2n * M], [4n * M, 4n * K], [8n * M, 2n * M], [2n * G, G], [4n * M, undefined], [16n * K, 4n * K], [8n * M, undefined], [3n * M, 2n * M],
];
const PFN_FLAGS = [undefined, undefined, 'PFN_DEV', 'PFN_MAP', ''];

/** A call with nothing to act on yet becomes the call that would give it something. */
const INSTEAD: Partial<Record<Op, Op>> = {
  'vma.access': 'file.mmap',
  'vma.fault': 'file.mmap',
  'vma.munmap': 'file.mmap',
  'file.mmap': 'file.open',
  'file.close': 'file.open',
  'file.open': 'dax_pmem.probe',
  'dev_dax.unregister': 'dax_pmem.probe',
  'dev_dax.create': 'dax_region.alloc',
  'driver.unbind': 'dax_pmem.probe',
  'dax.kill': 'dax.alloc',
  'dax.put': 'dax.alloc',
  'dax.alive': 'dax.alloc',
  'dax.get_private': 'dax.alloc',
};

/** Calls that may sleep in synchronize_srcu: made from a task outside any read section, mostly. */
const SLEEPS = new Set<Op>(['dax.kill', 'dev_dax.unregister', 'driver.unbind', 'dev_dax.create', 'dax_pmem.probe']);

export function stepFor(b: LogBuilder, cmd: Cmd): StepObject | undefined {
  let op: Op | undefined = cmd.op;
  let made: Made;
  while (op !== undefined && (made = RESOLVE[op](b.kernel, cmd, b)) === undefined) op = INSTEAD[op];
  if (op === undefined || made === undefined) return undefined;
  const task = taskFor(b, cmd, op);
  if (task === undefined) return undefined;
  const [event, sites] = made;
  if (cmd.fail > 0 && sites.length > 0) event['fail'] = [pick(sites, cmd.fail - 1)];
  return { task, event: { type: op, ...event } };
}

function taskFor(b: LogBuilder, cmd: Cmd, op: Op): string | undefined {
  const k = b.kernel;
  const blocked = new Set(k.blockedTasks().map((t) => t.task));
  const ready = b.tasks.filter((t) => !blocked.has(t));
  if (ready.length === 0) return undefined;
  const t = pick(ready, cmd.task);
  if (op === 'dax_srcu.read_unlock' && cmd.d % 16 !== 0) return ready.find((x) => holdsReadLock(k, x));
  // A kill inside the caller's own read section deadlocks for good; let that happen rarely.
  if (SLEEPS.has(op) && holdsReadLock(k, t) && cmd.d % 16 !== 0) return ready.find((x) => !holdsReadLock(k, x));
  return t;
}

/** The region a probe or dax_region.alloc sets up: the sites it is sure to reach. */
function regionSites(k: Kernel, parent: string, start: bigint, size: bigint, align: bigint): FailSite[] {
  const p = k.s.parents[parent];
  if (p !== undefined && p.drvdata !== null) return none;
  return aligned(start, align) && aligned(size, align) ? ['kzalloc', 'sysfs_create_groups', 'devm_add_action'] : none;
}

const RESOLVE: Record<Op, Resolver> = {
  'dax.alloc': (k, c) => {
    const hs = DAX.filter((h) => free(k, h));
    if (hs.length === 0) return undefined;
    const priv = c.b % 3 === 0 ? `priv${c.b % 4}` : undefined;
    return [{ dax: pick(hs, c.a), private: priv }, minorsFree(k) ? ['alloc_dax', 'ida', 'iget5_locked'] : ['alloc_dax', 'ida']];
  },
  'dax.kill': (k, c) => daxCall(k, c, true),
  'dax.put': (k, c) => daxCall(k, c, false),
  'dax.alive': (k, c) => daxCall(k, c, true),
  'dax.get_private': (k, c) => daxCall(k, c, true),
  'dax_srcu.read_lock': () => [{}, none],
  'dax_srcu.read_unlock': () => [{}, none],
  'rcu.grace_period': () => [{}, none],
  'dax_pmem.probe': (k, c, b) => {
    // Mostly a parent with no driver bound: a probe of a bound one fails and unbinds it.
    const unbound = PARENTS.filter((h) => (k.s.parents[h]?.drvdata ?? null) === null);
    const parents = misuse(c.a) ? PARENTS : unbound;
    const devs = DEVS.filter((h) => devFree(b, h));
    if (parents.length === 0 || devs.length === 0) return undefined;
    const parent = pick(parents, c.a);
    const [size, align] = pick(SHAPES, c.b);
    const start = pick(STARTS, c.c);
    const dataoff = pick([undefined, undefined, undefined, undefined, undefined, undefined, 2n * M, 4n * K], c.d);
    const e = { parent, id: pick([undefined, 0, 1, 2], c.a >> 2), start: hex(start), size: hex(size), align: opt(align), dataoff: opt(dataoff), dev: pick(devs, c.c >> 2) };
    if (k.s.parents[parent]?.lockOwner != null) return [e, none]; // it may sleep on device_lock first
    const off = dataoff ?? 0n;
    const sites = regionSites(k, parent, BigInt.asUintN(64, start + off), BigInt.asUintN(64, size - off), align ?? 2n * M);
    if (sites.length === 0) return [e, none];
    return [e, [...sites, 'ida', 'alloc_dax', ...(minorsFree(k) ? (['iget5_locked', 'cdev_device_add'] as const) : [])]];
  },
  'dax_region.alloc': (k, c) => {
    const parent = pick(PARENTS, c.a);
    const [size, align] = pick(SHAPES, c.b);
    const start = pick(STARTS, c.c);
    const al = align ?? 2n * M;
    const e = { parent, id: pick([0, 1, 2], c.a >> 2), start: hex(start), size: hex(size), align: hex(al), pfn_flags: pick(PFN_FLAGS, c.d) };
    return [e, regionSites(k, parent, start, size, al)];
  },
  'dax_region.put': (k, c, b) => {
    // Mostly the caller's own reference, once (a region from dax_region.alloc); the misuse
    // draw puts any region, beyond its references too.
    const hs = PARENTS.filter((h) => (misuse(c.b) ? kindAt(k, h) === 'dax_region' : b.owned.has(named(k, h)?.id ?? -1)));
    return hs.length === 0 ? undefined : [{ parent: pick(hs, c.a) }, none];
  },
  'dev_dax.create': (k, c, b) => {
    const parent = choose(k, PARENTS, 'dax_region', c.a, (o) => o.value !== 'freed' && k.s.parents[(o as DaxRegionRecord).context.parent]?.driver !== null);
    const devs = DEVS.filter((h) => devFree(b, h));
    if (parent === undefined || devs.length === 0) return undefined;
    const r = named(k, parent);
    const region = r?.kind === 'dax_region' ? r : undefined;
    const align = BigInt(region?.context.align ?? 0x200000);
    const base = region === undefined ? STARTS[0]! : BigInt(region.context.start);
    const one = (n: number) => ({ start: hex(base + pick([0n, align, 2n * align, 4n * K], n)), size: hex(pick([align, 2n * align, region === undefined ? align : BigInt(region.context.size)], n >> 2)) });
    const res = c.b % 4 === 3 ? [one(c.c), one(c.d)] : c.b % 8 === 6 ? [] : [one(c.c)];
    return [{ parent, res, dev: pick(devs, c.a >> 2) }, region === undefined ? none : createSites(k, region, res)];
  },
  'dev_dax.unregister': (k, c) => {
    // The misuse draw unregisters any dev_dax: a second time, after the unbind, or released.
    const dev = choose(k, DEVS, 'dev_dax', c.a, isState('registered'));
    return dev === undefined ? undefined : [{ dev }, none];
  },
  'driver.unbind': (k, c) => {
    const hs = PARENTS.filter((h) => k.s.parents[h] !== undefined);
    return hs.length === 0 ? undefined : [{ parent: pick(hs, c.a) }, none];
  },
  'sysfs.read': (k, c) => {
    const names = [...Object.keys(k.s.nodes), 'dax0.0', 'dax1.0'];
    const paths = [
      ...PARENTS.flatMap((p) => ['id', 'size', 'align', 'resource'].map((a) => `${p}/dax_region/${a}`)),
      ...names.flatMap((n) => [`${n}/size`, `/sys/class/dax/${n}/size`, `${n}/uevent`]),
    ];
    return [{ path: pick(paths, c.a) }, none];
  },
  ...PROCESS,
};

/**
 * super.c calls on a dax_device: any from dax.alloc; a dev_dax's own only when the call does
 * not put it, unless the misuse draw puts one (a device then used after its dax_device is freed).
 */
function daxCall(k: Kernel, c: Cmd, devOwned: boolean): Made {
  const pool = devOwned || misuse(c.a) ? [...DAX, ...DEVS.map((d) => `${d}/dax_dev`)] : DAX;
  const dax = choose(k, pool, 'dax_device', c.a, devOwned ? (o) => o.value !== 'freed' : isState('alive', 'killing', 'killed'));
  return dax === undefined ? undefined : [{ dax }, none];
}

/** devm_create_dev_dax's sites in path order, kept while the call is sure to get that far. */
function createSites(k: Kernel, region: DaxRegionRecord, res: { start: string; size: string }[]): FailSite[] {
  if (region.value === 'freed') return none;
  const align = BigInt(region.context.align);
  if (!res.every((r) => aligned(BigInt(r.start), align) && aligned(BigInt(r.size), align))) return ['kzalloc'];
  if (!minorsFree(k)) return ['kzalloc', 'ida', 'alloc_dax'];
  // Outside a probe the call crashes on parent->driver after alloc_dax (device_initialize).
  if (k.s.parents[region.context.parent]?.driver === null) return ['kzalloc', 'ida', 'alloc_dax', 'iget5_locked'];
  let id = 0;
  while (idaHas(region.ida, id)) id++;
  const clash = k.s.nodes[`dax${region.context.id}.${id}`] !== undefined; // device_add fails before devm_add_action
  return ['kzalloc', 'ida', 'alloc_dax', 'iget5_locked', 'cdev_device_add', ...(clash ? [] : (['devm_add_action'] as const))];
}
