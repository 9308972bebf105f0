// The modelled kernel: one KernelState (state.ts) and the step that folds a log's call into it.
// A step runs one kernel call as the log's task; kernel functions read the state and change it
// through the methods here, which keep every write copy-on-write: a state handed out by
// snapshot() or shared with a clone() is never written again, so a snapshot is a reference and
// a clone costs nothing until it is stepped. A kernel that shares nothing writes in place.
//
// Objects change only through their machines: send() runs the transition table compiled from
// the object's XState definition (compile.ts). With an inspector attached, real XState actors
// are driven beside the table so that the Stately inspector sees real XState.
//
// Blocking: a kernel function that can sleep (synchronize_srcu, device_lock, a kernfs drain) is
// written as the pieces between its sleep points (sleep.ts); a blocked call is its stack of
// frames, data in the state. After every step the kernel resumes, in the order they went to
// sleep, the tasks whose wait is over, within that step.
//
// Determinism: nothing here reads a clock, randomness or a module-level counter; the only
// sources of numbers are the log and the state's own allocators and counters.
import { createActor, type AnyActorRef, type InspectionEvent } from 'xstate';
import type { Branch } from './branches.ts';
import { PROGRAM } from './calls.ts';
import type { Snapshot } from './compile.ts';
import type { DaxSrcuContext, DaxSrcuEvent, DaxSrcuState } from './dax_srcu.ts';
import { KERNEL_FUNCTION, type EventOf, type EventType, type FailSite, type KernelEvent } from './events.ts';
import { mapped } from './mm_memory.ts';
import { MEMO, hashState } from './hash.ts';
import { newIda, type IdaState } from './ida.ts';
import { Oops, refuse, StepRecord, type Outcome, type Ret, type Woken } from './outcome.ts';
import type { ObjectKind, ObjId } from './records.ts';
import { FINAL, OBJECT_MACHINES, SRCU_MACHINE, type StateName } from './registry.ts';
import { run, type CallTable, type SleeperTable, type Step as SleepStep } from './sleep.ts';
import {
  copyDict,
  copyState,
  copyOf,
  dict,
  copyObjects,
  fromJson,
  type AnyRecord,
  type Blocked,
  type Binding,
  type Frame,
  type KernelState,
  type NullBinding,
  type Parent,
  type RecordOf,
  type StateConfig,
  type Wait,
} from './state.ts';
import { big, hex } from './u64.ts';

/** The kernel's configuration as a log's header gives it (daxlog.md §1). */
export interface KernelConfig {
  nr_dax: number;
  thp: 'always' | 'madvise' | 'never';
  pud: boolean;
  fs_dax: boolean;
  mmap_base: bigint;
}

export const DEFAULT_CONFIG: KernelConfig = { nr_dax: 32768, thp: 'always', pud: true, fs_dax: true, mmap_base: 0x7f0000000000n };

/** A config with any key left out (or undefined): those take DEFAULT_CONFIG's value. */
export type PartialConfig = { [K in keyof KernelConfig]?: KernelConfig[K] | undefined };

/** The kernel's program: a call per event type, and the sleeping functions by name. */
export interface KernelProgram {
  calls: CallTable;
  sleepers: SleeperTable;
}

/** Optional observers of a kernel; none of them is on the plain replay path when unset. */
export interface KernelHooks {
  /** XState's inspection callback: real actors are driven for every object and dax_srcu. */
  inspect?: (event: InspectionEvent) => void;
  /** Told each kernel branch a call takes (daxsim coverage). */
  branch?: (b: Branch) => void;
}

/** A task left blocked, as summaries list it. */
export interface BlockedTask {
  task: string;
  type: EventType;
  line: number;
  where: string;
}

