// The whole modelled kernel as one plain value (guide/style.md "State as a value"): objects
// with their machine's state value and context, the registry of handles, the minor IDA, the
// dax_srcu domain, the RCU callback queue, the parent devices and /dev nodes, the address
// space with its page tables, the WARN_ONCE latches, and the blocked tasks, each a continuation
// record. Everything is JSON-safe (u64s are "0x…" strings, pointers are object ids), so a state
// survives JSON.stringify / JSON.parse, and two states compare by their canonical hash.
//
// Dictionaries keyed by what the log names (handles, tasks, parent names) have no prototype, so
// that a handle called "__proto__" or "constructor" is an ordinary key.
import type { Snapshot } from './compile.ts';
import type { DaxDeviceRecord } from './dax_device.ts';
import type { DaxRegionRecord } from './dax_region.ts';
import type { DaxSrcuContext, DaxSrcuState } from './dax_srcu.ts';
import type { DevDaxRecord } from './dev_dax.ts';
import type { EventType, FailSite, FaultSize } from './events.ts';
import type { FileRecord } from './file.ts';
import type { IdaState } from './ida.ts';
import type { ObjectKind, ObjId } from './records.ts';
import type { U64 } from './u64.ts';
import { MEMO } from './hash.ts';
import type { VmAreaRecord } from './vm_area.ts';

export type Dict<T> = Record<string, T>;

/** An empty dictionary with no prototype. */
export function dict<T>(): Dict<T> {
  return Object.create(null) as Dict<T>;
}

/**
 * A shallow copy of a plain object or dictionary (keeping its prototype, or its lack of one).
 * Only string keys are copied: a hash kept on the original under a symbol (hash.ts) does not
 * follow it to a copy that is about to be written.
 */
export function copyOf<T extends object>(x: T): T {
  const c = (Object.getPrototypeOf(x) === null ? Object.create(null) : { [MEMO]: undefined }) as Record<string, unknown>;
  for (const k in x) c[k] = (x as Record<string, unknown>)[k];
  return c as T;
}

/**
 * A shallow copy of the table of objects, whose ids are all below nextId: by index while they
 * are few, else by key. Integer keys enumerate in ascending order either way.
 */
export function copyObjects(objects: Record<ObjId, AnyRecord>, nextId: number): Record<ObjId, AnyRecord> {
  if (nextId > 256) return copyOf(objects);
  const c = { [MEMO]: undefined } as unknown as Record<ObjId, AnyRecord>;
  for (let id = 0; id < nextId; id++) {
    const o = objects[id];
    if (o !== undefined) c[id] = o;
  }
  return c;
}

/** A copy of d, with no prototype either. */
export function copyDict<T>(d: Dict<T>): Dict<T> {
  return copyOf(d);
}

export type AnyRecord = DaxDeviceRecord | DaxRegionRecord | DevDaxRecord | FileRecord | VmAreaRecord;
export type RecordOf<K extends ObjectKind> = Extract<AnyRecord, { kind: K }>;

export interface StateConfig {
  /** The dax.nr_dax module parameter as given; the bound in force is max(nr_dax, 256). */
  nr_dax: number;
  thp: 'always' | 'madvise' | 'never';
  pud: boolean;
  fs_dax: boolean;
  mmap_base: U64;
}

/** What a handle names when its creating call returned NULL or an ERR_PTR. */
export interface NullBinding {
  kind: ObjectKind;
  handle: string;
  ptr: string;
}
/** A handle names an object (by id) or a NULL / ERR_PTR result. */
export type Binding = ObjId | NullBinding;

/** A devres action registered on a parent device. */
export interface DevresEntry {
  action: 'dax_region_unregister' | 'unregister_dev_dax';
  target: ObjId;
}

/** The parent device of a region, as the driver core sees it (base.ts). */
export interface Parent {
  name: string;
  /** dev->driver: set while a driver is bound or probing. */
  driver: string | null;
  /** dev_get_drvdata: a region, possibly one already freed (alloc_dax_region's sysfs failure). */
  drvdata: ObjId | null;
  devres: DevresEntry[];
  /** The region whose dax_region/ group is on this device, if the group exists. */
  group: ObjId | null;
  /** Tasks inside a show() of the group: they hold kernfs active references. */
  groupReaders: string[];
  /** The task holding device_lock(dev). */
  lockOwner: string | null;
}

/** A page-table entry that maps memory: a PTE, or a huge PMD or PUD. */
export interface Leaf {
  size: FaultSize;
  /** Virtual address the entry starts at. */
  base: U64;
  /** Physical address mapped at base. */
  phys: U64;
  /** The vma it maps (object id). */
  vma: ObjId;
  /** Stores go through without a fault (see pgtable.ts). */
  write: boolean;
}
/**
 * A page table's present slots: their indices in ascending order and what each holds. Lookups
 * are binary searches; a table with few entries (as explored states have) copies and hashes in
 * proportion to its entries, not to its 512 slots.
 */
export interface Slots<T> {
  i: number[];
  e: T[];
}
export interface PteTable {
  pte: Slots<Leaf>;
}
export interface PmdTable {
  pmd: Slots<Leaf | PteTable>;
}
export type PudSlot = Leaf | PmdTable;

