// daxsim explore (daxlog.md §9): every interleaving of a scenario's programs, checked. The
// search is depth-first over states of the model: a state is the kernel's state (a value,
// shared copy-on-write between a state and its successors) and how far each program has run.
// Two orders that reach the same state meet in the visited set, by the state's 64-bit hash.
//
// A move runs the next step of one task that is not asleep. A step that would be a log error
// in this order (a handle another task has not created yet) is not taken: the order is skipped.
// A step that breaks something is a violation: an oops, a WARN (unless allowed), an `expect`
// not met, a model invariant broken (machines/invariants.ts), or a deadlock (no task can run
// while some sleep, or a task still asleep when every program has ended).
//
// Reductions: sleep sets. Two moves of different tasks are independent in a state when their
// footprints there do not conflict (footprint.ts: what each reads and writes). After a move is
// explored, the moves explored before it that are independent of it are not taken again first
// from its successor (Godefroid's sleep sets); a state reached again with a smaller sleep set
// explores what its first visit left asleep (visited.ts). `--preemptions K` bounds the context
// switches of a path; raising K from 0 finds the violation with the fewest preemptions first.
import { checkState, checkStep, checkTransition } from '../machines/invariants.ts';
import type { KernelState } from '../machines/state.ts';
import { hash64, type Hash64 } from '../machines/hash.ts';
import { Kernel, type KernelProgram } from '../machines/kernel.ts';
import { PROGRAM } from '../machines/calls.ts';
import { StepError, type Outcome } from '../machines/outcome.ts';
import { LogError } from './errors.ts';
import { diverges } from './expect.ts';
import type { Step } from './log.ts';
import type { Scenario } from './scenario.ts';
import { SLEEP_TASKS, VisitedSet } from './visited.ts';
import { conflict, footprint, type Footprint } from './footprint.ts';
import { mulberry32 as rng } from './rng.ts';

export type ViolationKind = 'oops' | 'warn' | 'deadlock' | 'invariant' | 'expect';

export interface Violation {
  kind: ViolationKind;
  message: string;
  /** The steps that ran, setup first, up to and including the failing one. */
  path: Step[];
}

export interface ExploreOptions {
  /** A changed model to explore (tests plant bugs this way). */
  program?: KernelProgram;
  /** WARNs whose text contains one of these are not violations (--allow-warn). */
  allowWarn?: string[];
  /** Stop after this many distinct states (the verdict is then "incomplete"). */
  maxStates?: number;
  /** At most this many preemptions on a path (undefined: no bound). */
  preemptions?: number;
  /** Sleep sets (on by default). */
  reduce?: boolean;
  /** Told the running totals now and then (progress on a terminal). */
  progress?: (s: ExploreStats) => void;
  /** Told the hash of each distinct final state (tests compare searches by them). */
  onFinal?: (hash: string) => void;
}

export interface ExploreStats {
  /** Distinct states reached (setup's end included). */
  states: number;
  /** Steps run (moves taken, repeats included). */
  transitions: number;
  /** Moves not taken because a sleep set held them. */
  pruned: number;
  /** Orders not taken because a step would be a log error in them. */
  skipped: number;
  /** The longest path, in moves after the setup. */
  depth: number;
  /** Distinct states in which every program has ended. */
  finals: number;
  seconds: number;
  visitedBytes: number;
}

export interface ExploreResult extends ExploreStats {
  verdict: 'no violation' | 'violation' | 'incomplete';
  violation?: Violation;
}

interface Node {
  k: Kernel;
  /** How far each program has run. */
  pcs: number[];
  /** The task index that moved last (-1: none), and the preemptions so far. */
  last: number;
  pre: number;
  /** The moves (task indices) this state's sleep set holds, as a bitmask. */
  sleep: number;
  /** The moves left to explore from here, and where the path came from. */
  todo: number[];
  /** The moves explored from here (a bitmask of task indices). */
  done: number;
  /** The footprint of each task's next step here, computed when a sleep set first needs it. */
  fp: (Footprint | undefined)[] | undefined;
  move: number;
  depth: number;
}

