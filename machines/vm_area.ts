// A mapping of a device-DAX file: struct vm_area_struct as mmap_region builds it and dax_mmap
// accepts it (kernel-semantics.md §5). The page-table entries that map it belong to the
// address space (mm.ts), as they belong to the mm in the kernel; a fault or a zap changes them,
// not the vma.
//
// States (daxlog.md §2): mapped, unmapped. Invariants: start < end while mapped, and a trim
// keeps the file offset of every remaining page (vm_pgoff moves with a head cut); unmapped is
// final.
import { assertEvent, assign, setup } from 'xstate';
import { checked, type InputSpec } from './input.ts';
import type { ObjectRecord } from './records.ts';
import type { U64 } from './u64.ts';

export interface VmAreaContext {
  start: U64;
  end: U64;
  /** vm_pgoff: the file offset of start, in pages. */
  pgoff: U64;
  /** VM_SHARED | VM_MAYSHARE (MAP_SHARED). */
  shared: boolean;
  /** vm_file (object id). */
  file: number;
}

export type VmAreaEvent =
  | { type: 'vma.trim'; start: U64; end: U64; pgoff: U64 } // munmap of a head or a tail
  | { type: 'vma.unmap' }; // munmap of the whole vma

export type VmAreaState = 'mapped' | 'unmapped';
export type VmAreaRecord = ObjectRecord<'mapping', VmAreaState, VmAreaContext>;

/** What mmap_region gives a new mapping (machines/input.ts). */
export const VM_AREA_INPUT = {
  start: { kind: 'u64', doc: 'vm_start' },
  end: { kind: 'u64', doc: 'vm_end (exclusive)' },
  pgoff: { kind: 'u64', doc: 'vm_pgoff: the file offset of start, in pages' },
  shared: { kind: 'bool', doc: 'VM_SHARED (a MAP_SHARED mapping)' },
  file: { kind: 'id', doc: 'vm_file (kernel object id of the file)' },
} as const satisfies InputSpec;
const EXAMPLE: VmAreaContext = { start: '0x7effffa00000', end: '0x7effffe00000', pgoff: '0x0', shared: true, file: 4 };

export const vmAreaMachine = setup({
  types: {
    context: {} as VmAreaContext,
    events: {} as VmAreaEvent,
    input: {} as VmAreaContext,
  },
  actions: {
    trim: assign(({ event }) => {
      assertEvent(event, 'vma.trim');
      return { start: event.start, end: event.end, pgoff: event.pgoff };
    }),
  },
}).createMachine({
  id: 'vm_area',
  description: 'struct vm_area_struct of a device-DAX mapping (mm/mmap.c, dax_mmap)',
  meta: { input: VM_AREA_INPUT, example: EXAMPLE, payload: { 'vma.trim': '`start`, `end`, `pgoff`: what is left of the vma (u64 hex strings)' } },
  context: ({ input }) => {
    const { start, end, pgoff, shared, file } = checked('vm_area', VM_AREA_INPUT, EXAMPLE, input);
    return { start, end, pgoff, shared, file };
  },
  initial: 'mapped',
  states: {
    mapped: {
      on: {
        'vma.trim': { actions: 'trim', meta: { kernel: '__split_vma' }, description: 'munmap cuts a head or a tail' },
        'vma.unmap': { target: 'unmapped', meta: { kernel: 'remove_vma' }, description: 'munmap removes the whole vma' },
      },
    },
    unmapped: { type: 'final' },
  },
});
