// A mapping of a device-DAX file: struct vm_area_struct as mmap_region builds it and dax_mmap
// accepts it (kernel-semantics.md §5). Its page-table entries live in the address space
// (mm.ts); this machine keeps the vma's bounds and how many entries map it.
//
// States (daxlog.md §2): mapped, unmapped. Invariants: start < end while mapped; entries never
// goes below zero; a zap (unmap_mapping_range) leaves the vma mapped with no entries; unmapped is
// final.
import { assign, setup } from 'xstate';

export interface VmAreaContext {
  start: bigint;
  end: bigint;
  /** vm_pgoff: the file offset of start, in pages. */
  pgoff: bigint;
  /** VM_SHARED | VM_MAYSHARE (MAP_SHARED). */
  shared: boolean;
  /** Page-table entries (PTE, PMD or PUD) currently mapping this vma. */
  entries: number;
}

export type VmAreaEvent =
  | { type: 'vma.install'; count?: number } // a fault inserted an entry
  | { type: 'vma.zap'; count: number } // entries removed: zap_page_range / unmap_mapping_range
  | { type: 'vma.trim'; start: bigint; end: bigint; pgoff: bigint } // munmap of a head or a tail
  | { type: 'vma.unmap' }; // munmap of the whole vma

export const VM_AREA_SYMBOL = {
  'vma.install': 'vm_insert_mixed / vmf_insert_pfn_pmd / vmf_insert_pfn_pud',
  'vma.zap': 'zap_page_range',
  'vma.trim': '__split_vma',
  'vma.unmap': 'remove_vma',
} as const satisfies Record<VmAreaEvent['type'], string>;

export const vmAreaMachine = setup({
  types: {
    context: {} as VmAreaContext,
    events: {} as VmAreaEvent,
    input: {} as { start: bigint; end: bigint; pgoff: bigint; shared: boolean },
  },
  guards: {
    has_entries: ({ context, event }) => event.type === 'vma.zap' && event.count <= context.entries,
  },
  actions: {
    install: assign({ entries: ({ context, event }) => context.entries + (event.type === 'vma.install' ? (event.count ?? 1) : 0) }),
    zap: assign({ entries: ({ context, event }) => context.entries - (event.type === 'vma.zap' ? event.count : 0) }),
    trim: assign(({ event }) => (event.type === 'vma.trim' ? { start: event.start, end: event.end, pgoff: event.pgoff } : {})),
  },
}).createMachine({
  id: 'vm_area',
  context: ({ input }) => ({ ...input, entries: 0 }),
  initial: 'mapped',
  states: {
    mapped: {
      on: {
        'vma.install': { actions: 'install' },
        'vma.zap': { guard: 'has_entries', actions: 'zap' },
        'vma.trim': { actions: 'trim' },
        'vma.unmap': { target: 'unmapped' },
      },
    },
    unmapped: { type: 'final' },
  },
});