/** A move taken: the kernel after it. */
interface Moved {
  k: Kernel;
}

type Tried = Moved | { skip: true } | { violation: Violation };

/** A node's moves before expandOrder gives it its own list (never written). */
const NONE: number[] = [];

/** The node of state k, reached from n by task t's next step. */
function childOf(n: Node, t: number, k: Kernel, pre: number, sleep: number): Node {
  const pcs = n.pcs.slice();
  pcs[t]!++;
  return { k, pcs, last: t, pre, sleep, todo: NONE, done: 0, fp: undefined, move: t, depth: n.depth + 1 };
}

/** What the explorer needs of a visited set (visited.ts; explore_parallel.ts shares one). */
export interface Visited {
  visit(a: number, b: number, sleep: number): number;
  readonly bytes: number;
}

/**
 * A move left to explore, handed from one worker to another (explore_parallel.ts): the moves
 * (task indices) from the end of the setup to the state, the move to take there, and what the
 * state's sleep-set bookkeeping held when it was handed over.
 */
export interface WorkItem {
  moves: number[];
  move: number;
  sleep: number;
  done: number;
  last: number;
  pre: number;
}

/** How a worker of a parallel search meets the others (explore_parallel.ts). */
export interface Coordinator {
  /** Called now and then while the search runs; false when the search must stop. */
  poll(ex: Explorer): boolean;
  /** The worker has run out of moves: more work, or undefined when the search is over. */
  idle(): WorkItem | undefined;
  /** A new distinct state: the count across every worker (for --max-states). */
  counted(): number;
}

export class Explorer {
  private readonly program: KernelProgram;
  private readonly allow: string[];
  private readonly visited: Visited;
  /** The moves from the setup's end to the root of this worker's stack (a resumed work item). */
  private prefix: number[] = [];
  /** The state at the end of the setup, kept by a worker to rebuild handed-over states. */
  private start: Kernel | undefined;
  private readonly finals: Visited;
  private readonly stats: ExploreStats = { states: 0, transitions: 0, pruned: 0, skipped: 0, depth: 0, finals: 0, seconds: 0, visitedBytes: 0 };
  private readonly t0 = process.hrtime.bigint();
  private stack: Node[] = [];

  constructor(
    private readonly scn: Scenario,
    private readonly opts: ExploreOptions = {},
    visited?: Visited,
    finals?: Visited,
  ) {
    this.program = opts.program ?? PROGRAM;
    this.allow = opts.allowWarn ?? [];
    this.visited = visited ?? new VisitedSet();
    this.finals = finals ?? new VisitedSet(1 << 8);
  }

  /**
   * One worker of a parallel search (explore_parallel.ts): starts from the end of the setup when
   * `first`, else waits for work; shares the visited set and hands moves to idle workers.
   */
  runShared(coord: Coordinator, first: boolean): ExploreResult {
    const start = this.setup();
    if ('violation' in start) return this.result(start.violation);
    this.start = start.k;
    if (first) {
      const root: Node = this.startNode(start.k);
      coord.counted();
      this.visit(root);
      const v = this.terminal(root);
      if (v !== undefined) return this.result(v);
      this.stack = [root];
      this.expandOrder(root, -1);
    }
    let polls = 0;
    for (;;) {
      if (this.stack.length === 0) {
        const item = coord.idle();
        if (item === undefined) return this.result();
        this.resume(item);
      }
      const v = this.advance(this.stack[this.stack.length - 1]!, coord);
      if (v !== undefined) return this.result(v);
      if ((++polls & 63) === 0 && !coord.poll(this)) return this.result(undefined, true);
      if (this.opts.maxStates !== undefined && this.cut) return this.result(undefined, true);
    }
  }

  private cut = false;

