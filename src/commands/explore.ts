// daxsim explore SCENARIO [-o CEX] [options] (daxlog.md §9): every interleaving of a
// scenario's programs, checked; on the first violation the counterexample is written as a
// daxlog. Exit 0 when no violation is found, 1 when one is (and its counterexample written), 2
// on a log error.
import { InvalidArgumentError, type Command } from 'commander';
import { counterexample } from '../cex.ts';
import { LogError } from '../errors.ts';
import { explore, randomSearch, type ExploreOptions, type ExploreResult } from '../explore.ts';
import { exploreParallel } from '../explore_parallel.ts';
import { outputTarget, replaceWith } from '../replace.ts';
import { parseScenario } from '../scenario.ts';
import { printable } from '../text.ts';
import { readLog } from './read.ts';
import { logError, type DaxsimCommand, type Status } from './types.ts';

interface Opts {
  output?: string;
  allowWarn: string[];
  preemptions?: number;
  random?: number;
  seed: number;
  depth: number;
  maxStates?: number;
  reduce: boolean;
  json?: boolean;
  workers: number;
}

/** The counterexample's default name: the scenario's, with .cex.jsonl for .jsonl. */
export function cexName(scenario: string): string {
  return scenario.endsWith('.jsonl') ? `${scenario.slice(0, -'.jsonl'.length)}.cex.jsonl` : `${scenario}.cex.jsonl`;
}

export async function exploreCommand(file: string, o: Opts): Promise<Status> {
  const lines = await readLog(file);
  if (lines instanceof LogError) return logError(lines);
  const text = lines.length === 0 ? '' : lines.join('\n') + '\n';
  const scn = parseScenario(text, file);
  if (scn instanceof LogError) return logError(scn);
  const output = o.output ?? cexName(file === '-' ? 'stdin.jsonl' : file);
  const target = outputTarget(output, file, 'the counterexample');
  if (target instanceof LogError) return logError(target);
  const options: ExploreOptions = { allowWarn: o.allowWarn, reduce: o.reduce };
  if (o.maxStates !== undefined) options.maxStates = o.maxStates;
  const progress = process.stderr.isTTY && !o.json ? new Ticker() : undefined;
  if (progress !== undefined) options.progress = (s) => progress.show(`${s.states} states, ${s.transitions} transitions, depth ${s.depth}`);
  let result: ExploreResult & { preemptions?: number; runs?: number; seed?: number; workers?: number };
  const search = async (opts: ExploreOptions): Promise<ExploreResult> => (o.workers > 1 ? exploreParallel(scn, opts, o.workers) : explore(scn, opts));
  try {
    if (o.random !== undefined) result = randomSearch(scn, { ...options, runs: o.random, seed: o.seed, depth: o.depth });
    else if (o.preemptions !== undefined) {
      // Raise the bound from 0: the first violation found has the fewest preemptions.
      let r: ExploreResult = await search({ ...options, preemptions: 0 });
      let k = 0;
      while (r.verdict !== 'violation' && k < o.preemptions) r = await search({ ...options, preemptions: ++k });
      result = { ...r, preemptions: k };
    } else result = await search(options);
    if (o.workers > 1 && o.random === undefined) result.workers = o.workers;
  } catch (e) {
    progress?.clear();
    if (e instanceof LogError) return logError(e);
    throw e;
  }
  progress?.clear();
  let cexSteps: number | undefined;
  if (result.violation !== undefined) {
    const text = counterexample(scn, result.violation);
    const failed = replaceWith(output, target, text);
    if (failed !== undefined) return logError(failed);
    cexSteps = result.violation.path.length;
  }
  const memory = Math.round(process.resourceUsage().maxRSS / 1024);
  if (o.json) {
    const { violation, ...stats } = result;
    const v = violation === undefined ? undefined : { kind: violation.kind, message: violation.message, steps: violation.path.length, counterexample: output };
    process.stdout.write(JSON.stringify({ scenario: file, ...stats, statesPerSecond: rate(result), peakMemoryMB: memory, ...(v === undefined ? {} : { violation: v }) }) + '\n');
  } else process.stdout.write(summary(file, result, memory, cexSteps === undefined ? undefined : { output, steps: cexSteps }));
  return result.verdict === 'violation' ? 1 : 0;
}

