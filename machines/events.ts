// The kernel calls a daxlog can make (daxlog.md §3), as typed events. Field names follow the
// log; integers that can exceed 2^53 are bigints. The tables at the end name the kernel
// function each event stands for, checked against the event union by the type system.

export type Handle = string;

/** Failure-injection sites (daxlog.md §3 "Failure injection"). */
export const FAIL_SITES = [
  'kzalloc',
  'ida',
  'alloc_dax',
  'iget5_locked',
  'cdev_device_add',
  'devm_add_action',
  'sysfs_create_groups',
] as const;
export type FailSite = (typeof FAIL_SITES)[number];

interface Call {
  fail?: FailSite[];
}

// super.c: the dax_device core
export interface DaxAlloc extends Call { type: 'dax.alloc'; dax: Handle; private?: string }
export interface DaxKill extends Call { type: 'dax.kill'; dax: Handle }
export interface DaxPut extends Call { type: 'dax.put'; dax: Handle }
export interface DaxAlive extends Call { type: 'dax.alive'; dax: Handle }
export interface DaxGetPrivate extends Call { type: 'dax.get_private'; dax: Handle }
export interface DaxReadLock extends Call { type: 'dax_srcu.read_lock' }
export interface DaxReadUnlock extends Call { type: 'dax_srcu.read_unlock' }
export interface RcuGracePeriod extends Call { type: 'rcu.grace_period' }

// device.c and pmem.c
export type PfnFlags = 'PFN_DEV|PFN_MAP' | 'PFN_DEV' | 'PFN_MAP' | '';
export interface Resource { start: bigint; size: bigint }
export interface DaxRegionAlloc extends Call {
  type: 'dax_region.alloc';
  parent: Handle;
  id: bigint;
  start: bigint;
  size: bigint;
  align: bigint;
  pfn_flags?: PfnFlags;
}
export interface DaxRegionPut extends Call { type: 'dax_region.put'; parent: Handle }
export interface DevDaxCreate extends Call { type: 'dev_dax.create'; parent: Handle; res: Resource[]; dev?: Handle }
export interface DevDaxUnregister extends Call { type: 'dev_dax.unregister'; dev: Handle }
export interface DaxPmemProbe extends Call {
  type: 'dax_pmem.probe';
  parent: Handle;
  id?: bigint;
  start: bigint;
  size: bigint;
  align?: bigint;
  dataoff?: bigint;
  dev?: Handle;
}
export interface DriverUnbind extends Call { type: 'driver.unbind'; parent: Handle }
export interface SysfsRead extends Call { type: 'sysfs.read'; path: string }

// processes: the file and mm side
export type MmapFlags = 'MAP_SHARED' | 'MAP_PRIVATE' | 'MAP_SHARED|MAP_FIXED' | 'MAP_PRIVATE|MAP_FIXED';
export type FaultSize = 'PTE' | 'PMD' | 'PUD';
export interface FileOpen extends Call { type: 'file.open'; fd: Handle; dev: string }
export interface FileClose extends Call { type: 'file.close'; fd: Handle }
export interface FileMmap extends Call {
  type: 'file.mmap';
  fd: Handle;
  vma: Handle;
  len: bigint;
  pgoff?: bigint;
  addr?: bigint;
  flags: MmapFlags;
}
export interface VmaMunmap extends Call { type: 'vma.munmap'; vma: Handle; off?: bigint; len?: bigint }
export interface VmaFault extends Call { type: 'vma.fault'; vma: Handle; off: bigint; size: FaultSize | bigint; write?: boolean }
export interface VmaAccess extends Call { type: 'vma.access'; vma: Handle; off: bigint; write?: boolean }

export type KernelEvent =
  | DaxAlloc | DaxKill | DaxPut | DaxAlive | DaxGetPrivate | DaxReadLock | DaxReadUnlock | RcuGracePeriod
  | DaxRegionAlloc | DaxRegionPut | DevDaxCreate | DevDaxUnregister | DaxPmemProbe | DriverUnbind | SysfsRead
  | FileOpen | FileClose | FileMmap | VmaMunmap | VmaFault | VmaAccess;
export type EventType = KernelEvent['type'];
export type EventOf<T extends EventType> = Extract<KernelEvent, { type: T }>;

/** The kernel function each log event stands for; human output and viewers name steps by it. */
export const KERNEL_FUNCTION = {
  'dax.alloc': 'alloc_dax',
  'dax.kill': 'kill_dax',
  'dax.put': 'put_dax',
  'dax.alive': 'dax_alive',
  'dax.get_private': 'dax_get_private',
  'dax_srcu.read_lock': 'dax_read_lock',
  'dax_srcu.read_unlock': 'dax_read_unlock',
  'rcu.grace_period': 'rcu_do_batch',
  'dax_region.alloc': 'alloc_dax_region',
  'dax_region.put': 'dax_region_put',
  'dev_dax.create': 'devm_create_dev_dax',
  'dev_dax.unregister': 'unregister_dev_dax',
  'dax_pmem.probe': 'dax_pmem_probe',
  'driver.unbind': 'device_release_driver',
  'sysfs.read': 'sysfs_kf_seq_show',
  'file.open': 'chrdev_open',
  'file.close': 'fput',
  'file.mmap': 'do_mmap',
  'vma.munmap': 'do_munmap',
  'vma.fault': 'dev_dax_huge_fault',
  'vma.access': 'handle_mm_fault',
} as const satisfies Record<EventType, string>;

export const EVENT_TYPES = Object.keys(KERNEL_FUNCTION) as EventType[];

/** Object states as daxlog.md §2 names them, per kind of object. */
export const STATE_NAMES = {
  dax_device: ['alive', 'killing', 'killed', 'destroyed', 'freed'],
  dev_dax: ['registered', 'unregistered', 'released'],
  dax_region: ['active', 'unregistered', 'freed'],
  file: ['open', 'closed'],
  mapping: ['mapped', 'unmapped'],
} as const;
export type ObjectKind = keyof typeof STATE_NAMES;
export type StateName = (typeof STATE_NAMES)[ObjectKind][number];
