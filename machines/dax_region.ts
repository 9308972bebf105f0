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

export interface DaxRegionContext {
  /** Region id as the provider gave it (an int; %d in sysfs). */
  id: number;
  kref: number;
}

export type DaxRegionEvent =
  | { type: 'dax_region.get' } // kref_get: a new dev_dax, or alloc_dax_region's devm reference
  | { type: 'dax_region.put' } // dax_region_put → kref_put(dax_region_free)
  | { type: 'dax_region.unregister' } // dax_region_unregister: sysfs group removed, then put
  | { type: 'dax_region.free' }; // kfree after a failed sysfs_create_groups

export const DAX_REGION_SYMBOL = {
  'dax_region.get': 'kref_get',
  'dax_region.put': 'dax_region_put',
  'dax_region.unregister': 'dax_region_unregister',
  'dax_region.free': 'kfree',
} as const satisfies Record<DaxRegionEvent['type'], string>;

export const daxRegionMachine = setup({
  types: { context: {} as DaxRegionContext, events: {} as DaxRegionEvent, input: {} as { id: number } },
  guards: {
    last_reference: ({ context }) => context.kref === 1,
  },
  actions: {
    get: assign({ kref: ({ context }) => context.kref + 1 }),
    put: assign({ kref: ({ context }) => context.kref - 1 }),
  },
}).createMachine({
  id: 'dax_region',
  context: ({ input }) => ({ id: input.id, kref: 1 }),
  initial: 'active',
  states: {
    active: {
      on: {
        'dax_region.get': { actions: 'get' },
        'dax_region.put': [{ guard: 'last_reference', target: 'freed', actions: 'put' }, { actions: 'put' }],
        'dax_region.unregister': [{ guard: 'last_reference', target: 'freed', actions: 'put' }, { target: 'unregistered', actions: 'put' }],
        'dax_region.free': { target: 'freed' },
      },
    },
    unregistered: {
      on: {
        'dax_region.get': { actions: 'get' },
        'dax_region.put': [{ guard: 'last_reference', target: 'freed', actions: 'put' }, { actions: 'put' }],
      },
    },
    freed: { type: 'final' },
  },
});
