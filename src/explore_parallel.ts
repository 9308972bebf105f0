// daxsim explore --workers N: the search of explore.ts split over N threads (this one and N - 1
// worker threads), each a depth-first Explorer of its own, sharing one visited set.
//
// Work moves by stealing: a worker whose stack runs dry says it is hungry (a flag in shared
// memory) and sleeps on Atomics.wait; a busy worker sees the flag at its next poll (every 64
// moves), takes the move left to explore lowest on its stack (the largest subtree), and posts
// it as a WorkItem: the moves from the setup's end to the state, the move to take there, and
// the state's sleep-set bookkeeping. The receiver rebuilds the state by running those moves
// (tens of steps, microseconds each) rather than copying it. The search ends when every worker
// is hungry at once (nobody is left to hand work over), or when one finds a violation.
//
// Sleep sets stay sound across workers: the shared set keeps, per state, the intersection of
// the sleep sets it was reached with, and a visit that finds it with a larger one explores what
// is left (visited.ts); the slot is updated with compare-and-swap.
import { MessageChannel, receiveMessageOnPort, Worker, parentPort, type MessagePort } from 'node:worker_threads';
import { Explorer, type Coordinator, type ExploreOptions, type ExploreResult, type Violation, type Visited, type WorkItem } from './explore.ts';
import type { Scenario } from './scenario.ts';
import { LogError } from './errors.ts';
import type { Step } from './log.ts';

/**
 * The visited set of visited.ts in shared memory: two 32-bit words a slot (56 bits of hash, 7 of
 * sleep set), claimed with compare-and-swap. It starts small and grows by four when it is 80%
 * full; growing stops the world (see Resizing), so that a table that fits the search stays in
 * cache: a table sized up front for millions of states made a small search 40% slower.
 */
export class SharedVisited implements Visited {
  buffer!: SharedArrayBuffer;
  private slots!: Int32Array;
  private used!: Int32Array;
  private n = 0;

  constructor(
    buffer: SharedArrayBuffer,
    /** How the workers agree to grow it; without, the table keeps its size (final states). */
    private readonly resizing?: Resizing,
  ) {
    this.adopt(buffer);
  }

  static create(capacity: number, resizing?: Resizing): SharedVisited {
    return new SharedVisited(new SharedArrayBuffer(8 + capacity * 8), resizing);
  }

  /** Takes a table another worker grew. */
  adopt(buffer: SharedArrayBuffer): void {
    this.buffer = buffer;
    this.slots = new Int32Array(buffer, 8);
    this.used = new Int32Array(buffer, 0, 2);
    this.n = this.slots.length / 2;
  }

  get bytes(): number {
    return this.buffer.byteLength;
  }

  private get full(): boolean {
    return Atomics.load(this.used, 0) * 5 >= this.n * 4;
  }

  visit(a: number, b: number, sleep: number): number {
    if (this.resizing !== undefined) {
      this.resizing.checkpoint(this);
      if (this.full) this.resizing.grow(this);
    } else if (this.full) return -1; // a table of fixed size that is full stores no more (a count may repeat one)
    const hi = ((b & 0xffffff00) | 0x80) | 0;
    const want = (hi | (sleep & 0x7f)) | 0;
    const s = this.slots;
    const n = this.n;
    a |= 0;
    for (let i = start(a, hi, n); ; i = i + 1 === n ? 0 : i + 1) {
      let y = Atomics.load(s, 2 * i + 1);
      if (y === 0) {
        y = Atomics.compareExchange(s, 2 * i + 1, 0, want);
        if (y === 0) {
          // Claimed. A thread that reads the slot before its hash word is written moves past
          // it and may store the same state again: a state explored twice, never one missed.
          Atomics.store(s, 2 * i, a);
          Atomics.add(this.used, 0, 1);
          return -1;
        }
      }
      if ((y & 0xffffff00) === (hi & 0xffffff00) && Atomics.load(s, 2 * i) === a) {
        for (;;) {
          const old = y & 0x7f;
          const next = (y & ~0x7f) | (old & sleep);
          const seen = Atomics.compareExchange(s, 2 * i + 1, y, next);
          if (seen === y) return old & ~sleep & 0x7f;
          y = seen;
        }
      }
    }
  }

