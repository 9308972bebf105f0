// What a step of a scenario reads and writes, for the explorer's sleep sets: two moves of
// different tasks whose footprints do not conflict commute, so an order of them needs to be
// explored once. The footprints are coarse where that is safe (a step that may sleep, wake a
// task, free an object or unmap is `global`: it conflicts with everything), and fine where the
// races of interest live: dax_srcu readers and the grace periods they hold back, the alive flag
// the fault path reads, the page-table slots a fault fills, and the opens, mmaps and closes
// around them (the handles they bind, the next object id, the vma list, the counts they take).
// A footprint is taken in the state the move starts from, so it may depend on it: an unlock is
// global only when it ends a grace period.
//
// Two moves are independent in a state when both orders reach the same state and give each
// move the same outcome as far as a verdict can see it: all of it for a step with an expect,
// its oops, WARNs and the invariants across it otherwise.
//
// Access modes: R reads, W writes, C updates in a way that commutes with other C updates of the
// same cell (a reader joining or leaving the count of its generation; a page table created if
// missing), `=v` writes the value v whatever the cell held, without reading it (so two equal
// writes commute). R-R, C-C and =v-=v do not conflict; every other pair on one cell does.
// test/footprint.test.ts checks the relation itself: in every state of the small shipped
// scenarios and of generated ones, every pair of moves judged independent commutes.
// test/explore.test.ts holds the reduction sound as a whole: on every shipped scenario small
// enough, the verdict and the set of distinct final states equal those of the plain search.
import { oldestAfterUnlock, type DaxSrcuContext } from '../machines/dax_srcu.ts';
import type { Kernel } from '../machines/kernel.ts';
import { vmaBounds } from '../machines/device_fault.ts';
import { slotEmpty } from '../machines/mm_pgtable.ts';
import type { KernelState } from '../machines/state.ts';
import type { VmAreaContext } from '../machines/vm_area.ts';
import type { Step } from './log.ts';

export type Mode = 'R' | 'W' | 'C' | `=${string}`;
export type Footprint = Map<string, Mode> | 'global';

const PMD = 1n << 21n;
const PUD = 1n << 30n;

/**
 * The footprints of one step that depend on little of the state, made once: a search asks for
 * the footprint of each task's next step in every state it reaches, and most are the same few
 * Maps (conflict() only reads them).
 */
interface Known {
  lock?: Footprint;
  /** A read_unlock: of a nested section, of a reader nobody waits for, of one a waiter waits for. */
  nested?: Footprint;
  free?: Footprint;
  grace?: Footprint;
  /** A fault or access, by the vma's record: with its PUD slot empty, and with it present. */
  byVma?: WeakMap<object, [Footprint, Footprint]>;
}
const known = new WeakMap<Step, Known>();

