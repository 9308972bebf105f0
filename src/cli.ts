// The daxsim command (daxlog.md §7): replay, verify, record. Exit status like diff: 0 all
// verified, 1 divergences, 2 a log error or a usage error. Nothing here prints paths or times
// into replay output, so the same log gives the same bytes from any working directory.
import { Command, CommanderError } from 'commander';
import kleur from 'kleur';
import { KERNEL_FUNCTION } from '../machines/events.ts';
import type { LogError } from './errors.ts';
import { findLogs, recordFile, replayFile, verifyFile } from './files.ts';
import { formatStep, formatSummary } from './format.ts';
import { Output } from './io.ts';
import { stringify } from './json.ts';
import { stepJson } from './jsonl.ts';
import type { StepResult } from './replay.ts';
import { verifyStatus, type Verdict } from './verify.ts';

type Status = 0 | 1 | 2;

async function replay(log: string, opts: { json?: boolean }): Promise<Status> {
  const out = new Output(process.stdout);
  const onStep = opts.json
    ? (r: StepResult) => out.write(stepJson(r))
    : (r: StepResult) => out.write(formatStep(r));
  const res = await replayFile(log, onStep, () => out.maybeFlush());
  if (res.error !== undefined) {
    await out.flush();
    return logError(res.error);
  }
  if (!opts.json) out.write(formatSummary(res.summary));
  await out.flush();
  return res.summary.diverged > 0 ? 1 : 0;
}

async function verify(paths: string[]): Promise<Status> {
  const verdicts: Verdict[] = [];
  for (const p of findLogs(paths)) {
    const v = await verifyFile(p);
    verdicts.push(v);
    process.stdout.write(verdictLine(v));
  }
  const count = (f: (v: Verdict) => boolean) => verdicts.filter(f).length;
  const ok = count((v) => v.error === undefined && v.diverged === 0);
  const steps = verdicts.reduce((n, v) => n + v.steps, 0);
  process.stdout.write(
    `${verdicts.length} logs, ${steps} steps: ${ok} verified, ${count((v) => v.error === undefined && v.diverged > 0)} diverged, ${count((v) => v.error !== undefined)} log errors\n`,
  );
  return verifyStatus(verdicts);
}

function verdictLine(v: Verdict): string {
  if (v.error !== undefined) return `${kleur.red('error')}  ${v.error.message}\n`;
  const blocked = v.blocked.map((b) => `; task ${b.task} left blocked in ${KERNEL_FUNCTION[b.type]} (line ${b.line}), sleeping in ${b.where}`).join('');
  if (v.diverged === 0) return `${kleur.green('ok')}     ${v.file} (${v.steps} steps${blocked})\n`;
  const f = v.first!;
  const d = f.divergence;
  return `${kleur.red('FAIL')}   ${v.file}: ${v.diverged} of ${v.steps} steps diverged; first at line ${f.line}: ${d.key} expected ${stringify(d.expected)}, got ${stringify(d.actual)}${blocked}\n`;
}

async function record(log: string, opts: { output: string }): Promise<Status> {
  const res = await recordFile(log, opts.output);
  if (res.error !== undefined) return logError(res.error);
  process.stderr.write(`recorded ${res.summary.steps} steps to ${opts.output}\n`);
  return 0;
}

function logError(e: LogError): 2 {
  process.stderr.write(`daxsim: ${e.message}\n`);
  return 2;
}

/** Runs the command line; resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  let status: Status = 0;
  const program = new Command('daxsim')
    .description('Replay, verify and record daxlogs against a model of the Linux DAX core at 7b6be8444e0f')
    .exitOverride()
    .showHelpAfterError('(run daxsim --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  program
    .command('replay')
    .description('replay one log and print each step with its outcome')
    .argument('<log>', "a daxlog file, or '-' for standard input")
    .option('--json', 'print JSON Lines: each step with its outcome ("out") and any divergence')
    .action(async (log: string, opts: { json?: boolean }) => void (status = await replay(log, opts)));
  program
    .command('verify')
    .description('replay every log (directories are searched for *.jsonl) and print a verdict per log')
    .argument('<path...>', 'log files or directories')
    .action(async (paths: string[]) => void (status = await verify(paths)));
  program
    .command('record')
    .description("replay a log and write it back with each step's expect set to its outcome")
    .argument('<log>', "a daxlog file, or '-' for standard input")
    .requiredOption('-o, --output <file>', 'where to write the recorded log (never the input)')
    .action(async (log: string, opts: { output: string }) => void (status = await record(log, opts)));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    return e.exitCode === 0 ? 0 : 2;
  }
  return status;
}