/** The failure-injection sites of the call being run. */
class FailSites {
  constructor(readonly left: (FailSite | null)[]) {}
  static none(): FailSites {
    return new FailSites([]);
  }
  /** The call reached `site`: true when it must fail there (its next listed use is taken). */
  take(site: FailSite): boolean {
    const i = this.left.indexOf(site);
    if (i < 0) return false;
    this.left[i] = null;
    return true;
  }
  /** Log error for the first listed site the call never reached. */
  checkReached(line?: number): void {
    const i = this.left.findIndex((s) => s !== null);
    if (i >= 0) refuse(['event', 'fail', i], `event.fail: this call never reaches the site ${JSON.stringify(this.left[i])}`, line);
  }
}

/** A whole config from a partial one: what is not given (or given as undefined) is the default. */
export function withDefaults(config: PartialConfig = {}): KernelConfig {
  const c: KernelConfig = { ...DEFAULT_CONFIG };
  for (const k of Object.keys(c) as (keyof KernelConfig)[]) if (config[k] !== undefined) (c as unknown as Record<string, unknown>)[k] = config[k];
  return c;
}

export function initialState(partial: PartialConfig = {}): KernelState {
  const config = withDefaults(partial);
  const c: StateConfig = { nr_dax: config.nr_dax, thp: config.thp, pud: config.pud, fs_dax: config.fs_dax, mmap_base: hex(config.mmap_base) };
  // The hash slot first, as copyState makes its copies: every state then has one hidden class,
  // and code the compiler specialised for one is not thrown away when it meets the other.
  const s: KernelState & { [MEMO]: undefined } = {
    [MEMO]: undefined,
    config: c,
    nrDax: Math.max(config.nr_dax, 256),
    nextId: 1,
    objects: {},
    handles: dict(),
    displaced: dict(),
    minors: newIda(),
    srcu: SRCU_MACHINE.compiled.initial(undefined as never),
    rcu: [],
    parents: dict(),
    nodes: dict(),
    mm: { vmas: [], pud: { i: [], e: [] } },
    warnedOnce: [],
    blocked: dict(),
    sleepSeq: 0,
    parentWaits: [],
    retiring: [],
  };
  return s;
}

/** A kernel's mark of ownership (compared by identity only). */
type Mark = object;
const OWNER = Symbol('owner');
type Marked = { [OWNER]?: Mark };

export class Kernel {
  /** The state; kernel functions read it freely and write it only through w() and the rest. */
  s: KernelState;
  /** The task making the current call (current->comm). */
  current = 'main';
  /** The failure-injection sites of the current call. */
  fail = FailSites.none();
  readonly record = new StepRecord();
  /**
   * The mark of the objects created or written since the state was last shared (each carries it
   * under a symbol that copies, JSON and the hash skip); null: nothing is shared. A new mark,
   * made whenever the state is shared, leaves every older one stale: no set to clear or grow.
   */
  private owned: Mark | null = null;
  /** Real actors per object id (and -1 for dax_srcu), only while an inspector is attached. */
  private actors: Map<number, AnyActorRef> | undefined;
  /** The mmap_base of the config, decoded once. */
  readonly mmapBase: bigint;

  /**
   * A kernel in its initial state for a config (any key left out takes its default), or in a
   * state from snapshot(). Every modelled call is in the default program; `program` replaces it
   * (tests that break one rule on purpose). Events are taken as the log reader makes them (u64s
   * as bigints, handles checked by the call table): src/embed.ts takes them as a log spells them.
   */
  constructor(
    config: PartialConfig | KernelState = {},
    readonly program: KernelProgram = PROGRAM,
    private hooks: KernelHooks = {},
    /** clone()'s own: the kernel whose (shared) state this one starts from. */
    from?: Kernel,
  ) {
    if (from !== undefined) {
      // Made by the constructor, not Object.create and a copy of the fields: every kernel then
      // has one hidden class, and a search makes one per step.
      this.s = from.snapshot();
      this.owned = {};
      this.current = from.current;
      this.fail = from.fail;
      this.mmapBase = from.mmapBase;
      return;
    }
    this.s = 'objects' in config ? fromJson(config) : initialState(config);
    if ('objects' in config) this.owned = {};
    this.mmapBase = big(this.s.config.mmap_base);
    if (hooks.inspect !== undefined) this.startActors();
  }

