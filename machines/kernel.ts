// The composition: one modelled kernel that the log's steps drive. It owns the global state
// of super.c (the minor IDA, dax_srcu, the RCU callback queue, WARN_ONCE latches), the
// registry of objects by handle, and the tasks. Kernel functions live beside the machines
// (super.ts for super.c); a step runs one of them as the log's task.
//
// Blocking: a kernel function that can sleep (synchronize_srcu, device_lock, a kernfs drain)
// is a generator that yields what it waits for (calls.ts). Its task is then blocked; after
// every step the kernel resumes, in the order they went to sleep, the tasks whose wait is over,
// within that step.
//
// Determinism: nothing here reads a clock, randomness or a module-level counter; the only
// sources of numbers are the log and the modelled allocators.
import { createActor, type Actor, type ActorOptions, type AnyStateMachine, type InputFrom, type InspectionEvent } from 'xstate';
import { daxSrcuMachine, graceOver, readerOf } from './dax_srcu.ts';
import { KERNEL_FUNCTION, type EventType, type KernelEvent, type ObjectKind } from './events.ts';
import type { Branch } from './branches.ts';
import type { DevDax } from './device.ts';
import { ParentDevice } from './driver.ts';
import { Ida } from './ida.ts';
import { AddressSpace } from './mm.ts';
import { KObject, NullObject, Registry, type Named, type RegistryChange } from './objects.ts';
import { FailSites, type CallTable, type KernelCall, type RcuCallback, type Sleeps, type Wait } from './calls.ts';
import { Oops, refuse, StepRecord, type Outcome, type Ret, type Woken } from './outcome.ts';
import { SUPER_CALLS } from './super.ts';

export { FailSites, type CallTable, type KernelCall, type RcuCallback, type Sleeps, type Wait } from './calls.ts';

export interface KernelConfig {
  /** The dax.nr_dax module parameter as given; the bound in force is max(nr_dax, 256). */
  nr_dax: number;
  thp: 'always' | 'madvise' | 'never';
  pud: boolean;
  fs_dax: boolean;
  mmap_base: bigint;
}

interface Blocked {
  call: Sleeps;
  type: EventType;
  line: number;
  fail: FailSites;
  wait: Wait;
}

/** Optional observers of a kernel; none of them is on the plain replay path when unset. */
export interface KernelHooks {
  /** XState's inspection callback, given to every actor the kernel creates. */
  inspect?: (event: InspectionEvent) => void;
  /** Told each kernel branch a call takes (daxsim coverage). */
  branch?: (b: Branch) => void;
  /** Told each change of the registry of objects (the viewer). */
  journal?: (obj: Named, change: RegistryChange) => void;
}

export class Kernel {
  /** max(nr_dax, 256): the chrdev region and the minor IDA bound (dax_fs_init). */
  readonly nrDax: number;
  readonly minors = new Ida();
  readonly srcu: Actor<typeof daxSrcuMachine>;
  readonly objects: Registry;
  rcuQueue: RcuCallback[] = [];
  /** Parent devices of regions, by name. */
  readonly parents = new Map<string, ParentDevice>();
  /** /dev nodes: registered dev_dax devices by kernel name. */
  readonly nodes = new Map<string, DevDax>();
  /** The one address space all tasks of the log share. */
  readonly mm: AddressSpace;
  /** WARN_ONCE call sites that have fired. */
  readonly warnedOnce = new Set<string>();
  /** The task making the current call (current->comm), and the step being replayed. */
  current = 'main';
  private rec = new StepRecord();
  private readonly blocked = new Map<string, Blocked>();
  private readonly calls: CallTable<EventType>;
  private retireNext: KObject[] = [];

  constructor(
    readonly config: KernelConfig,
    calls: Partial<CallTable<EventType>> = {},
    private readonly hooks: KernelHooks = {},
  ) {
    this.nrDax = Math.max(config.nr_dax, 256);
    this.objects = new Registry(hooks.journal);
    this.srcu = this.actor(daxSrcuMachine, 'dax_srcu', undefined);
    this.mm = new AddressSpace(config.mmap_base);
    this.calls = { ...UNMODELLED, ...SUPER_CALLS, ...calls } as CallTable<EventType>;
  }

