// What a step of a scenario reads and writes, for the explorer's sleep sets: two moves of
// different tasks whose footprints do not conflict commute, so an order of them needs to be
// explored once. The footprints are coarse where that is safe (a step that may sleep, wake a
// task, create or free an object is `global`: it conflicts with everything), and fine where the
// races of interest live: dax_srcu readers, the alive flag the fault path reads, and the page
// table slots a fault fills.
//
// Access modes: R reads, W writes, C updates in a way that commutes with other C updates of the
// same cell (a reader joining or leaving the count of its generation; a page table created if
// missing). R-R and C-C do not conflict; every other pair on one cell does.
// test/explore.test.ts holds the reduction sound: on every shipped scenario small enough, the
// verdict and the set of distinct final states equal those of the search without it.
import type { Kernel } from '../machines/kernel.ts';
import type { Step } from './log.ts';

export type Mode = 'R' | 'W' | 'C';
export type Footprint = Map<string, Mode> | 'global';

const PMD = 1n << 21n;
const PUD = 1n << 30n;

/** The footprint of `step` run by its task in kernel state k. */
export function footprint(k: Kernel, step: Step): Footprint {
  const e = step.event;
  const task = step.task;
  const s = k.s;
  const srcu = s.srcu.context;
  switch (e.type) {
    case 'dax_srcu.read_lock':
      // Its return value is srcu_idx & 1: it reads the index (which only a synchronize writes).
      return new Map<string, Mode>([[`srcu.reader:${task}`, 'W'], ['srcu.count', 'C'], ['srcu.idx', 'R']]);
    case 'dax_srcu.read_unlock':
      // An unlock that may end a grace period wakes a task: global.
      if (srcu.waiters.length > 0) return 'global';
      return new Map<string, Mode>([[`srcu.reader:${task}`, 'W'], ['srcu.count', 'C']]);
    case 'vma.fault':
    case 'vma.access': {
      const b = s.handles[e.vma];
      if (typeof b !== 'number') return new Map([[`handle:${e.vma}`, 'R']]);
      const vma = s.objects[b];
      if (vma?.kind !== 'mapping' || vma.value !== 'mapped') return new Map([[`vma:${b}`, 'R']]);
      const file = s.objects[vma.context.file];
      if (file?.kind !== 'file') return 'global';
      const dev = s.objects[file.context.devdax];
      const region = dev?.kind === 'dev_dax' ? s.objects[dev.context.region] : undefined;
      const addr = BigInt(vma.context.start) + e.off;
      // Only a device aligned to 1 GiB installs PUD entries; others only make a PMD table in
      // the PUD slot when it is missing, which commutes.
      const pudMode: Mode = region?.kind === 'dax_region' && region.context.align >= 1 << 30 ? 'W' : 'C';
      return new Map<string, Mode>([
        [`vma:${b}`, 'R'],
        [`alive:${file.context.dax}`, 'R'],
        [`pud:${addr / PUD}`, pudMode],
        [`pmd:${addr / PMD}`, 'W'],
      ]);
    }
    case 'dax.alive':
    case 'dax.get_private': {
      const b = s.handles[e.dax];
      return new Map<string, Mode>([[`alive:${typeof b === 'number' ? b : e.dax}`, 'R'], [`srcu.reader:${task}`, 'R']]);
    }
    default:
      return 'global';
  }
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
    return true;
  }
  return false;
}
