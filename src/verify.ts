// Verify: replay a log and reduce it to a verdict (verified, diverged, or a log error).
import type { EventType } from '../machines/events.ts';
import { LogError } from './errors.ts';
import type { Divergence } from './expect.ts';
import { replayText, type StepResult, type Summary } from './replay.ts';

export interface Verdict {
  file: string;
  steps: number;
  /** Steps whose outcome did not match their expect. */
  diverged: number;
  first?: { line: number; divergence: Divergence };
  blocked: { task: string; type: EventType; line: number; where: string }[];
  error?: LogError;
}

/** Folds step results into a verdict, one step at a time. */
export class VerdictBuilder {
  readonly verdict: Verdict;
  constructor(file: string) {
    this.verdict = { file, steps: 0, diverged: 0, blocked: [] };
  }
  add(r: StepResult): void {
    const v = this.verdict;
    v.steps++;
    if (r.diverged === undefined) return;
    v.diverged++;
    v.first ??= { line: r.step.line, divergence: r.diverged[0]! };
  }
  end(summary: Summary | undefined, error?: LogError): Verdict {
    if (summary !== undefined) this.verdict.blocked = summary.blocked;
    if (error !== undefined) this.verdict.error = error;
    return this.verdict;
  }
}

export function verifyText(text: string, file = '<log>'): Verdict {
  const b = new VerdictBuilder(file);
  const r = replayText(text, file);
  for (const s of r.results) b.add(s);
  return b.end(r.summary, r.error);
}

/** The exit status verify gives for a set of verdicts: 0 verified, 1 diverged, 2 log error. */
export function verifyStatus(vs: Verdict[]): 0 | 1 | 2 {
  if (vs.some((v) => v.error !== undefined)) return 2;
  return vs.some((v) => v.diverged > 0) ? 1 : 0;
}