/** Every leaf of the page tables, in address order. */
export function leavesOf(s: KernelState): Leaf[] {
  const out: Leaf[] = [];
  const isLeaf = (x: object): x is Leaf => 'size' in x;
  for (const a of s.mm.pud.e) {
    if (isLeaf(a)) out.push(a);
    else for (const b of a.pmd.e) if (isLeaf(b)) out.push(b);
    else out.push(...b.pte.e);
  }
  return out;
}

/** The one address space all tasks of a log share (struct mm_struct). */
export interface AddressSpace {
  /** Mapped vmas in address order. */
  vmas: ObjId[];
  /** The page tables: PUD slots (1 GiB each) by index. */
  pud: Slots<PudSlot>;
}

/** A call_rcu callback waiting for the next grace period. */
export interface RcuCallback {
  fn: 'dax_i_callback';
  dax: ObjId;
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** One kernel function of a sleeping call: which, where it will go on, and its variables. */
export interface Frame {
  fn: string;
  pc: number;
  l: Record<string, Json>;
}

/** What a sleeping task waits for. */
export type Wait = { on: 'synchronize_srcu' } | { on: 'device_lock'; parent: string } | { on: 'kernfs_drain'; parent: string };

/** A task asleep inside a call: the call's continuation (daxlog.md §5). */
export interface Blocked {
  type: EventType;
  /** The line of the step that made the call. */
  line: number;
  /** The call's failure-injection sites, null where taken. */
  fail: (FailSite | null)[];
  /** The call's kernel functions, outermost first. */
  stack: Frame[];
  wait: Wait;
  /** When the task went to sleep: tasks wake in this order (daxlog ruling 13). */
  seq: number;
}

export interface KernelState {
  config: StateConfig;
  /** max(nr_dax, 256): the chrdev region and the minor IDA bound (dax_fs_init). */
  nrDax: number;
  nextId: ObjId;
  objects: Record<ObjId, AnyRecord>;
  /** The registry of handles: what each handle names now. */
  handles: Dict<Binding>;
  /** Objects that lost their handle while live: `<handle>~n` by handle and n. */
  displaced: Dict<Record<number, ObjId>>;
  minors: IdaState;
  srcu: Snapshot<DaxSrcuState, DaxSrcuContext>;
  rcu: RcuCallback[];
  parents: Dict<Parent>;
  /** /dev nodes: registered dev_dax devices by kernel name. */
  nodes: Dict<ObjId>;
  mm: AddressSpace;
  /** WARN_ONCE call sites that have fired. */
  warnedOnce: string[];
  blocked: Dict<Blocked>;
  sleepSeq: number;
  /** The tasks asleep on a parent device (device_lock, a kernfs drain), in the order they slept. */
  parentWaits: string[];
  /** Displaced objects that became final in the last step: they leave the registry next step. */
  retiring: ObjId[];
}

/**
 * A shallow copy of a state, field by field. A search copies the top of the state at nearly every
 * step; a literal of the one known shape costs a fraction of a generic copy (copyOf).
 */
export function copyState(s: KernelState): KernelState {
  const c: KernelState & { [MEMO]: undefined } = {
    [MEMO]: undefined,
    config: s.config,
    nrDax: s.nrDax,
    nextId: s.nextId,
    objects: s.objects,
    handles: s.handles,
    displaced: s.displaced,
    minors: s.minors,
    srcu: s.srcu,
    rcu: s.rcu,
    parents: s.parents,
    nodes: s.nodes,
    mm: s.mm,
    warnedOnce: s.warnedOnce,
    blocked: s.blocked,
    sleepSeq: s.sleepSeq,
    parentWaits: s.parentWaits,
    retiring: s.retiring,
  };
  return c;
}

/**
 * A state read back from JSON (or given by a user): the dictionaries get their null prototype
 * back. The state is otherwise taken as it is.
 */
export function fromJson(state: KernelState): KernelState {
  const nullProto = <T>(d: Dict<T>) => copyDict(d);
  const displaced = nullProto(state.displaced);
  return {
    ...state,
    handles: nullProto(state.handles),
    displaced,
    parents: nullProto(state.parents),
    nodes: nullProto(state.nodes),
    blocked: nullProto(state.blocked),
    srcu: { ...state.srcu, context: { ...state.srcu.context, readers: nullProto(state.srcu.context.readers) } },
  };
}

/**
 * Every object and NULL binding by the label it has now: each handle in the order it was first
 * bound, followed by its displaced objects `<handle>~<n>` in order of n.
 */
export function labelled(s: KernelState): [string, AnyRecord | NullBinding][] {
  const out: [string, AnyRecord | NullBinding][] = [];
  for (const h in s.handles) {
    const b = s.handles[h]!;
    out.push([h, typeof b === 'number' ? s.objects[b]! : b]);
    const older = s.displaced[h];
    if (older !== undefined) for (const n of Object.keys(older).map(Number).sort((x, y) => x - y)) out.push([`${h}~${n}`, s.objects[older[n]!]!]);
  }
  return out;
}
