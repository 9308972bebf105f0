// The kernel calls a daxlog can make (daxlog.md §3), in one table: each event's fields and
// their kinds, the kernel function it stands for, and its line of the spec's events table. The
// TypeScript types below, the log's schemas (src/schema.ts), the generated logs' arbitraries
// (test/arbitraries.ts) and the call table (calls.ts, checked to cover every type) all derive
// from it; test/events.test.ts holds its `doc` cells equal to docs/daxlog.md §3.

/** Failure-injection sites (daxlog.md §3 "Failure injection"). */
export const FAIL_SITES = ['kzalloc', 'ida', 'alloc_dax', 'iget5_locked', 'cdev_device_add', 'devm_add_action', 'sysfs_create_groups'] as const;
export type FailSite = (typeof FAIL_SITES)[number];

export const FAULT_SIZES = ['PTE', 'PMD', 'PUD'] as const;
export type FaultSize = (typeof FAULT_SIZES)[number];
export const PFN_FLAGS = ['PFN_DEV|PFN_MAP', 'PFN_DEV', 'PFN_MAP', ''] as const;
export type PfnFlags = (typeof PFN_FLAGS)[number];
export const MMAP_FLAGS = ['MAP_SHARED', 'MAP_PRIVATE', 'MAP_SHARED|MAP_FIXED', 'MAP_PRIVATE|MAP_FIXED'] as const;
export type MmapFlags = (typeof MMAP_FLAGS)[number];
export interface Resource {
  start: bigint;
  size: bigint;
}

/** What a field holds, and so its type once read (u64 spellings become bigints). */
interface FieldKinds {
  /** A handle the log names an object by (1 to 64 of [A-Za-z0-9_.:/-]). */
  handle: string;
  /** A kernel device name, as in /dev/<name> (the same characters as a handle). */
  devname: string;
  string: string;
  u64: bigint;
  bool: boolean;
  /** "PTE", "PMD", "PUD", or a raw pe_size integer. */
  fault_size: FaultSize | bigint;
  pfn_flags: PfnFlags;
  mmap_flags: MmapFlags;
  resources: Resource[];
  sysfs_path: string;
}
export type FieldKind = keyof FieldKinds;
export interface Field {
  kind: FieldKind;
  optional?: true;
}

export interface EventSpec {
  /** The kernel function the event stands for: how outputs and viewers name a step. */
  kernel: string;
  /** The kernel source file that function lives in (at the seed, or the core kernel around it). */
  source: string;
  fields: Readonly<Record<string, Field>>;
  /** The event's row of the spec's table (daxlog.md §3): fields, kernel, ret, as written there. */
  doc: readonly [fields: string, kernel: string, ret: string];
}

const req = <K extends FieldKind>(kind: K): { kind: K } => ({ kind });
const opt = <K extends FieldKind>(kind: K): { kind: K; optional: true } => ({ kind, optional: true });

