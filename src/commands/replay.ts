// daxsim replay LOG [--json]: each step with its outcome, then a summary (a closing JSON line
// under --json); 0, 1 on divergence, 2 on a log error (and no summary).
import { replayFile, sizeOf } from '../files.ts';
import { Progress } from '../progress.ts';
import { formatStep, formatSummary } from '../format.ts';
import { Output } from '../io.ts';
import { summaryJson, writeStep } from '../jsonl.ts';
import type { StepResult } from '../replay.ts';
import { logError, type DaxsimCommand, type Status } from './types.ts';
import { InvalidArgumentError } from 'commander';
import { atReport, formatAt, type AtReport } from '../at.ts';
import { LogError } from '../errors.ts';
import { readLines } from '../io.ts';
import { Replayer } from '../replay.ts';
import { printable } from '../text.ts';

/** A step number for --at: a positive integer. */
function atStep(v: string): number {
  if (!/^[1-9][0-9]*$/.test(v)) throw new InvalidArgumentError('expected a step number (1, 2, …)');
  return Number(v);
}


interface ReplayOpts {
  json?: boolean;
  check?: boolean;
  at?: number;
}

export async function replay(log: string, opts: ReplayOpts): Promise<Status> {
  if (opts.at !== undefined) return replayAt(log, opts.at, opts.json === true);
  const out = new Output(process.stdout);
  let steps = 0;
  const json = (r: StepResult) => {
    steps++;
    writeStep(out, r);
  };
  const human = (r: StepResult) => {
    steps++;
    out.write(formatStep(r));
  };
  // Never under --json; only for a terminal (Progress checks).
  const progress = opts.json ? undefined : new Progress(process.stderr, { total: sizeOf(log) });
  const res = await replayFile(
    log,
    opts.json ? json : human,
    async (bytes) => {
      progress?.update(steps, bytes);
      await out.maybeFlush();
    },
    { check: opts.check === true },
  );
  progress?.done();
  if (res.error !== undefined) {
    await out.flush();
    return logError(res.error);
  }
  out.write(opts.json ? summaryJson(res.summary) : formatSummary(res.summary));
  await out.flush();
  return res.summary.diverged > 0 ? 1 : 0;
}

/** replay --at N: the state after step N (daxlog.md §9), as a report or one JSON object. */
async function replayAt(log: string, n: number, json: boolean): Promise<Status> {
  const r = new Replayer(log);
  let report: AtReport | undefined;
  try {
    await readLines(log, (text, line) => {
      if (report !== undefined) throw STOP;
      const res = r.feed(text, line);
      if (res !== undefined && res.step.seq === n) report = atReport(r.model!, n, line);
    });
  } catch (e) {
    if (e instanceof LogError) return logError(e);
    if (e !== STOP) throw e;
  }
  if (report === undefined) {
    const steps = r.model === undefined ? 0 : r.end().steps;
    return logError(new LogError(log, 0, 0, `--at ${n}: the log has ${steps} steps`));
  }
  process.stdout.write(json ? JSON.stringify(report) + '\n' : formatAt(report, printable));
  return 0;
}

const STOP = Symbol('stop');

export const replayCommand: DaxsimCommand = {
  register(program, exit) {
    program
      .command('replay')
      .description('replay one log and print each step with its outcome')
      .argument('<log>', "a daxlog file, or '-' for standard input")
      .option('--json', 'print JSON Lines: each step with its outcome ("out") and any divergence, then a closing "summary" line')
      .option('--check', "also check the model's invariants after every step; a broken one is reported like a divergence")
      .option('--at <n>', 'print the state after step n instead: objects, dax_srcu, page tables, blocked tasks', atStep)
      .action(async (log: string, opts: ReplayOpts) => exit(await replay(log, opts)));
  },
};
