// daxsim verify PATH...: a verdict per log and a closing total; 0, 1 on divergence, 2 on a log error.
import kleur from 'kleur';
import { KERNEL_FUNCTION } from '../../machines/events.ts';
import { findLogs, sizeOf, verifyFile } from '../files.ts';
import { Progress } from '../progress.ts';
import { stringify } from '../json.ts';
import { printable } from '../text.ts';
import { verifyStatus, type Verdict } from '../verify.ts';
import type { DaxsimCommand, Status } from './types.ts';

export async function verify(paths: string[]): Promise<Status> {
  const verdicts: Verdict[] = [];
  for (const p of findLogs(paths)) {
    const progress = new Progress(process.stderr, { total: sizeOf(p) });
    const v = await verifyFile(p, async (bytes, steps) => progress.update(steps, bytes));
    progress.done();
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

/** One log's verdict; the file's name and the values it quotes are shown printable (src/text.ts). */
function verdictLine(v: Verdict): string {
  if (v.error !== undefined) return `${kleur.red('error')}  ${v.error.message}\n`;
  const file = printable(v.file);
  const blocked = v.blocked.map((b) => `; task ${printable(b.task)} left blocked in ${KERNEL_FUNCTION[b.type]} (line ${b.line}), sleeping in ${b.where}`).join('');
  if (v.diverged === 0) return `${kleur.green('ok')}     ${file} (${v.steps} steps${blocked})\n`;
  const f = v.first!;
  const d = f.divergence;
  return `${kleur.red('FAIL')}   ${file}: ${v.diverged} of ${v.steps} steps diverged; first at line ${f.line}: ${printable(d.key)} expected ${printable(stringify(d.expected))}, got ${printable(stringify(d.actual))}${blocked}\n`;
}

export const verifyCommand: DaxsimCommand = {
  register(program, exit) {
    program
      .command('verify')
      .description('replay every log (directories are searched for *.jsonl) and print a verdict per log')
      .argument('<path...>', 'log files or directories')
      .action(async (paths: string[]) => exit(await verify(paths)));
  },
};