/** The footprint of `step` run by its task in kernel state k. */
export function footprint(k: Kernel, step: Step): Footprint {
  const e = step.event;
  const task = step.task;
  const s = k.s;
  const srcu = s.srcu.context;
  // Objects that left their handle and became final leave the registry at the next step,
  // whichever task takes it.
  if (s.retiring.length > 0) return 'global';
  let kn = known.get(step);
  if (kn === undefined) known.set(step, (kn = {}));
  switch (e.type) {
    case 'dax_srcu.read_lock':
      // Its return value is srcu_idx & 1: it reads the index (which only a synchronize writes).
      return (kn.lock ??= new Map<string, Mode>([[`srcu.reader:${task}`, 'W'], ['srcu.count', 'C'], ['srcu.idx', 'R']]));
    case 'dax_srcu.read_unlock': {
      const r = srcu.readers[task];
      // Leaving a nested section only lowers the task's own depth.
      if (r !== undefined && r.depth > 1) return (kn.nested ??= new Map<string, Mode>([[`srcu.reader:${task}`, 'W']]));
      // A reader that entered after every waiting synchronize_srcu holds none of them back.
      const last = srcu.waiters.at(-1);
      if (r === undefined || last === undefined || r.gen > last.gen) return (kn.free ??= new Map<string, Mode>([[`srcu.reader:${task}`, 'W'], ['srcu.count', 'C']]));
      // One a waiter waits for: the unlock that ends a grace period wakes a task (global);
      // the others bring that end nearer, so which of two such unlocks ends it depends on
      // their order (srcu.grace, written by each).
      if (endsWait(srcu, task)) return 'global';
      return (kn.grace ??= new Map<string, Mode>([[`srcu.reader:${task}`, 'W'], ['srcu.count', 'C'], ['srcu.grace', 'W']]));
    }
    case 'vma.fault':
    case 'vma.access': {
      const b = s.handles[e.vma];
      if (typeof b !== 'number') return new Map([[`handle:${e.vma}`, 'R']]);
      const vma = s.objects[b];
      if (vma?.kind !== 'mapping' || vma.value !== 'mapped') return new Map([[`vma:${b}`, 'R']]);
      // What the footprint reads besides the PUD slot is fixed for the vma's record: the file,
      // the device and the region a mapping names never change.
      const byVma = (kn.byVma ??= new WeakMap());
      let pair = byVma.get(vma);
      if (pair === undefined) {
        const made = faultFootprints(s, step, e, b, vma.context);
        if (made === 'global') return made;
        byVma.set(vma, (pair = made));
      }
      const addr = vmaBounds(vma.context).startN + Number(e.off);
      return slotEmpty(k, 'PUD', Math.floor(addr / 4096)) ? pair[0] : pair[1];
    }
    case 'dax.alive':
    case 'dax.get_private': {
      const b = s.handles[e.dax];
      return new Map<string, Mode>([[`alive:${typeof b === 'number' ? b : e.dax}`, 'R'], [`srcu.reader:${task}`, 'R']]);
    }
    case 'file.open':
      return openFootprint(k, e.fd, e.dev);
    case 'file.mmap':
      return mmapFootprint(k, e);
    case 'file.close': {
      // A close that leaves a mapping holding the file only drops the fd's count.
      const b = s.handles[e.fd];
      // An fd bound to an error: -EBADF, nothing changes.
      if (b !== undefined && typeof b !== 'number') return new Map<string, Mode>([[`handle:${e.fd}`, 'R']]);
      const file = typeof b === 'number' ? s.objects[b] : undefined;
      if (file?.kind !== 'file' || file.value === 'closed') return 'global';
      if (file.context.fcount > 1) return new Map<string, Mode>([[`handle:${e.fd}`, 'R'], [`file:${b}`, 'W']]);
      // The file's release drops a cdev reference; the last one releases the device (global).
      const dev = s.objects[file.context.devdax];
      if (dev?.kind !== 'dev_dax' || dev.context.cdev <= 1) return 'global';
      return new Map<string, Mode>([[`handle:${e.fd}`, 'R'], [`file:${b}`, 'W'], [`cdev:${file.context.devdax}`, 'W']]);
    }
    default:
      return 'global';
  }
}

/** A fault's or access's footprints on a vma: with the PUD slot empty, and with it present. */
function faultFootprints(
  s: KernelState,
  step: Step,
  e: Extract<Step['event'], { type: 'vma.fault' | 'vma.access' }>,
  b: number,
  vma: VmAreaContext,
): [Footprint, Footprint] | 'global' {
  const file = s.objects[vma.file];
  if (file?.kind !== 'file') return 'global';
  const dev = s.objects[file.context.devdax];
  const region = dev?.kind === 'dev_dax' ? s.objects[dev.context.region] : undefined;
  const addr = vmaBounds(vma).start + e.off;
  // Only a device aligned to 1 GiB installs PUD entries. Others make a PMD table in the PUD
  // slot when it is missing, after a PUD attempt that a fault finding the table does not make
  // (its outcome lists its attempts): a write while the slot is empty, a read after. A direct
  // fault makes no PUD attempt: it only makes a missing table, which commutes. An access
  // finding the slot empty makes the attempt, which changes nothing but its outcome's attempts:
  // that order matters only to an expect on the step.
  const hugePud = region?.kind === 'dax_region' && region.context.align >= 1 << 30;
  const make = (pudMode: Mode) =>
    new Map<string, Mode>([
      [`vma:${b}`, 'R'],
      [`file:${vma.file}`, 'R'],
      [`alive:${file.context.dax}`, 'R'],
      [`pud:${addr / PUD}`, pudMode],
      [`pmd:${addr / PMD}`, e.type === 'vma.fault' ? faultMode(b, e) : 'W'],
    ]);
  const emptyMode: Mode = hugePud ? 'W' : e.type === 'vma.fault' || step.expect === undefined ? 'C' : 'W';
  return [make(emptyMode), make(hugePud ? 'W' : 'R')];
}