export const EVENTS = {
  // super.c: the dax_device core
  'dax.alloc': {
    kernel: 'alloc_dax', source: 'drivers/dax/super.c',
    fields: { dax: req('handle'), private: opt('string') },
    doc: ['`dax`, `private?` (string, default the handle)', '`alloc_dax(private)`', 'the minor (number), or `"NULL"`'],
  },
  'dax.kill': { kernel: 'kill_dax', source: 'drivers/dax/super.c', fields: { dax: req('handle') }, doc: ['`dax`', '`kill_dax`', '`0`; may block (§5)'] },
  'dax.put': { kernel: 'put_dax', source: 'drivers/dax/super.c', fields: { dax: req('handle') }, doc: ['`dax`', '`put_dax` (final `iput`)', '`0`'] },
  'dax.alive': {
    kernel: 'dax_alive', source: 'drivers/dax/super.c', fields: { dax: req('handle') },
    doc: ['`dax`', '`dax_alive`; a lockdep warning when the task holds no `dax_read_lock`', '`true` / `false`'],
  },
  'dax.get_private': {
    kernel: 'dax_get_private', source: 'drivers/dax/super.c', fields: { dax: req('handle') },
    doc: ['`dax`', '`dax_get_private`', 'the private string, or `null`'],
  },
  'dax_srcu.read_lock': {
    kernel: 'dax_read_lock', source: 'drivers/dax/super.c', fields: {},
    doc: ['—', '`dax_read_lock` (one global SRCU domain; nests)', 'the SRCU index, `0` or `1`'],
  },
  'dax_srcu.read_unlock': {
    kernel: 'dax_read_unlock', source: 'drivers/dax/super.c', fields: {},
    doc: ['—', "`dax_read_unlock` of the task's innermost read lock", '`0`'],
  },
  'rcu.grace_period': {
    kernel: 'rcu_do_batch', source: 'kernel/rcu/tree.c', fields: {},
    doc: ['—', 'an RCU grace period ends: every `call_rcu` callback queued before this step runs', 'the number of callbacks run'],
  },
  // device.c and pmem.c
  'dax_region.alloc': {
    kernel: 'alloc_dax_region', source: 'drivers/dax/device.c',
    fields: { parent: req('handle'), id: req('u64'), start: req('u64'), size: req('u64'), align: req('u64'), pfn_flags: opt('pfn_flags') },
    doc: ['`parent`, `id`, `start`, `size`, `align`, `pfn_flags?` (`"PFN_DEV|PFN_MAP"` default, `"PFN_DEV"`, `"PFN_MAP"`, `""`)', '`alloc_dax_region`', 'the region handle (= `parent`), or `"NULL"`'],
  },
  'dax_region.put': { kernel: 'dax_region_put', source: 'drivers/dax/device.c', fields: { parent: req('handle') }, doc: ['`parent`', '`dax_region_put`', '`0`'] },
  'dev_dax.create': {
    kernel: 'devm_create_dev_dax', source: 'drivers/dax/device.c',
    fields: { parent: req('handle'), res: req('resources'), dev: opt('handle') },
    doc: ['`parent`, `res` (array of `{start, size}`), `dev?`', '`devm_create_dev_dax(region, res, count)`', 'the dev_dax handle, `"-E…"`, or `"NULL"` (the seed\'s missing-`rc` path)'],
  },
  'dev_dax.unregister': {
    kernel: 'unregister_dev_dax', source: 'drivers/dax/device.c', fields: { dev: req('handle') },
    doc: ['`dev`', '`unregister_dev_dax` (kill, unmap, cdev and device delete, put)', '`0`; may block'],
  },
  'dax_pmem.probe': {
    kernel: 'dax_pmem_probe', source: 'drivers/dax/pmem.c',
    fields: { parent: req('handle'), id: opt('u64'), start: req('u64'), size: req('u64'), align: opt('u64'), dataoff: opt('u64'), dev: opt('handle') },
    doc: ['`parent`, `id?` (region id, default 0), `start`, `size`, `align?` (default `"2M"`), `dataoff?` (default 0), `dev?`', '`dax_pmem_probe` from step 11 on: `res.start += dataoff`, region, one dev_dax, `dax_region_put`', '`0` or `"-E…"`; **`0` also when no dev_dax was created** (the seed\'s NULL path)'],
  },
  'driver.unbind': {
    kernel: 'device_release_driver', source: 'drivers/base/dd.c', fields: { parent: req('handle') },
    doc: ['`parent`', "the parent's driver detaches: its devm actions run last-registered first, then drvdata is cleared", '`0`; may block'],
  },
  'sysfs.read': {
    kernel: 'sysfs_kf_seq_show', source: 'fs/sysfs/file.c', fields: { path: req('sysfs_path') },
    doc: ['`path`: `"<parent>/dax_region/id"`, `".../size"`, `".../align"`, or `"<dev>/size"` with `<dev>` the kernel name', "the attribute's show function", 'the string it shows (`"4194304\\n"`), `"-ENXIO"`, or `"-ENOENT"` when the attribute does not exist (never created, or removed)'],
  },
  // processes: the file and mm side
  'file.open': {
    kernel: 'chrdev_open', source: 'fs/char_dev.c', fields: { fd: req('handle'), dev: req('devname') },
    doc: ['`fd`, `dev` (the kernel name, as in `/dev/dax0.0`)', '`chrdev_open` → `dax_open`', '`0`, or `"-ENOENT"` when no such node exists (never created, or removed by `device_del`)'],
  },
  'file.close': {
    kernel: 'fput', source: 'fs/file_table.c', fields: { fd: req('handle') },
    doc: ['`fd`', '`close`; the file is released when no mapping holds it', '`0`, `"-EBADF"` if already closed'],
  },
  'file.mmap': {
    kernel: 'do_mmap', source: 'mm/mmap.c',
    fields: { fd: req('handle'), vma: req('handle'), len: req('u64'), pgoff: opt('u64'), addr: opt('u64'), flags: req('mmap_flags') },
    doc: ['`fd`, `vma`, `len`, `pgoff?` (in pages, default 0), `addr?` (a hint, or the address with `MAP_FIXED`), `flags` (`"MAP_SHARED"` or `"MAP_PRIVATE"`, optionally `"|MAP_FIXED"`)', '`mmap` → `dax_get_unmapped_area` → `dax_mmap` → `check_vma`', "the mapping's start address, or `\"-E…\"`"],
  },
  'vma.munmap': {
    kernel: 'do_munmap', source: 'mm/mmap.c', fields: { vma: req('handle'), off: opt('u64'), len: opt('u64') },
    doc: ['`vma`, `off?` (default 0), `len?` (default to the end)', '`munmap` of that part; cutting from the start or the end keeps the handle; a middle cut is an error in v1', '`0`'],
  },
  'vma.fault': {
    kernel: 'dev_dax_huge_fault', source: 'drivers/dax/device.c',
    fields: { vma: req('handle'), off: req('u64'), size: req('fault_size'), write: opt('bool') },
    doc: ['`vma`, `off`, `size` (`"PTE"`, `"PMD"`, `"PUD"` or a raw `pe_size` number), `write?`', 'one direct `dev_dax_huge_fault(vmf, pe_size)` at vma start + `off`; installs the entry on `VM_FAULT_NOPAGE`', '`"VM_FAULT_NOPAGE"`, `"VM_FAULT_SIGBUS"`, `"VM_FAULT_FALLBACK"`, `"VM_FAULT_OOM"`'],
  },
  'vma.access': {
    kernel: 'handle_mm_fault', source: 'mm/memory.c', fields: { vma: req('handle'), off: req('u64'), write: opt('bool') },
    doc: ['`vma`, `off`, `write?`', 'a load or store at vma start + `off`: if a page-table entry covers it, no fault; else the core-mm cascade PUD → PMD → PTE of kernel-semantics.md §5', '`0` for no fault, otherwise the final `VM_FAULT_*`; `"SIGSEGV"` when `off` is outside the mapping or the mapping is gone'],
  },
} as const satisfies Record<string, EventSpec>;

