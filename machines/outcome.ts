// What replaying one step gives (daxlog.md §4), and the record a step fills in. The three tiers
// of guide/style.md: a kernel outcome is data (Outcome), a log the model cannot run is a
// StepError (refuse), and the kernel's own crash is an Oops (oops) that the step reports.
import type { FaultSize } from './events.ts';
import type { ObjId } from './records.ts';
import type { StateName } from './registry.ts';

export type Ret = number | string | boolean | null;

export interface Woken {
  task: string;
  type: string;
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

/** The kernel's oops: the call stops where it crashed. */
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
  /** Objects the step changed or made, with their state before it (null: made in the step). */
  touched: Map<ObjId, StateName | null> | undefined;
  warn: string[] | undefined;
  log: string[] | undefined;
  woke: Woken[] | undefined;
  minor: number | undefined;
  map: FaultSize | undefined;
  /** The physical address of the access: a double when exact, else a bigint. */
  phys: number | bigint | undefined;
  attempts: [FaultSize, string][] | undefined;

  /** Starts a new step (the lists a step made went to its outcome: dropped, not emptied). */
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

  /** Remembers an object's state before the step changes it (first touch wins). */
  touch(id: ObjId, before: StateName | null): void {
    const t = (this.touched ??= new Map());
    if (!t.has(id)) t.set(id, before);
  }
}