  get config(): StateConfig {
    return this.s.config;
  }

  // ---- the state as a value ----

  /**
   * Deep-freezes every state a kernel shares (tests set it): a kernel function that wrote a
   * shared state in place, instead of copying it first, then fails where it writes.
   */
  static freezeShared = false;

  /** The current state. It is shared from now on: later steps copy what they write. */
  snapshot(): KernelState {
    this.owned = {};
    if (Kernel.freezeShared) deepFreeze(this.s);
    return this.s;
  }

  /** Goes back to a state (one from snapshot(), or one read back from JSON). */
  restore(state: KernelState): void {
    this.s = fromJson(state);
    this.owned = {};
    if (this.hooks.inspect !== undefined) this.startActors();
  }

  /** A kernel with this one's state, stepped independently of it (neither writes the other's). */
  clone(): Kernel {
    return new Kernel({}, this.program, {}, this);
  }

  /** A canonical hash of the state: equal states hash equally, across runs and processes. */
  hash(): string {
    return hashState(this.s);
  }

  // ---- copy-on-write ----

  /** x itself when this kernel may write it, else a shallow copy it may write. */
  own<T extends object>(x: T): T {
    return this.cow(x, shallowCopy);
  }

  /**
   * Copy-on-write: x itself when this kernel may write it, else copy(x, the next object id),
   * marked as this kernel's to write. own() copies any object or list; the state's top level
   * and its table of objects have copies of their own (copyState, copyObjects).
   */
  private cow<T extends object>(x: T, copy: (x: T, nextId: number) => T): T {
    const owned = this.owned;
    if (owned === null || (x as Marked)[OWNER] === owned) return x;
    const c = copy(x, this.s.nextId);
    (c as Marked)[OWNER] = owned;
    return c;
  }

  /** Marks an object this kernel just made as its own to write. */
  private mine(x: object): void {
    if (this.owned !== null) (x as Marked)[OWNER] = this.owned;
  }

  /** The state, writable at its top level. */
  w(): KernelState {
    return (this.s = this.cow(this.s, copyState));
  }

  /** A writable field of the state's top level (the table of objects, the parents, ...). */
  wf<K extends keyof KernelState>(key: K): KernelState[K] {
    const s = this.w();
    return (s[key] = this.own(s[key] as object) as KernelState[K]);
  }

  // ---- objects ----

  /** The object with id, which must exist. */
  obj<K extends ObjectKind>(id: ObjId, _kind?: K): RecordOf<K> {
    const o = this.s.objects[id];
    if (o === undefined) throw new Error(`bug: no object ${id}`);
    return o as RecordOf<K>;
  }

  /** The object with id, or undefined when it was forgotten (final and unnamed). */
  find<K extends ObjectKind>(id: ObjId, _kind?: K): RecordOf<K> | undefined {
    return this.s.objects[id] as RecordOf<K> | undefined;
  }

  /**
   * The table of objects, writable. While ids are few (an explorer's states) it is copied by
   * index: a copy through its keys goes through their strings, three times slower.
   */
  private objectsW(): KernelState['objects'] {
    const s = this.w();
    return (s.objects = this.cow(s.objects, copyObjects));
  }

  /** A writable copy of the object, put in its place. */
  objW<K extends ObjectKind>(id: ObjId, _kind?: K): RecordOf<K> {
    const objects = this.objectsW();
    return (objects[id] = this.own(objects[id]!)) as RecordOf<K>;
  }

  /** Sends an event to an object's machine, failing loudly if no transition takes it. */
  send<K extends ObjectKind>(id: ObjId, event: { type: string } & Record<string, unknown>, _kind?: K): RecordOf<K> {
    const o = this.obj(id);
    const machine = OBJECT_MACHINES[o.kind].compiled as unknown as { transition(v: string, c: unknown, e: unknown): Snapshot | undefined };
    const next = machine.transition(o.value, o.context, event);
    if (next === undefined) throw new Error(`bug: ${o.label} (${o.value}) has no transition for ${event.type}`);
    this.record.touch(id, o.value as StateName);
    const w = this.objW(id);
    w.value = next.value as never;
    w.context = next.context as never;
    this.actors?.get(id)?.send(event);
    return w as RecordOf<K>;
  }