  /** A table four times larger with every entry of this one (only while the others wait). */
  grown(): SharedArrayBuffer {
    const n = this.n * 4;
    const buffer = new SharedArrayBuffer(8 + n * 8);
    const slots = new Int32Array(buffer, 8);
    const old = this.slots;
    for (let j = 0; j < old.length; j += 2) {
      const a = old[j]!;
      const y = old[j + 1]!;
      if (y === 0) continue;
      let i = start(a, ((y & 0xffffff00) | 0x80) | 0, n);
      while (slots[2 * i + 1] !== 0) i = i + 1 === n ? 0 : i + 1;
      slots[2 * i] = a;
      slots[2 * i + 1] = y;
    }
    new Int32Array(buffer, 0, 2)[0] = Atomics.load(this.used, 0);
    return buffer;
  }
}

function start(a: number, hi: number, n: number): number {
  return Math.floor(((Math.imul(a ^ hi, 0x9e3779b1) >>> 0) / 4294967296) * n);
}

/**
 * Growing the shared table: the worker that finds it 80% full raises RESIZE, waits until every
 * other worker has parked (at its next visit, or in its idle loop) or left the search, builds the
 * larger table, posts it to each of them, and lowers RESIZE. A parked worker takes the new table
 * from the grower's port; work that came on that port before it is kept for the idle loop.
 */
class Resizing {
  /** Work items read while looking for a table (idle() takes them first). */
  readonly pending: WorkItem[] = [];

  constructor(
    private readonly ctl: Int32Array,
    private readonly me: number,
    private readonly workers: number,
    private readonly ports: (MessagePort | null)[],
    private readonly ring: () => void,
  ) {}

  get resizing(): boolean {
    return Atomics.load(this.ctl, RESIZE) !== 0;
  }

  /** Parks while another worker grows the table. */
  checkpoint(t: SharedVisited): void {
    if (Atomics.load(this.ctl, RESIZE) !== 0) this.park(t);
  }

  grow(t: SharedVisited): void {
    if (Atomics.compareExchange(this.ctl, RESIZE, 0, 1) !== 0) return this.park(t);
    Atomics.store(this.ctl, RESIZER, this.me);
    this.ring(); // idle workers wake and park
    for (;;) {
      const parked = Atomics.load(this.ctl, PARKED);
      if (parked + Atomics.load(this.ctl, LEFT) >= this.workers - 1) break;
      if (Atomics.load(this.ctl, STOP) !== 0) {
        // The search is ending: no table to grow (there is room left, a fifth of it).
        Atomics.store(this.ctl, RESIZE, 0);
        Atomics.notify(this.ctl, RESIZE);
        return;
      }
      Atomics.wait(this.ctl, PARKED, parked, 20);
    }
    const buffer = t.grown();
    t.adopt(buffer);
    for (let w = 0; w < this.workers; w++) if (w !== this.me) this.ports[w]!.postMessage({ table: buffer });
    Atomics.store(this.ctl, PARKED, 0);
    Atomics.store(this.ctl, RESIZE, 0);
    Atomics.notify(this.ctl, RESIZE);
  }

  park(t: SharedVisited): void {
    Atomics.add(this.ctl, PARKED, 1);
    Atomics.notify(this.ctl, PARKED);
    while (Atomics.load(this.ctl, RESIZE) !== 0) Atomics.wait(this.ctl, RESIZE, 1, 20);
    if (Atomics.load(this.ctl, STOP) !== 0 && Atomics.load(this.ctl, RESIZER) === this.me) return;
    const port = this.ports[Atomics.load(this.ctl, RESIZER)];
    for (;;) {
      const got = port === null || port === undefined ? undefined : receiveMessageOnPort(port);
      if (got === undefined) return; // the grower gave up (the search is stopping)
      const m = got.message as { table?: SharedArrayBuffer } & WorkItem;
      if (m.table !== undefined) return t.adopt(m.table);
      this.pending.push(m);
    }
  }

  /** This worker has left the search: a grower no longer waits for it. */
  leave(): void {
    Atomics.add(this.ctl, LEFT, 1);
    Atomics.notify(this.ctl, PARKED);
  }
}

// The control words, in one shared Int32Array: STOP (a violation was found, or --max-states
// reached), IDLE (workers that are hungry), STATES (distinct states, for --max-states), then per
// worker its hungry flag (0 busy, 1 hungry, 2 being served) and a word it waits on.
const STOP = 0;
const IDLE = 1;
const STATES = 2;
const HUNGRY_ANY = 3;
// Growing the visited set: RESIZE raised while one worker (RESIZER) grows it, PARKED the
// workers waiting for it, LEFT those that have left the search.
const RESIZE = 4;
const RESIZER = 5;
const PARKED = 6;
const LEFT = 7;
const HEAD = 8;

