// The modelled kernel for a program that embeds it: a DaxSim is made from a config (any key left
// out takes its default), takes daxlog steps as a log spells them (integers as numbers or as
// "2M" / "0x1000" strings, handles, task, fail, expect) and gives each step's outcome as
// daxlog.md §4 defines it. Its state can be saved, restored and hashed.
//
// There is one way a step is run: a DaxSim holds a Replayer, and each step is a line of the log
// it would make (the header on line 1, then one line per step), read and run by Replayer.feed,
// so an outcome has the very bytes `daxsim replay` prints for that log. A step the model cannot
// run as given (a bad field, a handle never created, a call by a blocked task) throws a
// DaxSimError and leaves the simulation as it was before the step.
import type { InspectionEvent } from 'xstate';
import type { EventShaped, EventType, FaultSize, MmapFlags, PfnFlags } from '../machines/events.ts';
import type { BlockedTask, Kernel } from '../machines/kernel.ts';
import type { Outcome } from '../machines/outcome.ts';
import type { ObjectKind } from '../machines/records.ts';
import { OBJECT_MACHINES, type StateName } from '../machines/registry.ts';
import { labelled, type KernelState, type StateConfig } from '../machines/state.ts';
import { DaxSimError, LogError } from './errors.ts';
import { stringify } from './json.ts';
import type { Expect } from './log.ts';
import { Replayer, type ReplayPoint, type StepResult, type Summary } from './replay.ts';

/** An unsigned 64-bit integer as a log may spell it: 4096, "4096", "0x1000", "4K" (or a bigint). */
export type U64Spelling = number | bigint | string;

/** What each kind of field of daxlog.md §3 takes, as a log spells it. */
interface Spelled {
  handle: string;
  devname: string;
  string: string;
  u64: U64Spelling;
  bool: boolean;
  fault_size: FaultSize | U64Spelling;
  pfn_flags: PfnFlags;
  mmap_flags: MmapFlags;
  resources: { start: U64Spelling; size: U64Spelling }[];
  sysfs_path: string;
}
/** The event of type T as a log writes it (daxlog.md §3), with its failure-injection sites. */
export type LogEventOf<T extends EventType> = EventShaped<T, Spelled>;
/** Any event a log can hold. */
export type LogEvent = { [T in EventType]: LogEventOf<T> }[EventType];

/** A step as a log line holds it (daxlog.md §1 "Step envelope"). */
export interface StepInput {
  event: LogEvent;
  /** The task making the call; default "main". */
  task?: string;
  /** If given, must be the step's position (1 for the first step). */
  seq?: number;
  expect?: Expect;
  note?: string;
}

/**
 * A step as one event: the log's event with the step's task beside its fields (and, from a log,
 * its seq, expect and line), e.g. `{ type: 'dax.kill', dax: 'a', task: 'B' }`. The kernel actor
 * (src/actor.ts) takes these.
 */
export type SimEvent = LogEvent & {
  task?: string;
  seq?: number;
  expect?: Expect;
  /** The line the step has in its log; by default the line after the last step's. */
  line?: number;
};

/** The kernel configuration as a log's header writes it (daxlog.md §1); every key optional. */
export interface ConfigInput {
  nr_dax?: number;
  thp?: 'always' | 'madvise' | 'never';
  pud?: boolean;
  fs_dax?: boolean;
  mmap_base?: U64Spelling;
}

export interface SimOptions {
  /** XState's inspection callback: real actors are driven for every object and dax_srcu. */
  inspect?: (event: InspectionEvent) => void;
  /** Check the model's invariants after every step (a broken one is a divergence, as replay --check). */
  check?: boolean;
}

/** A simulation saved by snapshot(): plain JSON-safe data. */
export interface SimSnapshot {
  daxsim: 1;
  /** Steps taken. */
  steps: number;
  /** The line of the last step (the header is line 1). */
  line: number;
  /** Steps whose outcome did not match their expect. */
  diverged: number;
  state: KernelState;
}

/** The file name log errors would carry; a DaxSimError gives only the reason. */
const SOURCE = '<daxsim>';

