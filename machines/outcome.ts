// What replaying one step gives (daxlog.md §4), and the builder a step fills in. Keys are
// written in the order of the spec's table, so output is the same bytes on every run.
import type { EventType, FaultSize, StateName } from './events.ts';
import type { KObject } from './objects.ts';

export type Ret = number | string | boolean | null;

export interface Woken {
  task: string;
  type: EventType;
  ret?: Ret;
  line: number;
  oops?: string;
}

export interface Outcome {
  ret?: Ret;
  state: Record<string, StateName | null>;
  warn?: string[];
  log?: string[];
  blocked?: true;
  woke?: Woken[];
  oops?: string;
  map?: FaultSize;
  phys?: string;
  attempts?: [FaultSize, string][];
  minor?: number;
}

/** A log error found while replaying: the kernel model cannot run this step as written. */
export class StepError extends Error {
  constructor(
    /** Where in the step object the problem is, e.g. ['event', 'dax']. */
    readonly path: (string | number)[],
    readonly reason: string,
    /** The line of the step at fault when it is not the current one (a woken call). */
    readonly line?: number,
  ) {
    super(reason);
  }
}

export function refuse(path: (string | number)[], reason: string, line?: number): never {
  throw new StepError(path, reason, line);
}

/** The kernel's oops: the step is abandoned and the model's state left as it was. */
export class Oops extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export function oops(reason: string): never {
  throw new Oops(reason);
}

/**
 * What a step has produced so far. Its lists are made on first use: most steps (an access that
 * hits, a read lock) produce nothing but a return value.
 */
export class StepRecord {
  touched: Map<KObject, StateName | null> | undefined;
  warn: string[] | undefined;
  log: string[] | undefined;
  woke: Woken[] | undefined;
  minor: number | undefined;
  map: FaultSize | undefined;
  phys: bigint | undefined;
  attempts: [FaultSize, string][] | undefined;

  /**
   * Starts a new step. The lists a step made went to its outcome, so they are dropped, not
   * emptied; one record serves every step.
   */
  clear(): void {
    this.touched = undefined;
    this.warn = undefined;
    this.log = undefined;
    this.woke = undefined;
    this.minor = undefined;
    this.map = undefined;
    this.phys = undefined;
    this.attempts = undefined;
  }

  /** Remembers obj's state before the step changes it (first touch wins). */
  touch(obj: KObject, created = false): void {
    const t = (this.touched ??= new Map());
    if (!t.has(obj)) t.set(obj, created ? null : obj.state);
  }
}