const rate = (r: ExploreResult) => (r.seconds > 0 ? Math.round(r.states / r.seconds) : 0);

function summary(file: string, r: ExploreResult & { preemptions?: number; runs?: number; seed?: number; workers?: number }, memory: number, cex?: { output: string; steps: number }): string {
  const lines: string[] = [];
  const bound = r.preemptions === undefined ? '' : ` (at most ${r.preemptions} preemption${r.preemptions === 1 ? '' : 's'})`;
  if (r.violation !== undefined) lines.push(`${printable(file)}: violation${bound}: ${r.violation.kind}: ${printable(r.violation.message)}`);
  else lines.push(`${printable(file)}: ${r.verdict}${bound}`);
  const workers = r.workers === undefined ? '' : ` on ${r.workers} workers`;
  if (r.runs !== undefined) lines.push(`  ${r.runs} random schedules from seed ${r.seed}, ${r.transitions} steps`);
  else lines.push(`  ${r.states} distinct states, ${r.transitions} transitions, ${r.pruned} pruned by sleep sets, ${r.skipped} orders skipped, depth ${r.depth}, ${r.finals} final states`);
  lines.push(`  ${r.seconds.toFixed(2)} s${workers}, ${rate(r)} states/s, peak memory ${memory} MB`);
  if (cex !== undefined) lines.push(`  counterexample: ${printable(cex.output)} (${cex.steps} steps); daxsim replay ${printable(cex.output)} shows it`);
  return lines.join('\n') + '\n';
}

/** One line of progress on a terminal, rewritten at most every two seconds. */
class Ticker {
  private last = Date.now();
  show(text: string): void {
    const now = Date.now();
    if (now - this.last < 2000) return;
    this.last = now;
    process.stderr.write(`\r\x1b[K${text}`);
  }
  clear(): void {
    process.stderr.write('\r\x1b[K');
  }
}

const count = (what: string, least = 0) => (v: string) => {
  if (!/^[0-9]+$/.test(v) || Number(v) < least) throw new InvalidArgumentError(`expected ${what}`);
  return Number(v);
};

export const exploreCmd: DaxsimCommand = {
  register(program: Command, exit) {
    program
      .command('explore')
      .description("run every interleaving of a scenario's programs and check each; on a violation, write a counterexample daxlog")
      .argument('<scenario>', "a daxlog: the setup, then each task's program (daxlog.md §9), or '-' for standard input")
      .option('-o, --output <cex>', 'where to write the counterexample (default: SCENARIO with .cex.jsonl)')
      .option('--allow-warn <text>', 'a WARN containing TEXT is not a violation (repeat it for more)', (v: string, all: string[]) => [...all, v], [] as string[])
      .option('--preemptions <k>', 'at most K context switches away from a task that could go on; raised from 0, so the violation found has the fewest', count('a number of preemptions'))
      .option('--random <n>', 'run N random schedules (PCT) instead of every interleaving', count('a number of schedules'))
      .option('--seed <s>', 'the first random schedule (each failure prints the seed that reproduces it)', count('a seed'), 1)
      .option('--depth <d>', 'the bug depth of the random schedules: d - 1 priority changes', count('a depth'), 3)
      .option('--max-states <n>', 'stop after N distinct states (verdict "incomplete")', count('a number of states'))
      .option('--no-reduce', 'explore without sleep sets')
      .option('--workers <n>', 'split the exhaustive search over N threads sharing one visited set (work stealing)', count('a number of workers, at least 1', 1), 1)
      .option('--json', 'print the summary as one JSON object')
      .action(async (scenario: string, opts: Opts) => exit(await exploreCommand(scenario, opts)));
  },
};