  /** Makes a new object of kind under handle and binds the handle to it (the caller claimed it). */
  create<K extends ObjectKind>(kind: K, handle: string, input: unknown, extra: object = {}): RecordOf<K> {
    const s = this.w();
    const id = s.nextId++;
    const first = OBJECT_MACHINES[kind].compiled.initial(input as never);
    const rec = { id, kind, handle, label: handle, value: first.value, context: first.context, ...extra } as unknown as RecordOf<K>;
    this.mine(rec);
    this.objectsW()[id] = rec;
    this.bind(handle, id);
    this.record.touch(id, null);
    if (this.actors !== undefined) this.startActor(id, kind, handle, input);
    return rec;
  }

  /** Whether an object is still live: not final (a closed file is live while a mapping holds it). */
  live(o: AnyRecord): boolean {
    if (o.kind === 'file') return !(o.value === 'closed' && o.context.fcount === 0);
    return !OBJECT_MACHINES[o.kind].compiled.finals.has(o.value as never);
  }

  // ---- handles (daxlog.md §2) ----

  /**
   * The live object a new one under `handle` would displace, if any. A closed file is final for
   * its handle even while a mapping still holds the struct file.
   */
  liveAt(handle: string): AnyRecord | undefined {
    const b = this.s.handles[handle];
    if (typeof b !== 'number') return undefined;
    const o = this.s.objects[b];
    return o !== undefined && this.live(o) && o.value !== 'closed' ? o : undefined;
  }

  /** Log error unless handle is free for a new object (unused, final, or a NULL result). */
  claim(handle: string, path: (string | number)[]): void {
    const live = this.liveAt(handle);
    if (live !== undefined) {
      refuse(path, `${path.join('.')}: ${JSON.stringify(handle)} still names a live ${live.kind} (state ${live.value}); a handle can be reused once its object is final`);
    }
  }

  /** What a handle names, which must be of `kind`: an object id, or a NULL binding. */
  lookup(handle: string, kind: ObjectKind, path: (string | number)[]): ObjId | NullBinding {
    const b = this.s.handles[handle];
    if (b === undefined) refuse(path, `${path.join('.')}: no ${kind} was created under the handle ${JSON.stringify(handle)}`);
    const found = typeof b === 'number' ? this.obj(b).kind : b.kind;
    if (found !== kind) refuse(path, `${path.join('.')}: ${JSON.stringify(handle)} names a ${found}, expected a ${kind}`);
    return b;
  }

  /** Binds handle to a NULL or ERR_PTR result. */
  bindNull(kind: ObjectKind, handle: string, ptr: string): void {
    this.bind(handle, { kind, handle, ptr });
  }

  /** Binds handle; a still-live holder of the handle becomes `<handle>~<n>`. */
  private bind(handle: string, b: Binding): void {
    const old = this.s.handles[handle];
    if (typeof old === 'number') {
      const o = this.find(old);
      if (o !== undefined && this.live(o)) {
        const displaced = this.wf('displaced');
        const older = (displaced[handle] = displaced[handle] === undefined ? {} : this.own(displaced[handle]!));
        let n = 1;
        while (older[n] !== undefined) n++;
        older[n] = old;
        this.objW(old).label = `${handle}~${n}`;
      } else this.forget(old);
    }
    this.wf('handles')[handle] = b;
  }

  /** An object that lost its place in the registry while final: dropped unless still pointed at. */
  private forget(id: ObjId): void {
    const o = this.find(id);
    if (o === undefined) return;
    const pointedAt = o.kind === 'dax_region' || (o.kind === 'dax_device' && o.owner !== null && this.find(o.owner) !== undefined) || this.sleepersHold(id);
    if (pointedAt) return;
    delete this.objectsW()[id];
    this.actors?.get(id)?.stop();
    this.actors?.delete(id);
  }

