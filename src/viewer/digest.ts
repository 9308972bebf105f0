// The page's digest of a log: for each step of the part the page shows (its window), what the
// step's row in the timeline needs without replaying anything: the task, how the call went (a
// few flags), what it returned, the calls it woke, each named, and each task's sleeps as
// intervals of rows. `daxsim view` builds it while it replays the log; the page reads it to draw
// the timeline and to search, and replays only the steps near its cursor (history.ts).
// Browser-safe: no node: imports.
import { KERNEL_FUNCTION } from '../../machines/events.ts';
import { callArgs, resultText } from '../format.ts';
import type { Json } from '../log.ts';
import type { StepResult } from '../replay.ts';

/** How a step went, one bit each; a row's colour and the outcome words of search come from them. */
export const FLAG = { oops: 1, blocked: 2, warn: 4, error: 8, diverged: 16, woke: 32, sigbus: 64 } as const;
export type FlagName = keyof typeof FLAG;

/** A call that a step completed, by the task that made it and the call as its line wrote it. */
export interface Woken {
  task: string;
  /** The line of the step that made the call. */
  line: number;
  /** `unregister_dev_dax(dev=dax0.0)` */
  call: string;
  /** `= 0`, or `oops` */
  result: string;
}

/** A task asleep in a call over rows from..until of the window (-1: asleep when it opens; null: still asleep when it ends). */
export interface Sleep {
  task: string;
  line: number;
  call: string;
  from: number;
  until: number | null;
}

export interface Digest {
  /** The tasks of the window, in the order they first appear (those asleep when it opens first). */
  tasks: string[];
  /** Per step: its task (index in tasks), flags, and result (index in results). */
  task: number[];
  flags: number[];
  result: number[];
  /** Distinct result texts, as replay prints them: `= 0`, `= "VM_FAULT_NOPAGE"`, `blocked`, `oops`. */
  results: string[];
  /** The steps that woke calls, by row, with the calls they woke. */
  woke: [number, Woken[]][];
  sleeps: Sleep[];
}

/** `kill_dax(dax=a)`: the kernel function of an event with its arguments as the log wrote them. */
export function callOf(event: Record<string, Json>): string {
  return `${KERNEL_FUNCTION[event['type'] as keyof typeof KERNEL_FUNCTION] ?? String(event['type'])}(${callArgs(event)})`;
}

const ERROR_RET = /^(-E|NULL$|VM_FAULT_(SIGBUS|OOM)|SIGSEGV)/;

export function flagsOf(r: StepResult): number {
  const out = r.out;
  let f = 0;
  if (out.oops !== undefined || out.woke?.some((w) => w.oops !== undefined)) f |= FLAG.oops;
  if (out.blocked) f |= FLAG.blocked;
  if (out.warn !== undefined && out.warn.length > 0) f |= FLAG.warn;
  if (typeof out.ret === 'string' && ERROR_RET.test(out.ret)) f |= FLAG.error;
  if (out.ret === 'VM_FAULT_SIGBUS') f |= FLAG.sigbus;
  if (r.diverged !== undefined) f |= FLAG.diverged;
  if (out.woke !== undefined && out.woke.length > 0) f |= FLAG.woke;
  return f;
}

/**
 * Builds the digest of steps from..to (1-based, inclusive) while every step of the log goes
 * through add(): calls woken inside the window may have been made before it.
 */
export class DigestBuilder {
  readonly digest: Digest = { tasks: [], task: [], flags: [], result: [], results: [], woke: [], sleeps: [] };
  private readonly taskIndex = new Map<string, number>();
  private readonly resultIndex = new Map<string, number>();
  /** Calls asleep now, by the line of their step, with their interval when the window has it. */
  private readonly asleep = new Map<number, { task: string; call: string; sleep?: Sleep }>();

  constructor(
    readonly from: number,
    readonly to: number,
  ) {}

  add(r: StepResult): void {
    const { step, out } = r;
    const seq = step.seq;
    if (seq > this.to) return;
    const row = seq - this.from;
    if (row === 0) this.open();
    // Only a call that sleeps is named here (by the step that wakes it): a row names its own call when drawn.
    const call = out.blocked ? callOf(step.input['event'] as Record<string, Json>) : '';
    const woken: Woken[] = [];
    for (const w of out.woke ?? []) {
      const a = this.asleep.get(w.line);
      this.asleep.delete(w.line);
      if (a?.sleep !== undefined) a.sleep.until = row;
      woken.push({ task: w.task, line: w.line, call: a?.call ?? String(w.type), result: resultText(w) });
    }
    const sleep = row >= 0 && out.blocked ? { task: step.task, line: step.line, call, from: row, until: null } : undefined;
    if (out.blocked) this.asleep.set(step.line, sleep === undefined ? { task: step.task, call } : { task: step.task, call, sleep });
    if (row < 0) return;
    const d = this.digest;
    d.task.push(this.task(step.task));
    d.flags.push(flagsOf(r));
    d.result.push(this.result(resultText(out)));
    if (woken.length > 0) d.woke.push([row, woken]);
    if (sleep !== undefined) d.sleeps.push(sleep);
  }

  /** The window opens: the calls asleep now are lanes' sleeps from before its first row. */
  private open(): void {
    for (const [line, a] of this.asleep) {
      a.sleep = { task: a.task, line, call: a.call, from: -1, until: null };
      this.task(a.task);
      this.digest.sleeps.push(a.sleep);
    }
  }

  private task(t: string): number {
    let i = this.taskIndex.get(t);
    if (i === undefined) {
      this.taskIndex.set(t, (i = this.digest.tasks.length));
      this.digest.tasks.push(t);
    }
    return i;
  }

  private result(text: string): number {
    let i = this.resultIndex.get(text);
    if (i === undefined) {
      this.resultIndex.set(text, (i = this.digest.results.length));
      this.digest.results.push(text);
    }
    return i;
  }
}
