// struct dev_dax, drivers/dax/device.c at 7b6be8444e0f (kernel-semantics.md §1, §6, §8): one
// device-DAX instance, "dax<region id>.<id>", with its char device. Lifetime is the device
// refcount:
//   1 from device_initialize, dropped by unregister_dev_dax's put_device;
//   1 held by the cdev (cdev_add takes the parent kobject), dropped when the cdev is released.
// The cdev itself is released when its kobject count reaches zero: one reference from cdev_add
// until cdev_del, one per open file (chrdev_open's cdev_get) until that file is released.
// So any open file, or any mapping (it holds its file), keeps the dev_dax alive.
//
// States (daxlog.md §2): registered (node and sysfs present), unregistered (device_del ran;
// files or mappings still hold the device), released (dev_dax_release ran). Invariants: both
// counts stay at or above zero; the device is released exactly when its refcount reaches
// zero; nothing leaves released.
import { assign, setup } from 'xstate';
import { checked, type InputSpec } from './input.ts';
import type { ObjectRecord } from './records.ts';
import type { U64 } from './u64.ts';

/** One resource of the device, as devm_create_dev_dax copies it: start and end (inclusive). */
export interface DevDaxResource {
  start: U64;
  end: U64;
}

export interface DevDaxContext {
  /** The kernel name, dax<region id>.<id>. */
  name: string;
  /** dev_dax->dev refcount. */
  refs: number;
  /** The cdev kobject's count; 0 once the cdev has been released. */
  cdev: number;
  /** dev_dax->id, from the region's IDA. */
  id: number;
  /** dev_dax->region and dev_dax->dax_dev (object ids). */
  region: number;
  dax: number;
  res: DevDaxResource[];
}

export type DevDaxState = 'registered' | 'unregistered' | 'released';
export type DevDaxRecord = ObjectRecord<'dev_dax', DevDaxState, DevDaxContext>;

export type DevDaxEvent =
  | { type: 'dev_dax.cdev_add' } // cdev_device_add: the cdev holds the device
  | { type: 'dev_dax.cdev_get' } // chrdev_open
  | { type: 'dev_dax.cdev_put' } // the last fput of a file, or cdev_del
  | { type: 'dev_dax.device_del' } // cdev_device_del: node and sysfs removed
  | { type: 'dev_dax.put_device' };

/** What devm_create_dev_dax gives a new dev_dax (machines/input.ts). */
export const DEV_DAX_INPUT = {
  name: { kind: 'string', doc: 'the kernel name, dax<region id>.<id>' },
  id: { kind: 'int', doc: "dev_dax->id, from the region's IDA" },
  region: { kind: 'id', doc: 'dev_dax->region (the kernel object id of the dax_region)' },
  dax: { kind: 'id', doc: 'dev_dax->dax_dev (the kernel object id of its dax_device)' },
  res: { kind: 'resources', doc: 'the resources it maps, each {start, end} (end inclusive)' },
} as const satisfies InputSpec;
const EXAMPLE: Omit<DevDaxContext, 'refs' | 'cdev'> = { name: 'dax0.0', id: 0, region: 1, dax: 2, res: [{ start: '0x100000000', end: '0x1003fffff' }] };

const CDEV_PUT = { kernel: 'cdev_put' };
const PUT_DEVICE = { kernel: 'put_device' };

export const devDaxMachine = setup({
  types: { context: {} as DevDaxContext, events: {} as DevDaxEvent, input: {} as Omit<DevDaxContext, 'refs' | 'cdev'> },
  guards: {
    // The cdev's last reference goes, and with it the cdev's hold on the device.
    cdev_release_frees: ({ context }) => context.cdev === 1 && context.refs === 1,
    cdev_release: ({ context }) => context.cdev === 1,
    has_cdev: ({ context }) => context.cdev > 0,
    last_ref: ({ context }) => context.refs === 1,
  },
  actions: {
    cdev_add: assign({ cdev: 1, refs: ({ context }) => context.refs + 1 }),
    cdev_get: assign({ cdev: ({ context }) => context.cdev + 1 }),
    cdev_release: assign({ cdev: 0, refs: ({ context }) => context.refs - 1 }),
    cdev_put: assign({ cdev: ({ context }) => context.cdev - 1 }),
    put: assign({ refs: ({ context }) => context.refs - 1 }),
  },
}).createMachine({
  id: 'dev_dax',
  description: 'struct dev_dax (drivers/dax/device.c): one device-DAX instance with its char device',
  meta: { input: DEV_DAX_INPUT, example: EXAMPLE },
  // Field by field, not spread: V8 makes `{...input, refs}` a slow object (a microsecond each).
  context: ({ input }) => {
    const { name, id, region, dax, res } = checked('dev_dax', DEV_DAX_INPUT, EXAMPLE, input);
    return { name, id, region, dax, res, refs: 1, cdev: 0 };
  },
  initial: 'registered',
  on: {
    'dev_dax.cdev_get': { guard: 'has_cdev', actions: 'cdev_get', meta: { kernel: 'cdev_get' }, description: 'chrdev_open takes a cdev reference' },
    'dev_dax.cdev_put': [
      {
        guard: 'cdev_release_frees',
        target: '.released',
        actions: 'cdev_release',
        meta: CDEV_PUT,
        description: "the cdev's last reference goes, and with it the device's last: dev_dax_release",
      },
      { guard: 'cdev_release', actions: 'cdev_release', meta: CDEV_PUT, description: "the cdev's last reference goes: it lets the device go" },
      { guard: 'has_cdev', actions: 'cdev_put', meta: CDEV_PUT, description: 'a file, or cdev_del, lets the cdev go' },
    ],
    'dev_dax.put_device': [
      { guard: 'last_ref', target: '.released', actions: 'put', meta: PUT_DEVICE, description: 'the last reference goes: dev_dax_release' },
      { actions: 'put', meta: PUT_DEVICE, description: 'a reference goes' },
    ],
  },
  states: {
    registered: {
      on: {
        'dev_dax.cdev_add': { actions: 'cdev_add', meta: { kernel: 'cdev_device_add' }, description: 'cdev_device_add: the cdev holds the device' },
        'dev_dax.device_del': { target: 'unregistered', meta: { kernel: 'device_del' }, description: 'cdev_device_del removes the node and the sysfs device' },
      },
    },
    unregistered: {},
    released: { type: 'final' },
  },
});