interface WorkerSetup {
  daxsimExploreWorker: true;
  /** The scenario as parsed (structured-cloned: the worker does not read logs). */
  scenario: Scenario;
  opts: WireOptions;
  index: number;
  workers: number;
  control: SharedArrayBuffer;
  visited: SharedArrayBuffer;
  finals: SharedArrayBuffer;
  /** ports[j]: this worker's port to worker j (posting work to it, or receiving from it). */
  ports: (MessagePort | null)[];
}

type WireOptions = Pick<ExploreOptions, 'allowWarn' | 'maxStates' | 'preemptions' | 'reduce'>;

/** What a worker reports at the end. */
interface WorkerReport {
  result: Omit<ExploreResult, 'violation'> & { violation?: { kind: Violation['kind']; message: string; lines: number[] } };
}

class Coordination implements Coordinator {
  private readonly ctl: Int32Array;
  readonly resizing: Resizing;
  visited!: SharedVisited;

  constructor(
    control: SharedArrayBuffer,
    private readonly me: number,
    private readonly workers: number,
    private readonly ports: (MessagePort | null)[],
    private readonly maxStates?: number,
  ) {
    this.ctl = new Int32Array(control);
    this.resizing = new Resizing(this.ctl, me, workers, ports, () => this.wakeAll());
  }

  private hungry(w: number): number {
    return HEAD + w;
  }

  private bell(w: number): number {
    return HEAD + this.workers + w;
  }

  stop(): void {
    Atomics.store(this.ctl, STOP, 1);
    this.wakeAll();
  }

  counted(): number {
    const n = Atomics.add(this.ctl, STATES, 1) + 1;
    if (this.maxStates !== undefined && n >= this.maxStates) this.stop();
    return n;
  }

  poll(ex: Explorer): boolean {
    if (Atomics.load(this.ctl, STOP) !== 0) return false;
    if (Atomics.load(this.ctl, HUNGRY_ANY) === 0) return true;
    for (let w = 0; w < this.workers; w++) {
      if (w === this.me || Atomics.compareExchange(this.ctl, this.hungry(w), 1, 2) !== 1) continue;
      const item = ex.donate();
      if (item === undefined) {
        Atomics.store(this.ctl, this.hungry(w), 1);
        return true;
      }
      // w counts as busy from here: the search cannot end while its work is in flight.
      Atomics.sub(this.ctl, IDLE, 1);
      Atomics.sub(this.ctl, HUNGRY_ANY, 1);
      this.ports[w]!.postMessage(item);
      Atomics.store(this.ctl, this.hungry(w), 0);
      Atomics.add(this.ctl, this.bell(w), 1);
      Atomics.notify(this.ctl, this.bell(w));
      return true;
    }
    return true;
  }

  idle(): WorkItem | undefined {
    const ctl = this.ctl;
    const kept = this.resizing.pending.shift();
    if (kept !== undefined) return kept;
    Atomics.store(ctl, this.hungry(this.me), 1);
    Atomics.add(ctl, HUNGRY_ANY, 1);
    if (Atomics.add(ctl, IDLE, 1) + 1 === this.workers) this.wakeAll();
    for (;;) {
      const ring = Atomics.load(ctl, this.bell(this.me));
      this.resizing.checkpoint(this.visited);
      const kept = this.resizing.pending.shift();
      if (kept !== undefined) return kept; // a donor counted this worker busy when it posted it
      for (const p of this.ports) {
        const got = p === null ? undefined : receiveMessageOnPort(p);
        if (got === undefined) continue;
        const m = got.message as { table?: SharedArrayBuffer } & WorkItem;
        if (m.table !== undefined) this.visited.adopt(m.table);
        else return m;
      }
      if (Atomics.load(ctl, STOP) !== 0) return undefined;
      if (Atomics.load(ctl, IDLE) === this.workers && Atomics.load(ctl, this.hungry(this.me)) === 1) return undefined;
      Atomics.wait(ctl, this.bell(this.me), ring, 50);
    }
  }

  /** Done with the search (whatever ended it). */
  leave(): void {
    this.resizing.leave();
  }

  private wakeAll(): void {
    for (let w = 0; w < this.workers; w++) {
      Atomics.add(this.ctl, this.bell(w), 1);
      Atomics.notify(this.ctl, this.bell(w));
    }
  }
}

const lineOf = (s: Step) => s.line;

function report(r: ExploreResult): WorkerReport {
  const { violation, ...rest } = r;
  return { result: violation === undefined ? rest : { ...rest, violation: { kind: violation.kind, message: violation.message, lines: violation.path.map(lineOf) } } };
}