export class DaxSim {
  private readonly replay: Replayer;
  private last = 1;

  constructor(config: ConfigInput = {}, options: SimOptions = {}) {
    this.replay = new Replayer(SOURCE, { ...(options.inspect && { hooks: { inspect: options.inspect } }), ...(options.check && { check: true }) });
    if (typeof config !== 'object' || config === null || Array.isArray(config)) {
      throw new DaxSimError(`config: expected an object of kernel configuration such as {"nr_dax": 256}, found ${shown(config)}`);
    }
    try {
      this.replay.feed(jsonOf({ daxlog: 1, config }, 'config'), 1);
    } catch (e) {
      if (e instanceof LogError) throw new DaxSimError(e.reason);
      throw e;
    }
  }

  /**
   * Runs one step, given as a log line holds it (an object, or the line's text); `line` is its
   * line in the log, by default the line after the last step's. Returns the step as read (seq,
   * line, task, event), its outcome, and `diverged` when it has an expect that the outcome does
   * not meet. Throws a DaxSimError, and changes nothing, for a step the model cannot run.
   */
  step(step: StepInput | string, line = this.last + 1): StepResult {
    const saved = this.replay.save();
    const n = saved.steps + 1;
    if (!Number.isSafeInteger(line) || line <= this.last) {
      throw new DaxSimError(`line: expected a line number after ${this.last}, the last step's, found ${shown(line)}`, n);
    }
    if (typeof step !== 'string' && (typeof step !== 'object' || step === null || Array.isArray(step))) {
      throw new DaxSimError(`expected a step {"event": {"type": …}} or its line of text, found ${shown(step)}`, n);
    }
    const text = typeof step === 'string' ? step : jsonOf(step, 'step', n);
    let result: StepResult | undefined;
    try {
      result = this.replay.feed(text, line);
    } catch (e) {
      this.replay.load(saved);
      if (e instanceof LogError) throw new DaxSimError(e.reason, n);
      throw e;
    }
    if (result === undefined) throw new DaxSimError(`expected a step {"event": {"type": …}}, found ${text.trim() === '' ? 'a blank line' : 'a comment'}`, n);
    this.last = line;
    return result;
  }

  /** Runs one step given as one event with its task beside its fields (see SimEvent). */
  send(event: SimEvent): StepResult {
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      throw new DaxSimError(`expected an event {"type": …}, found ${shown(event)}`, this.steps + 1);
    }
    const { task, seq, expect, line, ...fields } = event;
    const step: Record<string, unknown> = {};
    if (seq !== undefined) step['seq'] = seq;
    if (task !== undefined) step['task'] = task;
    step['event'] = fields;
    if (expect !== undefined) step['expect'] = expect;
    return this.step(step as unknown as StepInput, line);
  }

  /** The simulation as plain data; nothing the simulation does later changes it. */
  snapshot(): SimSnapshot {
    const p = this.replay.save();
    return { daxsim: 1, steps: p.steps, line: this.last, diverged: p.diverged, state: p.state };
  }

  /** Goes back (or on) to a snapshot, this simulation's or another's, or one read back from JSON. */
  restore(snapshot: SimSnapshot): void {
    const p = checkSnapshot(snapshot);
    const before = this.replay.save();
    try {
      this.replay.load(p);
      this.model.hash(); // reads the whole state: a part it cannot read throws here, not in a later step
    } catch (e) {
      this.replay.load(before);
      if (e instanceof TypeError) throw new DaxSimError(`snapshot.state: expected a kernel state from snapshot(), found one it cannot read (${e.message})`);
      throw e;
    }
    this.last = snapshot.line;
  }

  /**
   * Attaches XState's inspection callback from now on (as the `inspect` option does from the
   * start): real actors for dax_srcu and every object, in the states they are in.
   */
  attachInspector(inspect: (event: InspectionEvent) => void): void {
    this.model.inspectWith(inspect);
  }

  /** A canonical hash of the kernel's state: equal states hash equally, in any process. */
  hash(): string {
    return this.model.hash();
  }

  /** Steps taken so far. */
  get steps(): number {
    return this.replay.steps;
  }

  /** The kernel configuration in force (u64s as hex strings, as the state keeps them). */
  get config(): StateConfig {
    return this.model.config;
  }

  /** Every object by its label (daxlog.md §2) and its state; null for a handle bound to NULL. */
  get states(): Record<string, StateName | null> {
    // fromEntries makes own properties, so a label such as "__proto__" is an ordinary key.
    return Object.fromEntries(labelled(this.model.s).map(([label, o]) => [label, 'ptr' in o ? null : (o.value as StateName)]));
  }

  /** The state of the object a label names now, or null (none, or a NULL result). */
  stateOf(label: string): StateName | null {
    return this.model.stateOf(label);
  }

  /** Tasks blocked in a call, in the order they went to sleep. */
  get blocked(): BlockedTask[] {
    return this.model.blockedTasks();
  }

  /** Steps, divergences and blocked tasks so far, as a replay's summary says them. */
  summary(): Summary {
    return this.replay.end();
  }

  /** The modelled kernel itself, to read (step it through the simulation, not directly). */
  get model(): Kernel {
    return this.replay.model!;
  }
}

