// An open file of a device-DAX node: chrdev_open → dax_open at 7b6be8444e0f (kernel-semantics.md
// §8). dax_open copies dax_get_private(dax_dev) into filp->private_data (NULL after a kill),
// points f_mapping at the dax inode's address space and always succeeds. The file holds a cdev
// reference until it is released (its last fput), which can be after close when a mapping
// still holds it.
//
// States (daxlog.md §2): open (the fd is open), closed (close ran; a mapping may still hold the
// struct file). `fcount` counts the fd and the mappings that hold the file; the file is
// released when it reaches zero. Invariant: fcount never goes below zero, closed is final for
// the fd (the struct file lives on in its mappings).
import { assign, setup } from 'xstate';

export interface FileContext {
  /** /dev/<name> it was opened through. */
  dev: string;
  /** filp->private_data: the dev_dax's name, or null when dax_open saw a killed device. */
  private: string | null;
  /** f_count: the fd plus every mapping of the file. */
  fcount: number;
}

export type FileEvent =
  | { type: 'file.get' } // a mapping takes the file (get_file in mmap_region)
  | { type: 'file.put' } // a mapping lets it go (fput)
  | { type: 'file.close' }; // close(fd) → fput

export const FILE_SYMBOL = {
  'file.get': 'get_file',
  'file.put': 'fput',
  'file.close': 'filp_close',
} as const satisfies Record<FileEvent['type'], string>;

export const fileMachine = setup({
  types: { context: {} as FileContext, events: {} as FileEvent, input: {} as { dev: string; private: string | null } },
  guards: { held: ({ context }) => context.fcount > 0 },
  actions: {
    get: assign({ fcount: ({ context }) => context.fcount + 1 }),
    put: assign({ fcount: ({ context }) => context.fcount - 1 }),
  },
}).createMachine({
  id: 'file',
  context: ({ input }) => ({ dev: input.dev, private: input.private, fcount: 1 }),
  initial: 'open',
  states: {
    open: {
      on: {
        'file.get': { actions: 'get' },
        'file.put': { guard: 'held', actions: 'put' },
        'file.close': { target: 'closed', actions: 'put' },
      },
    },
    closed: {
      on: { 'file.put': { guard: 'held', actions: 'put' } },
    },
  },
});
