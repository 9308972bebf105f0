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

export function counterexample(scn: Scenario, v: Violation, program?: KernelProgram): string {
  const last = v.path[v.path.length - 1];
  const where = last === undefined ? '' : `, at step ${v.path.length} (line ${last.line} of the scenario)`;
  const header: JsonObject = { ...scn.header.input, note: `counterexample of daxsim explore: ${v.kind}: ${v.message}${where}` };
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
