// A scenario (daxlog.md §9): a daxlog whose leading steps, up to the first step of another task
// than the first step's, are the setup, run once in order; every later step belongs to its
// task's program, in file order. `daxsim explore` runs every interleaving of the programs.
import { LogError } from './errors.ts';
import { parseLog, type Header, type Step } from './log.ts';

export interface Scenario {
  file: string;
  header: Header;
  setup: Step[];
  /** The tasks' programs, in the order the tasks first appear after the setup. */
  programs: { task: string; steps: Step[] }[];
}

/** Reads a scenario from a daxlog's text; a log error as a value. */
export function parseScenario(text: string, file: string): Scenario | LogError {
  const log = parseLog(text, file);
  if (log instanceof LogError) return log;
  const first = log.steps[0]?.task;
  let n = 0;
  while (n < log.steps.length && log.steps[n]!.task === first) n++;
  const programs: Scenario['programs'] = [];
  for (const s of log.steps.slice(n)) {
    let p = programs.find((x) => x.task === s.task);
    if (p === undefined) programs.push((p = { task: s.task, steps: [] }));
    p.steps.push(s);
  }
  return { file, header: log.header, setup: log.steps.slice(0, n), programs };
}
