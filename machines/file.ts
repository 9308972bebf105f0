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
import { checked, type InputSpec } from './input.ts';
import type { ObjectRecord } from './records.ts';

export interface FileContext {
  /** /dev/<name> it was opened through. */
  dev: string;
  /** The dev_dax whose cdev the file holds (object id). */
  devdax: number;
  /** inode_dax(inode): f_mapping is this dax inode's address space (object id). */
  dax: number;
  /** filp->private_data: the dev_dax (object id), or null when dax_open saw a killed device. */
  private: number | null;
  /** f_count: the fd plus every mapping of the file. */
  fcount: number;
}

export type FileState = 'open' | 'closed';
export type FileRecord = ObjectRecord<'file', FileState, FileContext>;

export type FileEvent =
  | { type: 'file.get' } // a mapping takes the file (get_file in mmap_region)
  | { type: 'file.put' } // a mapping lets it go (fput)
  | { type: 'file.close' }; // close(fd) → fput

/** What chrdev_open and dax_open give a new file (machines/input.ts). */
export const FILE_INPUT = {
  dev: { kind: 'string', doc: 'the /dev/<name> it was opened through' },
  devdax: { kind: 'id', doc: 'the dev_dax whose cdev it holds (kernel object id)' },
  dax: { kind: 'id', doc: "inode_dax(inode): the dax_device whose address space f_mapping is (kernel object id)" },
  private: { kind: 'id|null', doc: 'filp->private_data: the dev_dax, or null when dax_open found the device killed' },
} as const satisfies InputSpec;
const EXAMPLE: Omit<FileContext, 'fcount'> = { dev: 'dax0.0', devdax: 3, dax: 2, private: 3 };

const GET = { kernel: 'get_file' };
const PUT = { kernel: 'fput' };

export const fileMachine = setup({
  types: { context: {} as FileContext, events: {} as FileEvent, input: {} as Omit<FileContext, 'fcount'> },
  guards: { held: ({ context }) => context.fcount > 0 },
  actions: {
    get: assign({ fcount: ({ context }) => context.fcount + 1 }),
    put: assign({ fcount: ({ context }) => context.fcount - 1 }),
  },
}).createMachine({
  id: 'file',
  description: 'an open file of /dev/daxR.N (fs/char_dev.c chrdev_open, dax_open): f_count held by the fd and its mappings',
  meta: { input: FILE_INPUT, example: EXAMPLE },
  // Field by field, not spread: V8 makes `{...input, fcount}` a slow object (a microsecond each).
  context: ({ input }) => {
    const { dev, devdax, dax, private: priv } = checked('file', FILE_INPUT, EXAMPLE, input);
    return { dev, devdax, dax, private: priv, fcount: 1 };
  },
  initial: 'open',
  states: {
    open: {
      on: {
        'file.get': { actions: 'get', meta: GET, description: 'a mapping takes the file' },
        'file.put': { guard: 'held', actions: 'put', meta: PUT, description: 'a mapping lets the file go' },
        'file.close': { target: 'closed', actions: 'put', meta: { kernel: 'filp_close' }, description: 'close(fd): the fd lets the file go' },
      },
    },
    closed: {
      on: { 'file.put': { guard: 'held', actions: 'put', meta: PUT, description: 'a mapping of the closed file lets it go' } },
    },
  },
});
