// daxsim coverage PATH...: the kernel branches, WARNs, oopses, machine states and transitions
// the logs reach, and which they miss. 0 (or 1 with --strict when anything is missed), 2 on a
// log error.
import { Coverage } from '../coverage.ts';
import { findLogs } from '../files.ts';
import { readLines } from '../io.ts';
import { LogError } from '../errors.ts';
import { Replayer } from '../replay.ts';
import { logError, type DaxsimCommand, type Status } from './types.ts';

export async function coverage(paths: string[], opts: { all?: boolean; strict?: boolean }): Promise<Status> {
  const cov = new Coverage();
  let status: Status = 0;
  for (const p of findLogs(paths)) {
    const r = new Replayer(p, { hooks: cov.hooks });
    try {
      await readLines(p, (text, line) => {
        const res = r.feed(text, line);
        if (res !== undefined) cov.step(res);
      });
      r.end();
      cov.logs++;
    } catch (e) {
      if (!(e instanceof LogError)) throw e;
      status = logError(e);
    }
  }
  process.stdout.write(cov.report(opts.all));
  if (status === 0 && opts.strict && !cov.complete) status = 1;
  return status;
}

export const coverageCommand: DaxsimCommand = {
  register(program, exit) {
    program
      .command('coverage')
      .description('replay logs and report the kernel branches, WARNs, oopses, machine states and transitions they reach')
      .argument('<path...>', 'log files or directories')
      .option('--all', 'list every branch, state and transition with its count, not only the missed ones')
      .option('--strict', 'exit 1 when a branch or a state is not reached')
      .action(async (paths: string[], opts: { all?: boolean; strict?: boolean }) => exit(await coverage(paths, opts)));
  },
};