  /** Replays one step of `task`; log errors are thrown as StepError. */
  step(task: string, event: KernelEvent, line: number): Outcome {
    if (this.retireNext.length > 0) {
      for (const obj of this.retireNext) this.objects.retire(obj);
      this.retireNext = [];
    }
    const waiting = this.blocked.get(task);
    if (waiting !== undefined) {
      refuse(['task'], `task ${JSON.stringify(task)} is blocked in ${KERNEL_FUNCTION[waiting.type]} (line ${waiting.line}) and cannot make another call until it is woken`);
    }
    this.rec.clear();
    this.current = task;
    const fail = event.fail === undefined ? FailSites.NONE : new FailSites(event.fail);
    // What the call itself gave; finish() adds what the step recorded.
    let ret: Ret | undefined;
    let blocked = false;
    let oopsed: string | undefined;
    try {
      const r = (this.calls[event.type] as KernelCall)(this, event, fail);
      if (isSleeping(r)) {
        const n = r.next();
        if (n.done) ret = n.value;
        else {
          this.blocked.set(task, { call: r, type: event.type, line, fail, wait: n.value });
          blocked = true;
          this.hit('task:blocked');
        }
      } else ret = r;
      if (!blocked) fail.checkReached();
    } catch (e) {
      if (!(e instanceof Oops)) throw e;
      // Most oopses come before the call changes anything. One found midway (a release that
      // meets memory an earlier put of the log freed) leaves the state as it was at the crash,
      // as it does for a woken call.
      oopsed = e.reason;
    }
    this.wakeReady();
    return this.finish(ret, blocked, oopsed);
  }

  /** Tasks still blocked, with the call and line they wait in. */
  blockedTasks(): { task: string; type: EventType; line: number; where: string }[] {
    return [...this.blocked].map(([task, b]) => ({ task, type: b.type, line: b.line, where: b.wait.where }));
  }

  // ---- helpers for kernel functions ----

  warn(text: string): void {
    (this.rec.warn ??= []).push(text);
  }

  /** Marks a kernel branch as taken; nothing happens unless coverage is listening. */
  hit(b: Branch): void {
    this.hooks.branch?.(b);
  }

  /** WARN_ONCE: fires the first time per run for its call site. */
  warnOnce(site: string, text: string): void {
    if (this.warnedOnce.has(site)) return;
    this.warnedOnce.add(site);
    (this.rec.warn ??= []).push(text);
  }

  printk(level: 'info' | 'warn' | 'debug', message: string): void {
    (this.rec.log ??= []).push(`${level}: ${message}`);
  }

  get record(): StepRecord {
    return this.rec;
  }

  /** The objects the last step sent events to or created (for viewers). */
  get touched(): Iterable<KObject> {
    return this.rec.touched?.keys() ?? [];
  }

  /** Sends an event to an object's actor, failing loudly if no transition takes it. */
  send<E extends { type: string }>(obj: KObject, event: E): void {
    const actor = obj.actor as Actor<any>;
    this.rec.touch(obj);
    const before = actor.getSnapshot();
    actor.send(event);
    // XState ignores an event no transition takes and keeps the very same snapshot; every
    // transition of these machines assigns or moves, so a kept snapshot means an ignored call.
    // (Checking after the send costs nothing; snapshot.can() would compute the transition twice.)
    if (actor.getSnapshot() === before) throw new Error(`bug: ${obj.label} (${obj.state}) has no transition for ${event.type}`);
  }

  /** Registers a new object under handle (the caller checked the handle is free). */
  adopt<O extends KObject>(obj: O): O {
    this.objects.bind(obj.handle, obj);
    this.rec.touch(obj, true);
    return obj;
  }

  bindNull(kind: ObjectKind, handle: string, ptr: string): void {
    this.objects.bind(handle, new NullObject(kind, handle, ptr));
  }

  /** Log error unless handle is free for a new object (unused, final, or a NULL result). */
  claim(handle: string, path: (string | number)[]): void {
    const live = this.objects.liveAt(handle);
    if (live !== undefined) {
      refuse(path, `${path.join('.')}: ${JSON.stringify(handle)} still names a live ${live.kind} (state ${live.state}); a handle can be reused once its object is final`);
    }
  }

  /** The object a handle names, which must be of `kind`. */
  lookup(handle: string, kind: ObjectKind, path: (string | number)[]): Named {
    const obj = this.objects.get(handle);
    if (obj === undefined) refuse(path, `${path.join('.')}: no ${kind} was created under the handle ${JSON.stringify(handle)}`);
    if (obj.kind !== kind) refuse(path, `${path.join('.')}: ${JSON.stringify(handle)} names a ${obj.kind}, expected a ${kind}`);
    return obj;
  }

  /** Does the current task hold a dax_read_lock? (lockdep's view) */
  holdsReadLock(task = this.current): boolean {
    return readerOf(this.srcu.getSnapshot().context, task) >= 0;
  }