export type EventType = keyof typeof EVENTS;
export const EVENT_TYPES = Object.keys(EVENTS) as EventType[];

type FieldsOf<T extends EventType> = (typeof EVENTS)[T]['fields'];
type Required<F, Kinds extends Record<FieldKind, unknown>> = { -readonly [K in keyof F as F[K] extends { optional: true } ? never : K]: F[K] extends Field ? Kinds[F[K]['kind']] : never };
type Optional<F, Kinds extends Record<FieldKind, unknown>> = { -readonly [K in keyof F as F[K] extends { optional: true } ? K : never]?: F[K] extends Field ? Kinds[F[K]['kind']] : never };
type Flatten<T> = { [K in keyof T]: T[K] };

/**
 * The event of type T with each field's type taken from `Kinds`, one type per field kind: the
 * model's FieldKinds (u64 spellings as bigints) or, for embedding apps, a log's own spellings.
 */
export type EventShaped<T extends EventType, Kinds extends Record<FieldKind, unknown>> = Flatten<
  { type: T; fail?: FailSite[] } & Required<FieldsOf<T>, Kinds> & Optional<FieldsOf<T>, Kinds>
>;

/** The event of type T as the model receives it: the log's fields, u64 spellings as bigints. */
export type EventOf<T extends EventType> = EventShaped<T, FieldKinds>;
export type KernelEvent = { [T in EventType]: EventOf<T> }[EventType];

/** The kernel function each log event stands for; human output and viewers name steps by it. */
export const KERNEL_FUNCTION = Object.fromEntries(EVENT_TYPES.map((t) => [t, EVENTS[t].kernel])) as { [T in EventType]: (typeof EVENTS)[T]['kernel'] };

/** The fields of an event type that hold u64 spellings (fault sizes too: they may be numbers). */
export function u64Fields(t: EventType): string[] {
  const f = EVENTS[t].fields as Record<string, Field>;
  return Object.keys(f).filter((k) => f[k]!.kind === 'u64' || f[k]!.kind === 'fault_size');
}
