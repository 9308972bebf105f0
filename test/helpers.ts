// Small builders for tests: a daxlog from step objects, and its replay as outcomes.
import type { Outcome } from '../machines/outcome.ts';
import { replayText, type ReplayResult } from '../src/replay.ts';

export type StepInput = { event: Record<string, unknown>; task?: string; expect?: Record<string, unknown>; seq?: number; note?: string };

/** A daxlog text: the header (with optional config) and one line per step. */
export function daxlog(steps: StepInput[], config?: Record<string, unknown>): string {
  const header = config === undefined ? { daxlog: 1 } : { daxlog: 1, config };
  return [header, ...steps].map((o) => JSON.stringify(o)).join('\n') + '\n';
}

/** Shorthand for a step of `task` (default main) making the call `type` with fields. */
export function call(type: string, fields: Record<string, unknown> = {}, task?: string): StepInput {
  return task === undefined ? { event: { type, ...fields } } : { task, event: { type, ...fields } };
}

/** Replays steps and returns the outcomes; fails the test on a log error. */
export function outcomes(steps: StepInput[], config?: Record<string, unknown>): Outcome[] {
  const r = replay(steps, config);
  if (r.error !== undefined) throw new Error(`unexpected log error: ${r.error.message}`);
  return r.results.map((x) => x.out);
}

export function replay(steps: StepInput[], config?: Record<string, unknown>): ReplayResult {
  return replayText(daxlog(steps, config), 'test.jsonl');
}

/** The last outcome of a replay. */
export function last(steps: StepInput[], config?: Record<string, unknown>): Outcome {
  const o = outcomes(steps, config);
  return o[o.length - 1]!;
}