  /**
   * Hands over one move left to explore, from the lowest state on the stack that has one (its
   * subtree is the largest): the move counts as explored here, so later siblings put it in their
   * sleep sets as they would after exploring it.
   */
  donate(): WorkItem | undefined {
    const i = this.stack.findIndex((n, j) => n.todo.length > (j === this.stack.length - 1 ? 1 : 0));
    if (i < 0) return undefined;
    const n = this.stack[i]!;
    const move = n.todo.shift()!;
    const item: WorkItem = { moves: [...this.prefix, ...this.stack.slice(1, i + 1).map((x) => x.move)], move, sleep: n.sleep, done: n.done, last: n.last, pre: n.pre };
    n.done |= 1 << move;
    return item;
  }

  /** The node of the state at the end of the setup: no program has run, no move taken. */
  private startNode(k: Kernel): Node {
    return { k, pcs: this.scn.programs.map(() => 0), last: -1, pre: 0, sleep: 0, todo: NONE, done: 0, fp: undefined, move: -1, depth: 0 };
  }

  /** Rebuilds a handed-over state by running its moves from the setup's end, and stacks it. */
  private resume(item: WorkItem): void {
    let k = this.start!;
    const pcs = this.scn.programs.map(() => 0);
    for (const t of item.moves) {
      const step = this.scn.programs[t]!.steps[pcs[t]!]!;
      k = k.clone();
      k.step(step.task, step.event, step.line);
      pcs[t]!++;
    }
    const n: Node = { k, pcs, last: item.last, pre: item.pre, sleep: item.sleep, todo: [item.move], done: item.done, fp: undefined, move: item.moves.at(-1) ?? -1, depth: item.moves.length };
    this.prefix = item.moves;
    this.stack = [n];
  }

  run(): ExploreResult {
    const start = this.setup();
    if ('violation' in start) return this.result(start.violation);
    if (this.scn.programs.length > 31) throw new LogError(this.scn.file, 0, 0, `a scenario may have at most 31 tasks after its setup, this one has ${this.scn.programs.length}`);
    const first: Node = this.startNode(start.k);
    this.visit(first);
    const v = this.terminal(first);
    if (v !== undefined) return this.result(v);
    this.stack = [first];
    this.expandOrder(first, -1);
    while (this.stack.length > 0) {
      const top = this.stack[this.stack.length - 1]!;
      const v = this.advance(top);
      if (v !== undefined) return this.result(v);
      if (this.opts.maxStates !== undefined && this.stats.states >= this.opts.maxStates) return this.result(undefined, true);
    }
    return this.result();
  }

  /** Runs the setup in order; a log error in it is the scenario's, a violation is reported. */
  private setup(): { k: Kernel } | { violation: Violation } {
    const k = new Kernel(this.scn.header.config, this.program);
    const path: Step[] = [];
    for (const s of this.scn.setup) {
      const prev = k.snapshot();
      let out: Outcome;
      try {
        out = k.step(s.task, s.event, s.line);
      } catch (e) {
        if (!(e instanceof StepError)) throw e;
        throw new LogError(this.scn.file, e.line ?? s.line, 1, e.reason);
      }
      path.push(s);
      const v = this.check(prev, k, s, out, () => [...path], true);
      if (v !== undefined) return { violation: v };
    }
    return { k };
  }

  /**
   * The moves to try from a state, in order: the task that moved last first (no preemption),
   * then the others; those asleep are not tried. `only` (a bitmask) limits them to the moves a
   * revisit must still explore; -1 tries all.
   */
  private expandOrder(n: Node, only: number): void {
    const todo: number[] = [];
    let enabled = 0;
    const take = (t: number) => {
      enabled++;
      if ((n.sleep & (1 << t)) === 0 && (only === -1 || (only & (1 << t)) !== 0)) todo.push(t);
    };
    if (n.last >= 0 && this.canRun(n, n.last)) take(n.last);
    for (let t = 0; t < this.scn.programs.length; t++) if (t !== n.last && this.canRun(n, t)) take(t);
    n.todo = todo;
    if (only === -1) this.stats.pruned += enabled - todo.length;
  }

