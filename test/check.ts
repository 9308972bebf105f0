// A generated log run with every invariant checked after every step, and the same check over
// a daxlog's text (to show that a printed counterexample replays its failure).
import type { Cmd, GenConfig } from './arbitraries.ts';
import { LogBuilder } from './generate.ts';
import { InvariantChecker, type Violation } from './invariants.ts';
import type { EventType } from '../machines/events.ts';
import type { CallTable } from '../machines/kernel.ts';
import { LogError } from '../src/errors.ts';
import { splitLines } from '../src/log.ts';
import { Replayer, type StepResult } from '../src/replay.ts';

export type Calls = Partial<CallTable<EventType>>;

export interface Checked {
  /** The log as replayed (for a generated log: up to and including the failing step). */
  text: string;
  steps: number;
  violation?: Violation;
  /** A log error (a generated log must have none) or an exception (replay must never throw). */
  error?: string;
}

/** Builds the log for cmds step by step, checking the invariants after each step. */
export function runGenerated(config: GenConfig, cmds: Cmd[], calls?: Calls, observe?: (r: StepResult) => void): Checked {
  const inv = new InvariantChecker();
  let b: LogBuilder | undefined;
  let steps = 0;
  const done = (extra: Partial<Checked>): Checked => ({ text: b?.text() ?? '', steps, ...extra });
  try {
    b = new LogBuilder(config, calls === undefined ? { hooks: inv.hooks } : { calls, hooks: inv.hooks });
    const builder = b;
    const check = (r: StepResult | undefined): Violation | undefined => {
      if (r === undefined) return undefined;
      steps++;
      observe?.(r);
      return inv.after(builder.kernel, r);
    };
    for (const s of b.prefillSteps()) {
      const v = check(b.feed(s));
      if (v !== undefined) return done({ violation: v });
    }
    for (const cmd of cmds) {
      const v = check(b.step(cmd));
      if (v !== undefined) return done({ violation: v });
    }
    return done({});
  } catch (e) {
    return done({ error: describe(e) });
  }
}

/** Replays a daxlog's text with the invariants checked after every step. */
export function checkText(text: string, calls?: Calls): Checked {
  const inv = new InvariantChecker();
  const r = new Replayer('counterexample.jsonl', calls === undefined ? { hooks: inv.hooks } : { calls, hooks: inv.hooks });
  let steps = 0;
  let violation: Violation | undefined;
  try {
    splitLines(text, (line, n) => {
      if (violation !== undefined) return;
      const res: StepResult | undefined = r.feed(line, n);
      if (res === undefined) return;
      steps++;
      violation = inv.after(r.model!, res);
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
