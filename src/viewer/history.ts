// The steps near the viewer's cursor, replayed where the page runs. A page holds the log, not
// the kernel's state after every step: a "front" replays the window once, forwards, keeping the
// state every so many steps as a checkpoint (a snapshot shares everything the next steps do not
// write, so a checkpoint costs what changed since the last one); the "cursor" shows step i by
// going on from the checkpoint at or before it, or from where it stands when that is nearer.
// The front runs ahead in slices (advance) while the page is idle, so that a jump anywhere
// replays at most the steps between two checkpoints. Browser-safe: no node: imports.
import type { BlockedTask } from '../../machines/kernel.ts';
import type { KernelState } from '../../machines/state.ts';
import { Replayer, type StepResult } from '../replay.ts';

/** The steps of a window: step i's line text and line number. */
export interface StepLines {
  readonly count: number;
  text(i: number): string;
  line(i: number): number;
}

export interface Origin {
  file: string;
  header: { text: string; line: number };
  /** Steps of the log before the window's first. */
  before: number;
  /** The state they left, when there are any. */
  state?: KernelState;
}

/** Step i of the window: the kernel's state before and after it, what it did, who sleeps after it. */
export interface StepAt {
  index: number;
  before: KernelState;
  after: KernelState;
  result: StepResult;
  blocked: BlockedTask[];
}

export class History {
  /** The fewest steps between checkpoints. */
  readonly every: number;
  /** The states before steps at[0] (= 0), at[1], …: taken by the front as it goes. */
  private readonly at_: number[] = [];
  private readonly checkpoints: KernelState[] = [];
  private readonly front: Replayer;
  /** The next step the front replays. */
  private frontAt = 0;
  private readonly cursor: Replayer;
  /** The next step the cursor replays (its kernel stands before it); -1 before its first use. */
  private cursorAt = -1;

  constructor(
    private readonly origin: Origin,
    private readonly steps: StepLines,
    every?: number,
  ) {
    this.every = every ?? Math.max(64, Math.ceil(steps.count / 512));
    this.front = this.start();
    this.cursor = this.start();
    this.keep();
  }

  get count(): number {
    return this.steps.count;
  }

  /** How far the front has replayed (steps). */
  get replayed(): number {
    return this.frontAt;
  }

  /** Steps the cursor would replay to show step i: the cost of at(i). */
  cost(i: number): number {
    const c = this.at_[this.checkpointBefore(i)]!;
    // Past the front, the front goes there first, leaving a checkpoint at most a spacing behind.
    if (this.frontAt < i) return i - this.frontAt + Math.min(i - c, this.spacing()) + 1;
    const from = this.cursorAt >= c && this.cursorAt <= i ? this.cursorAt : c;
    return i - from + 1;
  }

  /** Replays on with the front up to step `to` (exclusive) or until `stop()` says so; true when it got there. */
  advance(to: number, stop: () => boolean = () => false): boolean {
    to = Math.min(to, this.steps.count);
    while (this.frontAt < to) {
      this.feed(this.front, this.frontAt);
      this.frontAt++;
      if (this.frontAt - this.at_[this.at_.length - 1]! >= this.spacing()) this.keep();
      if ((this.frontAt & 63) === 0 && stop()) break;
    }
    return this.frontAt >= to;
  }

  /** Step i (0 <= i < count): replayed from the nearest checkpoint, or on from where the cursor is. */
  at(i: number): StepAt {
    this.advance(i);
    const j = this.checkpointBefore(i);
    const c = this.at_[j]!;
    if (!(this.cursorAt >= c && this.cursorAt <= i)) {
      this.cursor.resume(this.checkpoints[j]!, this.origin.before + c);
      this.cursorAt = c;
    }
    const k = this.cursor.model!;
    while (this.cursorAt < i) this.feed(this.cursor, this.cursorAt++);
    const before = k.snapshot();
    const result = this.feed(this.cursor, i);
    this.cursorAt = i + 1;
    return { index: i, before, after: k.snapshot(), result, blocked: k.blockedTasks() };
  }

  /**
   * Steps between checkpoints now: `every`, or more while the state is large (a checkpoint keeps
   * what the steps after it write, and the first write of a step after one copies the table of
   * all objects): a state of 100,000 objects keeps one every 1,500 steps.
   */
  private spacing(): number {
    return Math.max(this.every, Math.ceil(this.front.model!.s.nextId / 64));
  }

  private keep(): void {
    this.at_.push(this.frontAt);
    this.checkpoints.push(this.front.model!.snapshot());
  }

  /** The index of the last checkpoint at or before step i. */
  private checkpointBefore(i: number): number {
    const a = this.at_;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (a[m]! <= i) lo = m + 1;
      else hi = m;
    }
    return lo - 1;
  }

  private start(): Replayer {
    const r = new Replayer(this.origin.file);
    r.feed(this.origin.header.text, this.origin.header.line);
    if (this.origin.state !== undefined) r.resume(this.origin.state, this.origin.before);
    return r;
  }

  private feed(r: Replayer, i: number): StepResult {
    const res = r.feed(this.steps.text(i), this.steps.line(i));
    if (res === undefined) throw new Error(`bug: line ${this.steps.line(i)} holds no step`);
    return res;
  }
}