  /** Tasks that have a step left and are not asleep. */
  private enabled(n: Node): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.scn.programs.length; i++) if (this.canRun(n, i)) out.push(i);
    return out;
  }

  /** Whether task i has a step left and is not asleep. */
  private canRun(n: Node, i: number): boolean {
    const p = this.scn.programs[i]!;
    return n.pcs[i]! < p.steps.length && n.k.s.blocked[p.task] === undefined;
  }

  /** Takes the next move of the top node; pops it when none is left. */
  private advance(n: Node, coord?: Coordinator): Violation | undefined {
    const t = n.todo.shift();
    if (t === undefined) {
      this.stack.pop();
      return undefined;
    }
    // A preemption: leaving a task that could go on for another one.
    const pre = n.last >= 0 && t !== n.last && this.canRun(n, n.last) ? n.pre + 1 : n.pre;
    if (this.opts.preemptions !== undefined && pre > this.opts.preemptions) return undefined;
    const tried = this.tryMove(n, t);
    if ('skip' in tried) {
      this.stats.skipped++;
      return undefined;
    }
    if ('violation' in tried) return tried.violation;
    // Sleep set of the successor: the moves asleep here and those explored before this one,
    // kept when they commute with this move.
    let sleep = 0;
    if (this.opts.reduce !== false && this.scn.programs.length <= SLEEP_TASKS) {
      const ft = this.footprintOf(n, t);
      for (let u = 0; u < this.scn.programs.length; u++) {
        const candidate = ((n.sleep | n.done) & (1 << u)) !== 0;
        if (candidate && !conflict(this.footprintOf(n, u), ft)) sleep |= 1 << u;
      }
    }
    n.done |= 1 << t;
    const child = childOf(n, t, tried.k, pre, sleep);
    const again = this.visit(child);
    if (again === 0) return undefined;
    if (again === -1) {
      if (coord !== undefined && this.opts.maxStates !== undefined && coord.counted() >= this.opts.maxStates) this.cut = true;
      this.stats.depth = Math.max(this.stats.depth, child.depth);
      const inv = checkState(child.k.s, n.k.s);
      if (inv !== undefined) {
        const step = this.scn.programs[t]!.steps[n.pcs[t]!]!;
        return { kind: 'invariant', message: `line ${step.line}: ${inv.invariant}: ${inv.message}`, path: this.path(child) };
      }
      const v = this.terminal(child);
      if (v !== undefined) return v;
    }
    this.stack.push(child);
    this.expandOrder(child, again);
    if (this.opts.progress !== undefined && (this.stats.states & 0x3fff) === 0) this.opts.progress(this.snapshotStats());
    return undefined;
  }

  /** Deadlock, or a final state, when no task can move. */
  private terminal(n: Node): Violation | undefined {
    for (let i = 0; i < this.scn.programs.length; i++) if (this.canRun(n, i)) return undefined;
    const asleep = n.k.blockedTasks();
    const ended = this.scn.programs.every((p, i) => n.pcs[i] === p.steps.length);
    if (asleep.length > 0) {
      const who = asleep.map((b) => `${b.task} in ${b.where} (line ${b.line})`).join(', ');
      const message = ended ? `every program has ended and tasks are still asleep: ${who}` : `no task can run and tasks are asleep: ${who}`;
      return { kind: 'deadlock', message, path: this.path(n) };
    }
    if (ended) {
      const [a, b] = hash64(n.k.s, true);
      if (this.finals.visit(a, b, 0) === -1) {
        this.stats.finals++;
        this.opts.onFinal?.(a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0'));
      }
    }
    return undefined;
  }

  /** The footprint of task t's next step in n, computed once per node. */
  private footprintOf(n: Node, t: number): Footprint {
    return ((n.fp ??= [])[t] ??= footprint(n.k, this.next(n, t)));
  }

  /** Runs task t's next step from n. */
  private tryMove(n: Node, t: number): Tried {
    const step = this.scn.programs[t]!.steps[n.pcs[t]!]!;
    const k = n.k.clone();
    let out: Outcome;
    try {
      out = k.step(step.task, step.event, step.line);
    } catch (e) {
      if (e instanceof StepError) return { skip: true };
      throw e;
    }
    this.stats.transitions++;
    const v = this.check(n.k.s, k, step, out, () => [...this.path(n), step]);
    if (v !== undefined) return { violation: v };
    return { k };
  }

  /** Task t's next step in n. */
  private next(n: Node, t: number): Step {
    return this.scn.programs[t]!.steps[n.pcs[t]!]!;
  }

  /**
   * What a step broke, if anything: an expect, an oops, a WARN, an invariant across the step.
   * The invariants of the state alone are checked where the state is new (visit).
   */
  private check(prev: KernelState, k: Kernel, s: Step, out: Outcome, path: () => Step[], whole = false): Violation | undefined {
    if (s.expect !== undefined) {
      const d = diverges(s.expect, out, (label) => k.stateOf(label));
      if (d.length > 0) {
        const what = d.map((x) => `${x.key}: expected ${JSON.stringify(x.expected)}, got ${JSON.stringify(x.actual)}`).join('; ');
        return { kind: 'expect', message: `line ${s.line}: ${what}`, path: path() };
      }
    }
    const oops = out.oops ?? out.woke?.find((w) => w.oops !== undefined)?.oops;
    if (oops !== undefined) return { kind: 'oops', message: `line ${s.line}: ${oops}`, path: path() };
    const warn = out.warn?.find((w) => !this.allow.some((a) => w.includes(a)));
    if (warn !== undefined) return { kind: 'warn', message: `line ${s.line}: ${warn}`, path: path() };
    const inv = whole ? checkStep(prev, k.s, s.event.type) : checkTransition(prev, k.s, s.event.type);
    if (inv !== undefined) return { kind: 'invariant', message: `line ${s.line}: ${inv.invariant}: ${inv.message}`, path: path() };
    return undefined;
  }

  /**
   * Marks n visited: -1 when it is new, else the moves (bitmask) a revisit must still explore.
   * The hash covers the kernel's state and the programs' progress.
   */
  private visit(n: Node): number {
    let [a, b] = hash64(n.k.s, true) as Hash64;
    for (const pc of n.pcs) {
      a = Math.imul(a ^ pc, 0x85ebca6b) >>> 0;
      b = Math.imul(b ^ (pc + 0x9e37), 0xc2b2ae35) >>> 0;
    }
    if (this.opts.preemptions !== undefined) {
      a = Math.imul(a ^ (n.pre * 64 + n.last + 1), 0x27d4eb2f) >>> 0;
    }
    const again = this.visited.visit(a, b, n.sleep);
    if (again === -1) this.stats.states++;
    return again;
  }

  /** The steps of n's path: the setup, then the moves that led to n. */
  private path(n: Node): Step[] {
    const out = [...this.scn.setup];
    const nodes = this.stack.includes(n) ? this.stack.slice(0, this.stack.indexOf(n) + 1) : [...this.stack, n];
    const pcs = this.scn.programs.map(() => 0);
    for (const t of this.prefix) out.push(this.scn.programs[t]!.steps[pcs[t]!++]!);
    for (const x of nodes.slice(1)) {
      const p = this.scn.programs[x.move]!;
      out.push(p.steps[pcs[x.move]!]!);
      pcs[x.move]!++;
    }
    return out;
  }

  /** The counts so far. */
  totals(): ExploreStats {
    return this.snapshotStats();
  }

  /** One PCT schedule (see randomSearch): the steps it ran and the violation it met, if any. */
  schedule(seed: number, depth: number, total: number): { transitions: number; skipped: number; depth: number; violation?: Violation } {
    const rand = rng(seed);
    const n = this.scn.programs.length;
    const start = this.setup();
    if ('violation' in start) return { transitions: 0, skipped: 0, depth: 0, violation: start.violation };
    // Priorities depth .. depth + n - 1 in a random order; change points among the steps.
    const prio = Array.from({ length: n }, (_, i) => depth + i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [prio[i], prio[j]] = [prio[j]!, prio[i]!];
    }
    const changes = Array.from({ length: Math.max(0, depth - 1) }, () => 1 + Math.floor(rand() * Math.max(1, total)));
    let node: Node = this.startNode(start.k);
    this.stack = [node];
    let steps = 0;
    let skipped = 0;
    for (;;) {
      const order = this.enabled(node).sort((a, b) => prio[b]! - prio[a]!);
      let moved: Moved | undefined;
      let t = -1;
      for (const c of order) {
        const tried = this.tryMove(node, c);
        if ('violation' in tried) return { transitions: steps + 1, skipped, depth: steps + 1, violation: tried.violation };
        if ('skip' in tried) {
          skipped++;
          continue;
        }
        moved = tried;
        t = c;
        break;
      }
      if (moved === undefined) {
        const v = this.terminal(node);
        return v === undefined ? { transitions: steps, skipped, depth: steps } : { transitions: steps, skipped, depth: steps, violation: v };
      }
      steps++;
      const child = childOf(node, t, moved.k, 0, 0);
      const inv = checkState(child.k.s, node.k.s);
      if (inv !== undefined) {
        const step = this.next(node, t);
        return { transitions: steps, skipped, depth: steps, violation: { kind: 'invariant', message: `line ${step.line}: ${inv.invariant}: ${inv.message}`, path: this.path(child) } };
      }
      const j = changes.indexOf(steps);
      if (j >= 0) prio[t] = j + 1;
      this.stack.push(child);
      node = child;
    }
  }

  private snapshotStats(): ExploreStats {
    return { ...this.stats, seconds: Number(process.hrtime.bigint() - this.t0) / 1e9, visitedBytes: this.visited.bytes };
  }

  private result(violation?: Violation, cut = false): ExploreResult {
    const stats = this.snapshotStats();
    if (violation !== undefined) return { ...stats, verdict: 'violation', violation };
    return { ...stats, verdict: cut ? 'incomplete' : 'no violation' };
  }
}

