// struct dax_region, drivers/dax/device.c at 7b6be8444e0f (kernel-semantics.md §1, §2, §6): the
// mapping infrastructure a provider sets up on its parent device. Lifetime is a kref:
//   +1 for the caller of alloc_dax_region (dax_pmem drops it at the end of probe),
//   +1 for the devm action dax_region_unregister on the parent,
//   +1 for each dev_dax, dropped in dev_dax_release.
// dax_region_free runs when the kref reaches zero.
//
// States (daxlog.md §2): active (its dax_region/ sysfs group is on the parent), unregistered
// (dax_region_unregister removed the group and dropped the devm reference; children still hold
// it), freed (kfree). Invariants: the kref never goes below zero; only unregister leaves active
// for unregistered; freed is final.
import { assign, setup } from 'xstate';
import type { PfnFlags } from './events.ts';
import type { IdaState } from './ida.ts';
import { checked, type InputSpec } from './input.ts';
import type { ObjectRecord } from './records.ts';
import type { U64 } from './u64.ts';

export interface DaxRegionContext {
  /** Region id as the provider gave it (an int; %d in sysfs). */
  id: number;
  kref: number;
  /** The parent device's name (dax_region->dev). */
  parent: string;
  /** The physical range (res) and the alignment (unsigned int align). */
  start: U64;
  size: U64;
  align: number;
  pfn_flags: PfnFlags;
}

export type DaxRegionState = 'active' | 'unregistered' | 'freed';

/** A dax_region in the kernel's state, with its allocator of dev_dax ids. */
export interface DaxRegionRecord extends ObjectRecord<'dax_region', DaxRegionState, DaxRegionContext> {
  ida: IdaState;
}

export type DaxRegionEvent =
  | { type: 'dax_region.get' } // kref_get: a new dev_dax, or alloc_dax_region's devm reference
  | { type: 'dax_region.put' } // dax_region_put → kref_put(dax_region_free)
  | { type: 'dax_region.unregister' } // dax_region_unregister: sysfs group removed, then put
  | { type: 'dax_region.free' }; // kfree after a failed sysfs_create_groups

/** What alloc_dax_region gives a new region (machines/input.ts). */
export const DAX_REGION_INPUT = {
  id: { kind: 'int', doc: 'the region id the provider passed (%d in sysfs)' },
  parent: { kind: 'string', doc: "the parent device's name (dax_region->dev)" },
  start: { kind: 'u64', doc: 'the physical range: its start' },
  size: { kind: 'u64', doc: 'and its size' },
  align: { kind: 'int', doc: 'the alignment every mapping of the region keeps' },
  pfn_flags: { kind: 'pfn_flags', doc: 'the PFN flags of its pages' },
} as const satisfies InputSpec;
const EXAMPLE: Omit<DaxRegionContext, 'kref'> = { id: 0, parent: 'pfn0', start: '0x100000000', size: '0x400000', align: 2097152, pfn_flags: 'PFN_DEV|PFN_MAP' };

const GET = { kernel: 'kref_get' };
const PUT = { kernel: 'dax_region_put' };
const UNREGISTER = { kernel: 'dax_region_unregister' };

export const daxRegionMachine = setup({
  types: { context: {} as DaxRegionContext, events: {} as DaxRegionEvent, input: {} as Omit<DaxRegionContext, 'kref'> },
  guards: {
    last_reference: ({ context }) => context.kref === 1,
  },
  actions: {
    get: assign({ kref: ({ context }) => context.kref + 1 }),
    put: assign({ kref: ({ context }) => context.kref - 1 }),
  },
}).createMachine({
  id: 'dax_region',
  description: 'struct dax_region (drivers/dax/device.c): the range a provider set up on its parent, kref counted',
  meta: { input: DAX_REGION_INPUT, example: EXAMPLE },
  // Field by field, not spread: V8 makes `{...input, kref}` a slow object (a microsecond each).
  context: ({ input }) => {
    const { id, parent, start, size, align, pfn_flags } = checked('dax_region', DAX_REGION_INPUT, EXAMPLE, input);
    return { id, parent, start, size, align, pfn_flags, kref: 1 };
  },
  initial: 'active',
  states: {
    active: {
      on: {
        'dax_region.get': { actions: 'get', meta: GET, description: 'a new dev_dax, or the devm action, takes a reference' },
        'dax_region.put': [
          { guard: 'last_reference', target: 'freed', actions: 'put', meta: PUT, description: 'the last reference goes: dax_region_free' },
          { actions: 'put', meta: PUT, description: 'a reference goes' },
        ],
        'dax_region.unregister': [
          { guard: 'last_reference', target: 'freed', actions: 'put', meta: UNREGISTER, description: 'the sysfs group goes with the last reference' },
          { target: 'unregistered', actions: 'put', meta: UNREGISTER, description: 'the sysfs group goes; children still hold the region' },
        ],
        'dax_region.free': { target: 'freed', meta: { kernel: 'kfree' }, description: 'alloc_dax_region frees it after sysfs_create_groups failed' },
      },
    },
    unregistered: {
      on: {
        'dax_region.get': { actions: 'get', meta: GET, description: 'a dev_dax created after the unbind takes a reference' },
        'dax_region.put': [
          { guard: 'last_reference', target: 'freed', actions: 'put', meta: PUT, description: 'the last child lets go: dax_region_free' },
          { actions: 'put', meta: PUT, description: 'a reference goes' },
        ],
      },
    },
    freed: { type: 'final' },
  },
});