/** JSON text of a value given to the API; a DaxSimError for what JSON cannot hold. */
function jsonOf(value: unknown, what: string, seq?: number): string {
  try {
    return stringify(value);
  } catch (e) {
    throw new DaxSimError(`${what}: expected JSON data, found a value JSON cannot hold (${(e as Error).message})`, seq);
  }
}

/** A short account of a value for messages. */
function shown(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function') return 'a function';
  try {
    const s = stringify(v);
    return s.length > 40 ? `${s.slice(0, 37)}...` : s;
  } catch {
    return `a ${typeof v} JSON cannot hold`;
  }
}

const STATE_KEYS = ['config', 'nrDax', 'nextId', 'objects', 'handles', 'displaced', 'minors', 'srcu', 'rcu', 'parents', 'nodes', 'mm', 'warnedOnce', 'blocked', 'sleepSeq', 'parentWaits', 'retiring'] as const;

/** A snapshot's shape, checked before anything is restored from it. */
function checkSnapshot(s: SimSnapshot): ReplayPoint {
  const fail = (what: string, v: unknown) => {
    throw new DaxSimError(`snapshot${what}: expected ${what === '' ? 'a snapshot from DaxSim.snapshot()' : 'a count'}, found ${shown(v)}`);
  };
  if (typeof s !== 'object' || s === null || (s as { daxsim?: unknown }).daxsim !== 1) fail('', s);
  for (const k of ['steps', 'line', 'diverged'] as const) if (!Number.isSafeInteger(s[k]) || s[k] < 0) fail(`.${k}`, s[k]);
  if (s.line < s.steps + 1) throw new DaxSimError(`snapshot.line: expected at least ${s.steps + 1} (the header and ${s.steps} steps), found ${s.line}`);
  const state = s.state as unknown as Record<string, unknown>;
  const missing = typeof state !== 'object' || state === null ? 'everything' : STATE_KEYS.find((k) => typeof state[k] !== (k === 'nrDax' || k === 'nextId' || k === 'sleepSeq' ? 'number' : 'object') || state[k] === null);
  if (missing !== undefined) throw new DaxSimError(`snapshot.state: expected a kernel state from snapshot(), found one without a valid ${missing === 'everything' ? 'state' : missing}`);
  for (const [id, o] of Object.entries(s.state.objects)) {
    const m = typeof o === 'object' && o !== null ? OBJECT_MACHINES[o.kind as ObjectKind] : undefined;
    const ok = m !== undefined && m.compiled.states.includes(o.value as never) && typeof o.context === 'object' && o.context !== null && typeof o.handle === 'string';
    if (!ok) throw new DaxSimError(`snapshot.state.objects.${id}: expected an object {kind, handle, value, context} of a kernel state, found ${shown(o)}`);
  }
  return { state: s.state, steps: s.steps, diverged: s.diverged };
}