/** Explores a scenario; with `preemptions`, raises the bound from 0 up to it, stopping at the first violation. */
export function explore(scn: Scenario, opts: ExploreOptions = {}): ExploreResult {
  return new Explorer(scn, opts).run();
}

export interface RandomOptions extends ExploreOptions {
  /** How many schedules to run. */
  runs: number;
  /** The first schedule's seed; schedule i runs with seed + i. */
  seed: number;
  /** The bug depth: d - 1 priority changes per schedule. */
  depth: number;
}

/**
 * Randomized schedules with probabilistic concurrency testing (PCT, Burckhardt et al. 2010):
 * each task gets a random priority, d - 1 change points are drawn among the steps, and at each
 * step the enabled task with the highest priority runs; at the j-th change point the running
 * task drops to priority j. Schedule i uses seed + i, printed with a failure: `--random 1
 * --seed S` runs that schedule again.
 */
export function randomSearch(scn: Scenario, o: RandomOptions): ExploreResult & { runs: number; seed: number } {
  const t0 = process.hrtime.bigint();
  const ex = new Explorer(scn, o);
  let transitions = 0;
  let skipped = 0;
  let depth = 0;
  const total = scn.programs.reduce((n, p) => n + p.steps.length, 0);
  for (let i = 0; i < o.runs; i++) {
    const seed = (o.seed + i) >>> 0;
    const r = ex.schedule(seed, o.depth, total);
    transitions += r.transitions;
    skipped += r.skipped;
    depth = Math.max(depth, r.depth);
    if (r.violation !== undefined) {
      const v = { ...r.violation, message: `${r.violation.message} (schedule seed ${seed})` };
      return { ...ex.totals(), transitions, skipped, depth, seconds: Number(process.hrtime.bigint() - t0) / 1e9, verdict: 'violation', violation: v, runs: i + 1, seed: o.seed };
    }
  }
  return { ...ex.totals(), transitions, skipped, depth, seconds: Number(process.hrtime.bigint() - t0) / 1e9, verdict: 'no violation', runs: o.runs, seed: o.seed };
}
