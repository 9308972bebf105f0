// A mapping of a device-DAX file: struct vm_area_struct as mmap_region builds it and dax_mmap
// accepts it (kernel-semantics.md §5). The page-table entries that map it belong to the
// address space (mm.ts), as they belong to the mm in the kernel; a fault or a zap changes them,
// not the vma.
//
// States (daxlog.md §2): mapped, unmapped. Invariants: start < end while mapped, and a trim
// keeps the file offset of every remaining page (vm_pgoff moves with a head cut); unmapped is
// final.
import { assign, setup } from 'xstate';

export interface VmAreaContext {
  start: bigint;
  end: bigint;
  /** vm_pgoff: the file offset of start, in pages. */
  pgoff: bigint;
  /** VM_SHARED | VM_MAYSHARE (MAP_SHARED). */
  shared: boolean;
}

export type VmAreaEvent =
  | { type: 'vma.trim'; start: bigint; end: bigint; pgoff: bigint } // munmap of a head or a tail
  | { type: 'vma.unmap' }; // munmap of the whole vma

export const VM_AREA_SYMBOL = {
  'vma.trim': '__split_vma',
  'vma.unmap': 'remove_vma',
} as const satisfies Record<VmAreaEvent['type'], string>;

export const vmAreaMachine = setup({
  types: {
    context: {} as VmAreaContext,
    events: {} as VmAreaEvent,
    input: {} as { start: bigint; end: bigint; pgoff: bigint; shared: boolean },
  },
  actions: {
    trim: assign(({ event }) => (event.type === 'vma.trim' ? { start: event.start, end: event.end, pgoff: event.pgoff } : {})),
  },
}).createMachine({
  id: 'vm_area',
  context: ({ input }) => ({ ...input }),
  initial: 'mapped',
  states: {
    mapped: {
      on: {
        'vma.trim': { actions: 'trim' },
        'vma.unmap': { target: 'unmapped' },
      },
    },
    unmapped: { type: 'final' },
  },
});
