// Replay: a log's steps folded through one modelled Kernel, each outcome matched against the
// step's expect. The Replayer is fed lines as they are read, so a log of any length streams;
// replayText is the same for a log held in memory (tests, the browser, embedding apps).
import { PROGRAM } from '../machines/calls.ts';
import type { EventType } from '../machines/events.ts';
import { checkStep } from '../machines/invariants.ts';
import { Kernel, type KernelHooks, type KernelProgram } from '../machines/kernel.ts';
import type { KernelState } from '../machines/state.ts';
import { StepError, type Outcome } from '../machines/outcome.ts';
import { die, LogError } from './errors.ts';
import { diverges, type Divergence } from './expect.ts';
import { offsetOf } from './json.ts';
import { LogReader, splitLines, type Header, type Step } from './log.ts';

export interface StepResult {
  step: Step;
  out: Outcome;
  /** Present when the outcome does not match the step's expect. */
  diverged?: Divergence[];
}

export interface Summary {
  steps: number;
  diverged: number;
  /** Tasks still blocked when the log ended. */
  blocked: { task: string; type: EventType; line: number; where: string }[];
}

export interface ReplayOptions {
  /** A kernel program to run instead of the model's own (tests that break one rule on purpose). */
  program?: KernelProgram;
  /** Observers of the kernel (the inspector); the plain replay has none. */
  hooks?: KernelHooks;
  /**
   * Check the model's invariants after every step (replay --check): a broken one is reported as
   * a divergence of key `invariant`, with the invariant's name and what broke it.
   */
  check?: boolean;
}

/** Where a replay is: the kernel's state and the counts of steps read and steps diverged. */
export interface ReplayPoint {
  state: KernelState;
  steps: number;
  diverged: number;
}

export class Replayer {
  private readonly reader: LogReader;
  private kernel: Kernel | undefined;
  private diverged = 0;
  /** The invariant broken after the last step (replay --check), reported once. */
  private broken = new Set<string>();
  /** Text of steps whose call is blocked, to place log errors found when they wake. */
  private readonly blockedText = new Map<number, string>();

  constructor(
    readonly file: string,
    private readonly options: ReplayOptions = {},
  ) {
    this.reader = new LogReader(file);
  }

  get header(): Header | undefined {
    return this.kernel === undefined ? undefined : this.reader.end();
  }

  /** The modelled kernel, once the header has been read. */
  get model(): Kernel | undefined {
    return this.kernel;
  }

  /**
   * Goes on from a state of this log's kernel (one from snapshot(), or read back from JSON) as
   * if the log's first `steps` steps had been fed and had left it: the next line fed is step
   * `steps + 1`. The header must have been fed. The viewer uses it to replay the steps near its
   * cursor from a checkpoint.
   */
  resume(state: KernelState, steps: number): void {
    if (this.kernel === undefined) throw new Error('bug: resume before the header');
    this.load({ state, steps, diverged: 0 });
  }

  /** Feeds one line (1-based number); returns the step's result if the line held a step. */
  feed(text: string, line: number): StepResult | undefined {
    const got = this.reader.feed(text, line);
    if (got === undefined) return undefined;
    if (!('event' in got)) {
      this.kernel = new Kernel(got.config, this.options.program ?? PROGRAM, this.options.hooks);
      return undefined;
    }
    const k = this.kernel!;
    const prev = this.options.check ? k.snapshot() : undefined;
    let out: Outcome | undefined;
    try {
      if (got.event.type === 'vma.access') out = k.accessHit(got.task, got.event);
      out ??= k.step(got.task, got.event, line);
    } catch (e) {
      if (!(e instanceof StepError)) throw e;
      const at = e.line ?? line;
      const src = e.line === undefined ? text : this.blockedText.get(e.line);
      die(this.file, at, src === undefined ? 1 : offsetOf(src, e.path) + 1, e.reason);
    }
    if (out.blocked) this.blockedText.set(line, text);
    if (out.woke !== undefined) for (const w of out.woke) this.blockedText.delete(w.line);
    const result: StepResult = { step: got, out };
    const d = got.expect === undefined ? [] : diverges(got.expect, out, (label) => k.stateOf(label));
    if (prev !== undefined) {
      // A state that stays broken is reported at the step that broke it, not at every later one.
      const v = checkStep(prev, k.s, got.event.type);
      if (v !== undefined && !this.broken.has(v.message)) d.push({ key: 'invariant', expected: v.invariant, actual: v.message });
      this.broken = new Set(v === undefined ? [] : [v.message]);
    }
    if (d.length > 0) {
      result.diverged = d;
      this.diverged++;
    }
    return result;
  }

  /** Steps read so far. */
  get steps(): number {
    return this.reader.stepCount;
  }

  /** Where the replay is now (after the header): taking it shares the state (kernel.snapshot()). */
  save(): ReplayPoint {
    return { state: this.kernel!.snapshot(), steps: this.reader.stepCount, diverged: this.diverged };
  }

  /** Goes back (or on) to a point from save(), in this replay or another of the same program. */
  load(p: ReplayPoint): void {
    // A step that wrote nothing before it failed left the state as it was: nothing to restore
    // (and an inspector's actors are not restarted).
    if (this.kernel!.s !== p.state) this.kernel!.restore(p.state);
    this.reader.resume(p.steps);
    this.diverged = p.diverged;
    this.broken = new Set();
    const asleep = new Set(Object.values(this.kernel!.s.blocked).map((b) => b.line));
    for (const line of this.blockedText.keys()) if (!asleep.has(line)) this.blockedText.delete(line);
  }

  /** At the end of input: the summary (a log error if the log had no header). */
  end(): Summary {
    this.reader.end();
    return { steps: this.reader.stepCount, diverged: this.diverged, blocked: this.kernel?.blockedTasks() ?? [] };
  }
}

export interface ReplayResult {
  results: StepResult[];
  summary?: Summary;
  /** Set when the log could not be replayed; results hold the steps before the error. */
  error?: LogError;
}

/** Replays a whole log held in memory. Never throws for a bad log: see `error`. */
export function replayText(text: string, file = '<log>', options: ReplayOptions = {}): ReplayResult {
  const r = new Replayer(file, options);
  const results: StepResult[] = [];
  try {
    splitLines(text, (line, n) => {
      const res = r.feed(line, n);
      if (res !== undefined) results.push(res);
    });
    return { results, summary: r.end() };
  } catch (e) {
    if (e instanceof LogError) return { results, error: e };
    throw e;
  }
}
