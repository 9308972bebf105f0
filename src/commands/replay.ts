// daxsim replay LOG [--json]: each step with its outcome, then a summary (a closing JSON line
// under --json); 0, 1 on divergence, 2 on a log error (and no summary).
import { replayFile, sizeOf } from '../files.ts';
import { Progress } from '../progress.ts';
import { formatStep, formatSummary } from '../format.ts';
import { Output } from '../io.ts';
import { summaryJson, writeStep } from '../jsonl.ts';
import type { StepResult } from '../replay.ts';
import { logError, type DaxsimCommand, type Status } from './types.ts';

export async function replay(log: string, opts: { json?: boolean }): Promise<Status> {
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
  const res = await replayFile(log, opts.json ? json : human, async (bytes) => {
    progress?.update(steps, bytes);
    await out.maybeFlush();
  });
  progress?.done();
  if (res.error !== undefined) {
    await out.flush();
    return logError(res.error);
  }
  out.write(opts.json ? summaryJson(res.summary) : formatSummary(res.summary));
  await out.flush();
  return res.summary.diverged > 0 ? 1 : 0;
}

export const replayCommand: DaxsimCommand = {
  register(program, exit) {
    program
      .command('replay')
      .description('replay one log and print each step with its outcome')
      .argument('<log>', "a daxlog file, or '-' for standard input")
      .option('--json', 'print JSON Lines: each step with its outcome ("out") and any divergence, then a closing "summary" line')
      .action(async (log: string, opts: { json?: boolean }) => exit(await replay(log, opts)));
  },
};