  /** Whether a sleeping call's variables may point at the object (a kill waiting on a device). */
  private sleepersHold(id: ObjId): boolean {
    for (const task in this.s.blocked) {
      for (const f of this.s.blocked[task]!.stack) for (const k in f.l) if (f.l[k] === id) return true;
    }
    return false;
  }

  /** A displaced object that reached its final state gives up its `~n` and is forgotten. */
  private retire(o: AnyRecord): void {
    if (o.label === o.handle) return;
    const displaced = this.wf('displaced');
    const older = (displaced[o.handle] = this.own(displaced[o.handle]!));
    delete older[Number(o.label.slice(o.handle.length + 1))];
    if (Object.keys(older).length === 0) delete displaced[o.handle];
    this.forget(o.id);
  }

  /** The state of whatever a label names now: a handle, or `<handle>~<n>`. */
  stateOf(label: string): StateName | null {
    const m = /^(.*)~(\d+)$/.exec(label);
    const id = m ? this.s.displaced[m[1]!]?.[Number(m[2])] : this.s.handles[label];
    if (typeof id !== 'number') return null;
    return (this.find(id)?.value as StateName | undefined) ?? null;
  }

  // ---- the rest of the state ----

  /** An IDA, writable with its heap of free ids (the minor IDA, or a region's). */
  private idaW(ida: IdaState): IdaState {
    const w = this.own(ida);
    w.free = this.own(w.free);
    return w;
  }

  /** dax_minor_ida, writable. */
  minorsW(): IdaState {
    return (this.w().minors = this.idaW(this.s.minors));
  }

  /** A region's IDA of dev_dax ids, writable. */
  regionIdaW(region: ObjId): IdaState {
    const r = this.objW(region, 'dax_region');
    return (r.ida = this.idaW(r.ida));
  }

  /** The parent device of that name, made on first use, writable. */
  parentW(name: string): Parent {
    const parents = this.wf('parents');
    const p = parents[name];
    if (p === undefined) {
      // No reader inside a show() yet: the shared empty list (readers replace it, never change it).
      const made: Parent = { name, driver: null, drvdata: null, devres: [], group: null, groupReaders: NO_READERS, lockOwner: null };
      this.mine(made);
      return (parents[name] = made);
    }
    return (parents[name] = this.own(p));
  }

  /** Sends an event to the dax_srcu domain's machine (it must take it). */
  srcuSend(event: DaxSrcuEvent): Snapshot<DaxSrcuState, DaxSrcuContext> {
    const s = this.s.srcu;
    // The machine's actions change its lists and records in place (dax_srcu.ts): a shared
    // context is copied, with them, before they do.
    let ctx = s.context;
    if (this.owned !== null && (ctx as Marked)[OWNER] !== this.owned) ctx = srcuCopy(ctx);
    const next = SRCU_MACHINE.compiled.transition(s.value, ctx, event);
    if (next === undefined) throw new Error(`bug: dax_srcu (${s.value}) has no transition for ${event.type}`);
    this.mine(next.context);
    this.w().srcu = { value: next.value, context: next.context };
    this.actors?.get(-1)?.send(event);
    return this.s.srcu;
  }

  // ---- what a call reports ----

  warn(text: string): void {
    (this.record.warn ??= []).push(text);
  }

  /** WARN_ONCE: fires the first time per run for its call site. */
  warnOnce(site: string, text: string): void {
    if (this.s.warnedOnce.includes(site)) return;
    this.wf('warnedOnce').push(site);
    this.warn(text);
  }

  printk(level: 'info' | 'warn' | 'debug', message: string): void {
    (this.record.log ??= []).push(`${level}: ${message}`);
  }

  /** Marks a kernel branch as taken; nothing happens unless coverage is listening. */
  hit(b: Branch): void {
    this.hooks.branch?.(b);
  }