  /** synchronize_srcu(&dax_srcu) for the current task; yields while it has to wait. */
  *synchronizeSrcu(): Sleeps {
    if (this.holdsReadLock()) {
      this.hit('synchronize_srcu:in_read_section');
      this.warn('suspicious RCU usage: Illegal synchronize_srcu() in same-type SRCU (or in RCU) read-side critical section');
    }
    const task = this.current;
    this.srcu.send({ type: 'dax_srcu.synchronize', task });
    const waiter = () => this.srcu.getSnapshot().context.waiters.find((w) => w.task === task);
    if (waiter() === undefined) {
      this.hit('synchronize_srcu:no_readers');
      return 0;
    }
    this.hit('synchronize_srcu:waits');
    yield {
      where: 'synchronize_srcu',
      ready: () => {
        const w = waiter();
        return w !== undefined && graceOver(this.srcu.getSnapshot().context, w);
      },
      wake: () => this.srcu.send({ type: 'dax_srcu.synchronized', task }),
    };
    return 0;
  }

  /**
   * Creates and starts the actor of a kernel object, named by its handle. Every object is a root
   * actor of its own (never a child of one parent: spawning thousands of children is quadratic
   * in XState 5).
   */
  actor<M extends AnyStateMachine>(machine: M, id: string, input: InputFrom<M>): Actor<M> {
    const options: ActorOptions<M> = this.hooks.inspect === undefined ? { id, input } : { id, input, inspect: this.hooks.inspect };
    return (createActor as (m: M, o: ActorOptions<M>) => Actor<M>)(machine, options).start();
  }

  /** The parent device of that name, made on first use. */
  parent(name: string): ParentDevice {
    let p = this.parents.get(name);
    if (p === undefined) this.parents.set(name, (p = new ParentDevice(name)));
    return p;
  }

  callRcu(cb: RcuCallback): void {
    this.rcuQueue.push(cb);
  }

  // ---- internals ----

  /** Resumes, in the order they went to sleep, every blocked task whose wait is over. */
  private wakeReady(): void {
    if (this.blocked.size === 0) return;
    for (;;) {
      let next: [string, Blocked] | undefined;
      for (const entry of this.blocked) {
        if (entry[1].wait.ready()) {
          next = entry;
          break;
        }
      }
      if (next === undefined) return;
      const [task, b] = next;
      b.wait.wake?.();
      this.blocked.delete(task);
      this.current = task;
      let woken: Woken;
      try {
        const n = b.call.next();
        if (!n.done) {
          this.blocked.set(task, { ...b, wait: n.value }); // sleeps again, now last in line
          this.hit('task:sleeps_again');
          continue;
        }
        woken = { task, type: b.type, ret: n.value, line: b.line };
        this.hit('task:woken');
        b.fail.checkReached(b.line);
      } catch (e) {
        if (!(e instanceof Oops)) throw e;
        woken = { task, type: b.type, line: b.line, oops: e.reason };
      }
      (this.rec.woke ??= []).push(woken);
    }
  }

  /** The outcome, keys in the order of daxlog.md §4. */
  private finish(ret: Ret | undefined, blocked: boolean, oopsed: string | undefined): Outcome {
    const rec = this.rec;
    const out: Outcome = ret === undefined ? { state: NO_CHANGE } : { ret, state: NO_CHANGE };
    if (rec.touched !== undefined) {
      out.state = {};
      for (const [obj, before] of rec.touched) {
        const now = obj.state;
        if (now !== before) setOwn(out.state, obj.label, now);
        if (!obj.live) this.retireNext.push(obj);
      }
    }
    if (rec.warn !== undefined) out.warn = rec.warn;
    if (rec.log !== undefined) out.log = rec.log;
    if (blocked) out.blocked = true;
    if (rec.woke !== undefined) out.woke = rec.woke;
    if (oopsed !== undefined) out.oops = oopsed;
    if (rec.map !== undefined) out.map = rec.map;
    if (rec.phys !== undefined) out.phys = '0x' + rec.phys.toString(16);
    if (rec.attempts !== undefined) out.attempts = rec.attempts;
    if (rec.minor !== undefined) out.minor = rec.minor;
    return out;
  }
}

function isSleeping(r: Ret | Sleeps): r is Sleeps {
  return typeof r === 'object' && r !== null;
}

/** o[k] = v as an own property, even for a handle such as "__proto__". */
function setOwn<T>(o: Record<string, T>, k: string, v: T): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** The state of an outcome in which no object changed (shared; never written to). */
const NO_CHANGE: Outcome['state'] = Object.freeze({}) as Outcome['state'];

const unmodelled: KernelCall = (_k, e) => refuse(['event', 'type'], `event.type: ${JSON.stringify(e.type)} is not modelled by this version of daxsim`);
const UNMODELLED = Object.fromEntries(Object.keys(KERNEL_FUNCTION).map((t) => [t, unmodelled])) as unknown as CallTable<EventType>;