/** The worker thread's side: explores until the search ends, then reports. */
function runWorker(setup: WorkerSetup): void {
  const scn = setup.scenario;
  const coord = new Coordination(setup.control, setup.index, setup.workers, setup.ports, setup.opts.maxStates);
  const visited = (coord.visited = new SharedVisited(setup.visited, coord.resizing));
  const r = new Explorer(scn, setup.opts, visited, new SharedVisited(setup.finals)).runShared(coord, false);
  if (r.verdict === 'violation') coord.stop();
  coord.leave();
  parentPort!.postMessage(report(r));
}

/**
 * How a worker thread is started: from dist/explore_worker.mjs beside the command's bundle
 * (explore_worker.ts, bundled alone: a worker starts without the rest of the command line), or
 * in a checkout running its sources, explore_worker.ts through tsx.
 */
function spawn(data: WorkerSetup, transfer: MessagePort[]): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const api = import.meta.resolve('tsx/esm/api');
    const entry = new URL('./explore_worker.ts', here).href;
    const code = `import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`;
    return new Worker(code, { eval: true, workerData: data, transferList: transfer });
  }
  return new Worker(new URL(here.endsWith('.mjs') ? './explore_worker.mjs' : './explore_worker.js', here), { workerData: data, transferList: transfer });
}

/**
 * Explores with `workers` threads (this one included). The options that hold functions (a
 * planted program, progress, onFinal) belong to the one-thread search and are not used here.
 */
export async function exploreParallel(scn: Scenario, opts: ExploreOptions, workers: number): Promise<ExploreResult> {
  const t0 = process.hrtime.bigint();
  const control = new SharedArrayBuffer(4 * (HEAD + 2 * workers));
  // One channel per ordered pair of workers: ports[i][j] is i's end towards j.
  const ports: (MessagePort | null)[][] = Array.from({ length: workers }, () => Array<MessagePort | null>(workers).fill(null));
  for (let i = 0; i < workers; i++) {
    for (let j = i + 1; j < workers; j++) {
      const { port1, port2 } = new MessageChannel();
      ports[i]![j] = port1;
      ports[j]![i] = port2;
    }
  }
  const wire: WireOptions = {};
  if (opts.allowWarn !== undefined) wire.allowWarn = opts.allowWarn;
  if (opts.maxStates !== undefined) wire.maxStates = opts.maxStates;
  if (opts.preemptions !== undefined) wire.preemptions = opts.preemptions;
  if (opts.reduce !== undefined) wire.reduce = opts.reduce;
  const coord = new Coordination(control, 0, workers, ports[0]!, opts.maxStates);
  const visited = (coord.visited = SharedVisited.create(1 << 14, coord.resizing));
  // Final states are few (the programs' ends): a fixed table of 2^18 slots.
  const finals = SharedVisited.create(1 << 18);
  const threads: Promise<WorkerReport>[] = [];
  for (let w = 1; w < workers; w++) {
    const mine = ports[w]!.filter((p): p is MessagePort => p !== null);
    const data: WorkerSetup = { daxsimExploreWorker: true, scenario: scn, opts: wire, index: w, workers, control, visited: visited.buffer, finals: finals.buffer, ports: ports[w]! };
    const worker = spawn(data, mine);
    threads.push(
      new Promise((resolve, reject) => {
        worker.once('message', (m: WorkerReport) => resolve(m));
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`explore worker ${w} exited with ${code} before reporting`)));
      }),
    );
  }
  const mine = new Explorer(scn, wire, visited, finals).runShared(coord, true);
  if (mine.verdict === 'violation') coord.stop();
  coord.leave();
  const others = await Promise.all(threads);
  for (const row of ports) for (const p of row) p?.close();

  const all = [report(mine).result, ...others.map((o) => o.result)];
  const sum = (f: (r: (typeof all)[number]) => number) => all.reduce((n, r) => n + f(r), 0);
  const found = all.find((r) => r.violation !== undefined)?.violation;
  const stats = {
    states: sum((r) => r.states),
    transitions: sum((r) => r.transitions),
    pruned: sum((r) => r.pruned),
    skipped: sum((r) => r.skipped),
    depth: Math.max(...all.map((r) => r.depth)),
    finals: sum((r) => r.finals), // each distinct final state is counted by the one worker that stored it
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
    visitedBytes: visited.bytes,
  };
  if (found !== undefined) {
    const byLine = new Map([...scn.setup, ...scn.programs.flatMap((p) => p.steps)].map((s) => [s.line, s]));
    return { ...stats, verdict: 'violation', violation: { kind: found.kind, message: found.message, path: found.lines.map((l) => byLine.get(l)!) } };
  }
  return { ...stats, verdict: opts.maxStates !== undefined && stats.states >= opts.maxStates ? 'incomplete' : 'no violation' };
}

export { runWorker as runExploreWorker, type WorkerSetup };