  // ---- the step ----

  /** Replays one step of `task`; log errors are thrown as StepError. */
  step(task: string, event: KernelEvent, line: number): Outcome {
    const waiting = this.s.blocked[task];
    if (waiting !== undefined) {
      refuse(['task'], `task ${JSON.stringify(task)} is blocked in ${KERNEL_FUNCTION[waiting.type]} (line ${waiting.line}) and cannot make another call until it is woken`);
    }
    if (this.s.retiring.length > 0) {
      for (const id of this.s.retiring) this.retire(this.obj(id));
      this.w().retiring = [];
    }
    this.record.clear();
    this.current = task;
    this.fail = event.fail === undefined ? FailSites.none() : new FailSites([...event.fail]);
    let ret: Ret | undefined;
    let blocked = false;
    let oopsed: string | undefined;
    try {
      const call = this.program.calls[event.type];
      if ('run' in call) ret = (call.run as (k: Kernel, e: KernelEvent) => Ret)(this, event);
      else {
        const stack: Frame[] = [{ fn: call.sleeps, pc: 0, l: (call.frame as (k: Kernel, e: KernelEvent) => Frame['l'])(this, event) }];
        const r = run(this, this.program.sleepers, stack);
        if ('sleep' in r) {
          this.block(task, event.type, line, stack, r.sleep);
          blocked = true;
        } else ret = r.ret;
      }
      if (!blocked) this.fail.checkReached();
    } catch (e) {
      if (!(e instanceof Oops)) throw e;
      // Most oopses come before the call changes anything. One met midway (a release that
      // reaches memory an earlier put of the log freed) keeps what the call did up to the
      // crash, as it does for a woken call (daxlog ruling 14).
      oopsed = e.reason;
    }
    this.wakeReady();
    return this.finish(ret, blocked, oopsed);
  }

  /**
   * step() for a load or store that an entry already maps (most steps of a long log): the same
   * outcome and the same (unchanged) state, without the call table, the failure sites, the
   * wake-ups and the outcome's assembly, which such an access needs none of. Undefined, having
   * done nothing, for any other access, or whenever step() would do more (the task asleep, an
   * object to retire, inspection on, a program that changes vma.access): step() takes it then.
   */
  accessHit(task: string, e: EventOf<'vma.access'>): Outcome | undefined {
    const s = this.s;
    if (this.actors !== undefined || this.program.calls['vma.access'] !== PROGRAM.calls['vma.access']) return undefined;
    if (s.blocked[task] !== undefined || s.retiring.length > 0 || s.srcu.context.done.length > 0 || s.parentWaits.length > 0) return undefined;
    const b = s.handles[e.vma];
    const vma = typeof b === 'number' ? s.objects[b] : undefined;
    if (vma === undefined || vma.kind !== 'mapping' || vma.value === 'unmapped') return undefined;
    const rec = this.record;
    rec.clear();
    if (!mapped(this, vma.context, e)) return undefined;
    this.current = task;
    this.fail = FailSites.none();
    const phys = rec.phys!;
    return { ret: 0, state: NO_CHANGE, map: rec.map!, phys: hex(typeof phys === 'number' ? BigInt(phys) : phys), attempts: rec.attempts! };
  }

  /** Tasks still blocked, in the order they went to sleep, with the call and line they wait in. */
  blockedTasks(): BlockedTask[] {
    const b = this.s.blocked;
    return Object.keys(b)
      .sort((x, y) => b[x]!.seq - b[y]!.seq)
      .map((task) => ({ task, type: b[task]!.type, line: b[task]!.line, where: waitName(b[task]!.wait) }));
  }

  private block(task: string, type: EventType, line: number, stack: Frame[], wait: Wait): void {
    const s = this.w();
    const entry: Blocked = { type, line, fail: this.fail.left, stack, wait, seq: s.sleepSeq++ };
    this.mine(entry);
    this.wf('blocked')[task] = entry;
    if (wait.on !== 'synchronize_srcu') this.wf('parentWaits').push(task);
    this.hit('task:blocked');
  }

