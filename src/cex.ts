// The counterexample `daxsim explore` writes (daxlog.md §9): the interleaving that failed, cut
// at the failing step, as a daxlog that `daxsim replay`, `verify`, `view` and `inspect`
// reproduce exactly: the scenario's header with a note naming the violation, then the setup and
// the steps in the order they ran, numbered (`seq`), each with the expect `record` writes.
import type { KernelProgram } from '../machines/kernel.ts';
import { recordedExpect } from './expect.ts';
import { stringify } from './json.ts';
import { serialiseStep, type JsonObject } from './log.ts';
import { Replayer } from './replay.ts';
import type { Violation } from './explore.ts';
import type { Scenario } from './scenario.ts';

const NOTE = 'counterexample of daxsim explore: ';

/** The violation a counterexample's header names: its kind, what happened, and at which step. */
export interface NamedViolation {
  kind: string;
  message: string;
  /** The failing step (its seq in the counterexample); absent when no step ran. */
  step?: number;
}

/** The header note of a counterexample: `counterexample of daxsim explore: KIND: MESSAGE, at step N (line L of the scenario)`. */
export function violationNote(v: NamedViolation, scenarioLine?: number): string {
  const where = v.step === undefined ? '' : `, at step ${v.step} (line ${scenarioLine} of the scenario)`;
  return `${NOTE}${v.kind}: ${v.message}${where}`;
}

/** The violation a header note names, if the note is a counterexample's (violationNote read back). */
export function violationOf(note: string | undefined): NamedViolation | undefined {
  if (note === undefined || !note.startsWith(NOTE)) return undefined;
  const m = /^([a-z]+): ([\s\S]*?)(?:, at step (\d+) \(line \d+ of the scenario\))?$/.exec(note.slice(NOTE.length));
  if (m === null) return undefined;
  return m[3] === undefined ? { kind: m[1]!, message: m[2]! } : { kind: m[1]!, message: m[2]!, step: Number(m[3]) };
}

export function counterexample(scn: Scenario, v: Violation, program?: KernelProgram): string {
  const last = v.path[v.path.length - 1];
  const named: NamedViolation = last === undefined ? { kind: v.kind, message: v.message } : { kind: v.kind, message: v.message, step: v.path.length };
  const header: JsonObject = { ...scn.header.input, note: violationNote(named, last?.line) };
  const lines = [stringify(header)];
  const r = new Replayer('counterexample', program === undefined ? {} : { program });
  r.feed(lines[0]!, 1);
  v.path.forEach((s, i) => {
    const input: JsonObject = { seq: i + 1, event: s.input['event']! };
    if (s.task !== 'main') input['task'] = s.task;
    if (s.input['note'] !== undefined) input['note'] = s.input['note'];
    const text = serialiseStep(input);
    const res = r.feed(text, i + 2)!;
    lines.push(serialiseStep(input, recordedExpect(res.out)));
  });
  return lines.join('\n') + '\n';
}