/**
 * chrdev_open of an existing node: it reads the node, the device's alive flag and private data,
 * takes a cdev reference (commutes with other takes), makes the file (the next object id) and
 * binds the fd. A missing node, or a handle in use, is left global.
 */
function openFootprint(k: Kernel, fd: string, devName: string): Footprint {
  const s = k.s;
  if (s.handles[fd] !== undefined) return 'global';
  const name = devName.startsWith('/dev/') ? devName.slice(5) : devName;
  const dev = s.nodes[name];
  // No node: the fd is bound to -ENOENT.
  if (dev === undefined) return new Map<string, Mode>([[`node:${name}`, 'R'], [`handle:${fd}`, 'W']]);
  const d = s.objects[dev];
  if (d?.kind !== 'dev_dax') return 'global';
  return new Map<string, Mode>([
    [`node:${name}`, 'R'],
    [`alive:${d.context.dax}`, 'R'],
    [`cdev:${dev}`, 'C'],
    ['nextId', 'W'],
    [`handle:${fd}`, 'W'],
  ]);
}

/**
 * do_mmap of an open file with private data, at an address of the kernel's choosing: it reads
 * the vmas to find room and adds its own, reads the alive flag under its own read section
 * (check_vma), takes a file reference (commutes with other takes), makes the mapping and binds
 * its handle. MAP_FIXED (which unmaps what it overlaps), a hint, and the error paths are global.
 */
function mmapFootprint(k: Kernel, e: Extract<Step['event'], { type: 'file.mmap' }>): Footprint {
  const s = k.s;
  if (s.handles[e.vma] !== undefined || e.flags.endsWith('MAP_FIXED') || e.addr !== undefined) return 'global';
  const b = s.handles[e.fd];
  // An fd bound to an error: the mapping is bound to -EBADF.
  if (b !== undefined && typeof b !== 'number') return new Map<string, Mode>([[`handle:${e.fd}`, 'R'], [`handle:${e.vma}`, 'W']]);
  const file = typeof b === 'number' ? s.objects[b] : undefined;
  if (file?.kind !== 'file' || file.value === 'closed' || file.context.private === null) return 'global';
  return new Map<string, Mode>([
    [`handle:${e.fd}`, 'R'],
    [`file:${b}`, 'C'],
    [`alive:${file.context.dax}`, 'R'],
    ['mm.vmas', 'W'],
    ['nextId', 'W'],
    [`handle:${e.vma}`, 'W'],
  ]);
}

/**
 * A direct PMD or PTE fault installs one entry whatever the slot held, and its outcome does not
 * depend on it: two such faults of one vma at one entry, both loads or both stores, write the
 * same value and commute. Any other pair on the slot conflicts.
 */
function faultMode(vma: number, e: Extract<Step['event'], { type: 'vma.fault' }>): Mode {
  if (e.size !== 'PMD' && e.size !== 'PTE') return 'W';
  const at = e.size === 'PMD' ? e.off / PMD : e.off / 4096n;
  return `=${vma}:${e.size}:${at}:${e.write === true}`;
}

/** Whether the unlock of `task`, the last level of its section, ends the first waiter's grace period. */
function endsWait(srcu: DaxSrcuContext, task: string): boolean {
  return srcu.waiters[0]!.gen < oldestAfterUnlock(srcu, task);
}

/** Whether two footprints conflict (so their moves may not commute). */
export function conflict(a: Footprint, b: Footprint): boolean {
  if (a === 'global' || b === 'global') return true;
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  for (const [cell, m] of small) {
    const n = big.get(cell);
    if (n === undefined) continue;
    if (m === 'R' && n === 'R') continue;
    if (m === 'C' && n === 'C') continue;
    if (m === n && m.startsWith('=')) continue;
    return true;
  }
  return false;
}