  /**
   * Resumes, in the order they went to sleep, every blocked task whose wait is over. The tasks
   * whose grace period ended come from dax_srcu's `done` list, taken in one go; device_lock
   * and kernfs drains are looked up among the few tasks waiting on them.
   */
  private wakeReady(): void {
    let srcuDone: string[] = [];
    let next = 0;
    for (;;) {
      if (next === srcuDone.length && this.s.srcu.context.done.length > 0) {
        srcuDone = this.s.srcu.context.done;
        next = 0;
        this.srcuSend({ type: 'dax_srcu.woken' });
      }
      let task: string | undefined = srcuDone[next];
      let seq = task === undefined ? Infinity : this.s.blocked[task]!.seq;
      const other = this.readyOther(seq);
      if (other !== undefined) task = other;
      else if (task !== undefined) next++;
      if (task === undefined) return;
      this.resume(task);
    }
  }

  /**
   * The earliest task (before seq) whose device_lock is free or whose drain is over. Only the
   * tasks asleep on a parent are looked at (parentWaits, in the order they went to sleep).
   */
  private readyOther(before: number): string | undefined {
    for (const task of this.s.parentWaits) {
      const b = this.s.blocked[task]!;
      if (b.seq >= before) return undefined;
      if (b.wait.on === 'synchronize_srcu') continue;
      const p = this.s.parents[b.wait.parent]!;
      if (b.wait.on === 'device_lock' ? p.lockOwner === null : p.groupReaders.length === 0) return task;
    }
    return undefined;
  }

  private resume(task: string): void {
    const b = this.s.blocked[task]!;
    delete this.wf('blocked')[task];
    if (b.wait.on !== 'synchronize_srcu') this.w().parentWaits = this.s.parentWaits.filter((t) => t !== task);
    this.current = task;
    this.fail = new FailSites(this.owned === null ? b.fail : [...b.fail]);
    const stack = this.owned === null ? b.stack : b.stack.map((f) => ({ fn: f.fn, pc: f.pc, l: copyOf(f.l) }));
    let woken: Woken;
    try {
      const r = run(this, this.program.sleepers, stack);
      if ('sleep' in r) {
        this.block(task, b.type, b.line, stack, r.sleep); // sleeps again, now last in line
        this.hit('task:sleeps_again');
        return;
      }
      woken = { task, type: b.type, ret: r.ret, line: b.line };
      this.hit('task:woken');
      this.fail.checkReached(b.line);
    } catch (e) {
      if (!(e instanceof Oops)) throw e;
      woken = { task, type: b.type, line: b.line, oops: e.reason };
    }
    (this.record.woke ??= []).push(woken);
  }

  /** The outcome, keys in the order of daxlog.md §4; objects that became final are retired. */
  private finish(ret: Ret | undefined, blocked: boolean, oopsed: string | undefined): Outcome {
    const rec = this.record;
    const out: Outcome = ret === undefined ? { state: NO_CHANGE } : { ret, state: NO_CHANGE };
    if (rec.touched !== undefined) {
      out.state = {};
      const done: ObjId[] = [];
      for (const [id, before] of rec.touched) {
        const o = this.find(id);
        if (o === undefined) continue;
        if (o.value !== before) setOwn(out.state, o.label, o.value as StateName);
        if (!this.live(o) && o.label !== o.handle) done.push(id);
      }
      // A displaced object that became final keeps its label until the next step begins.
      if (done.length > 0) this.w().retiring = done;
    }
    if (rec.warn !== undefined) out.warn = rec.warn;
    if (rec.log !== undefined) out.log = rec.log;
    if (blocked) out.blocked = true;
    if (rec.woke !== undefined) out.woke = rec.woke;
    if (oopsed !== undefined) out.oops = oopsed;
    if (rec.map !== undefined) out.map = rec.map;
    if (rec.phys !== undefined) out.phys = hex(typeof rec.phys === 'number' ? BigInt(rec.phys) : rec.phys);
    if (rec.attempts !== undefined) out.attempts = rec.attempts;
    if (rec.minor !== undefined) out.minor = rec.minor;
    return out;
  }

