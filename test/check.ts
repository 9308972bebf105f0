// A generated log run with every invariant checked after every step, and the same check over
// a daxlog's text (to show that a printed counterexample replays its failure). The invariants
// are the model's own (machines/invariants.ts), plus checks of each step's outcome against what
// the spec says an outcome must be: a store through a read-only huge entry, a failed creation
// whose handle still names an older object, a kernel message printing 0 as "0x0".
import type { Cmd, GenConfig } from './arbitraries.ts';
import { LogBuilder } from './generate.ts';
import { checkStep, type Violation as ModelViolation } from '../machines/invariants.ts';
import { OBJECT_MACHINES } from '../machines/registry.ts';
import type { Kernel, KernelProgram } from '../machines/kernel.ts';
import { leavesOf, type KernelState } from '../machines/state.ts';

const SPAN = { PTE: 1n << 12n, PMD: 1n << 21n, PUD: 1n << 30n };
import { LogError } from '../src/errors.ts';
import { splitLines } from '../src/log.ts';
import { Replayer, type StepResult } from '../src/replay.ts';

export type Calls = KernelProgram;

export interface Violation {
  invariant: ModelViolation['invariant'] | 'outcome';
  line: number;
  message: string;
}

export interface Checked {
  /** The log as replayed (for a generated log: up to and including the failing step). */
  text: string;
  steps: number;
  violation?: Violation;
  /** A log error (a generated log must have none) or an exception (replay must never throw). */
  error?: string;
}

/** The first invariant a step breaks: the model's, or what the outcome itself must satisfy. */
export function checkAfter(prev: KernelState, k: Kernel, r: StepResult): Violation | undefined {
  const v = checkStep(prev, k.s, r.step.event.type) ?? outcomeCheck(prev, k, r);
  return v === undefined ? undefined : { ...v, line: r.step.line, message: `line ${r.step.line}: ${v.message}` };
}

function outcomeCheck(prev: KernelState, k: Kernel, r: StepResult): { invariant: 'outcome'; message: string } | undefined {
  const { event } = r.step;
  const out = r.out;
  const bad = (message: string) => ({ invariant: 'outcome' as const, message });
  // A store goes through only a writable entry (daxlog ruling 12).
  if (event.type === 'vma.access' && event.write === true && out.ret === 0 && out.map !== undefined && out.map !== 'PTE') {
    const leafWrite = writableAt(k, event.vma, event.off);
    if (leafWrite === false) return bad(`a store went through a read-only ${out.map} entry without a fault`);
  }
  // A creation that failed before its object existed leaves its handle NULL, or a live holder.
  const failed = typeof out.ret === 'string' && (out.ret === 'NULL' || out.ret.startsWith('-E'));
  const handle = event.type === 'dax_region.alloc' || (event.type === 'dax_pmem.probe' && out.ret !== 0) ? event.parent : event.type === 'dev_dax.create' ? event.dev : undefined;
  if (failed && handle !== undefined) {
    const b = k.s.handles[handle];
    const was = typeof b === 'number' && b === prev.handles[handle] ? prev.objects[b] : undefined;
    if (was !== undefined && OBJECT_MACHINES[was.kind].compiled.finals.has(was.value as never)) {
      return bad(`the failed creation left ${handle} naming the older ${was.label} (${was.value})`);
    }
  }
  // Kernel messages print integers as C's %#x does: zero is "0", never "0x0".
  for (const line of [...(out.log ?? []), ...(out.warn ?? [])]) if (/\b0x0\b/.test(line)) return bad(`a kernel message prints 0 as 0x0: ${line}`);
  return undefined;
}

/** Whether the entry covering vma + off allows stores (undefined: no entry). */
function writableAt(k: Kernel, vma: string, off: bigint): boolean | undefined {
  const b = k.s.handles[vma];
  if (typeof b !== 'number') return undefined;
  const v = k.obj(b, 'mapping');
  const page = Number((BigInt(v.context.start) + off) >> 12n);
  const leaf = leavesOf(k.s).find((l) => BigInt(l.base) <= BigInt(page) << 12n && BigInt(page) << 12n < BigInt(l.base) + SPAN[l.size]);
  return leaf?.write;
}

/** Builds the log for cmds step by step, checking the invariants after each step. */
export function runGenerated(config: GenConfig, cmds: Cmd[], calls?: Calls, observe?: (r: StepResult) => void): Checked {
  let b: LogBuilder | undefined;
  let steps = 0;
  const done = (extra: Partial<Checked>): Checked => ({ text: b?.text() ?? '', steps, ...extra });
  try {
    b = new LogBuilder(config, calls === undefined ? {} : { program: calls });
    const builder = b;
    const check = (prev: KernelState, r: StepResult | undefined): Violation | undefined => {
      if (r === undefined) return undefined;
      steps++;
      observe?.(r);
      const v = checkAfter(prev, builder.kernel, r);
      return v !== undefined && builder.misused.has(v.invariant) ? undefined : v;
    };
    for (const s of b.prefillSteps()) {
      const prev = b.kernel.snapshot();
      const v = check(prev, b.feed(s));
      if (v !== undefined) return done({ violation: v });
    }
    for (const cmd of cmds) {
      const prev = b.kernel.snapshot();
      const v = check(prev, b.step(cmd));
      if (v !== undefined) return done({ violation: v });
    }
    return done({});
  } catch (e) {
    return done({ error: describe(e) });
  }
}

/** Replays a daxlog's text with the invariants checked after every step. */
export function checkText(text: string, calls?: Calls): Checked {
  const r = new Replayer('counterexample.jsonl', calls === undefined ? {} : { program: calls });
  let steps = 0;
  let violation: Violation | undefined;
  try {
    splitLines(text, (line, n) => {
      if (violation !== undefined) return;
      const prev = r.model?.snapshot();
      const res: StepResult | undefined = r.feed(line, n);
      if (res === undefined || prev === undefined) return;
      steps++;
      violation = checkAfter(prev, r.model!, res);
    });
    r.end();
  } catch (e) {
    return { text, steps, error: describe(e) };
  }
  return violation === undefined ? { text, steps } : { text, steps, violation };
}

/**
 * Reduces a failing log line by line: drops every step whose removal keeps the same failure (the
 * same invariant, or the same error reason) until none can go, and cuts the steps after the
 * failing one. Steps are dropped from the end, so a later step never pins an earlier one.
 */
export function minimise(run: Checked, calls?: Calls): Checked {
  const key = failureKey(run);
  if (key === undefined) return run;
  let best = run;
  let lines = run.text.trimEnd().split('\n');
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = lines.length - 1; i >= 1; i--) {
      const cand = [...lines.slice(0, i), ...lines.slice(i + 1)];
      const c = checkText(cand.join('\n') + '\n', calls);
      if (failureKey(c) !== key) continue;
      const end = c.violation?.line ?? cand.length;
      lines = cand.slice(0, end);
      best = end === cand.length ? c : checkText(lines.join('\n') + '\n', calls);
      changed = true;
    }
  }
  return best;
}

/** What makes two failures the same: the invariant, or the error without where it happened. */
function failureKey(c: Checked): string | undefined {
  if (c.violation !== undefined) return `invariant ${c.violation.invariant}`;
  if (c.error === undefined) return undefined;
  const first = c.error.split('\n')[0]!;
  return first.replace(/^log error: [^:]*:\d+:\d+: /, 'log error: ').replace(/\bline \d+/g, 'line N');
}

function describe(e: unknown): string {
  if (e instanceof LogError) return `log error: ${e.message}`;
  return `replay threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
}