  // ---- real actors, for the inspector ----

  /**
   * Starts an actor for dax_srcu and for every object that is not final, each in the state the
   * kernel's state gives it (a restored kernel's actors start where its objects are); actors of
   * an earlier state are stopped.
   */
  private startActors(): void {
    for (const a of this.actors?.values() ?? []) a.stop();
    this.actors = new Map();
    const inspect = this.hooks.inspect!;
    const srcu = SRCU_MACHINE.compiled.definition;
    // The actor's actions change its context in place, as the kernel's do: it gets its own.
    const srcuSnapshot = srcu.resolveState({ value: this.s.srcu.value, context: srcuCopy(this.s.srcu.context) });
    this.actors.set(-1, createActor(srcu, { id: 'dax_srcu', inspect, snapshot: srcuSnapshot }).start());
    for (const key in this.s.objects) {
      const o = this.s.objects[key]!;
      const machine = OBJECT_MACHINES[o.kind].compiled.definition;
      if (machine.getStateNodeById(`${machine.id}.${o.value}`).type === 'final') continue;
      const snapshot = machine.resolveState({ value: o.value, context: o.context as never });
      this.actors.set(o.id, createActor(machine, { id: o.handle, inspect, snapshot } as never).start());
    }
  }

  private startActor(id: ObjId, kind: ObjectKind, name: string, input: unknown): void {
    const machine = OBJECT_MACHINES[kind].compiled.definition;
    this.actors!.set(id, createActor(machine, { id: name, input, inspect: this.hooks.inspect } as never).start());
  }

  /**
   * Attaches XState's inspection callback from now on: real actors start for dax_srcu and every
   * object, in the states they are in, and take the events that follow.
   */
  inspectWith(inspect: (event: InspectionEvent) => void): void {
    this.hooks = { ...this.hooks, inspect };
    this.startActors();
  }

  /** Stops the real actors (inspection only); the kernel goes on without them. */
  stopActors(): void {
    for (const a of this.actors?.values() ?? []) a.stop();
    this.actors = undefined;
  }

  /** The real actor of an object (inspection only). */
  actorOf(id: ObjId): AnyActorRef | undefined {
    return this.actors?.get(id);
  }
}

/** A shallow copy of an object or a list. */
function shallowCopy<T extends object>(x: T): T {
  return (Array.isArray(x) ? x.slice() : copyOf(x)) as T;
}

/** A copy of dax_srcu's context that its actions may change in place (they change its lists). */
function srcuCopy(c: DaxSrcuContext): DaxSrcuContext {
  return { idx: c.idx, readers: copyDict(c.readers), counts: copyOf(c.counts), waiters: c.waiters.slice(), done: c.done.slice() };
}

function deepFreeze(x: unknown): void {
  if (x === null || typeof x !== 'object' || Object.isFrozen(x)) return;
  Object.freeze(x);
  for (const v of Object.values(x)) deepFreeze(v);
}

/** The kernel function a sleeping task waits in, for people: "synchronize_srcu", "device_lock(pfn0)". */
export function waitName(w: Wait): string {
  return w.on === 'synchronize_srcu' ? w.on : w.on === 'device_lock' ? `device_lock(${w.parent})` : `kernfs_drain(${w.parent}/dax_region)`;
}

/** o[k] = v as an own property, even for a label such as "__proto__". */
function setOwn<T>(o: Record<string, T>, k: string, v: T): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** A parent's list of readers inside a show() while there are none (shared; never written to). */
const NO_READERS: string[] = Object.freeze([]) as unknown as string[];

/** The state of an outcome in which no object changed (shared; never written to). */
const NO_CHANGE: Outcome['state'] = Object.freeze({}) as Outcome['state'];

/** FINAL, re-exported for callers that check final states. */
export { FINAL };
export type { SleepStep };
