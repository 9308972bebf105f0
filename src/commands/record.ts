// daxsim record LOG -o OUT: the log written back with each step's expect set to its outcome.
import { recordFile } from '../files.ts';
import { printable } from '../text.ts';
import { logError, type DaxsimCommand, type Status } from './types.ts';

export async function record(log: string, opts: { output: string }): Promise<Status> {
  const res = await recordFile(log, opts.output);
  if (res.error !== undefined) return logError(res.error);
  process.stderr.write(`recorded ${res.summary.steps} steps to ${printable(opts.output)}\n`);
  return 0;
}

export const recordCommand: DaxsimCommand = {
  register(program, exit) {
    program
      .command('record')
      .description("replay a log and write it back with each step's expect set to its outcome")
      .argument('<log>', "a daxlog file, or '-' for standard input")
      .requiredOption('-o, --output <file>', 'where to write the recorded log; a regular file or a new one, never the input')
      .action(async (log: string, opts: { output: string }) => exit(await record(log, opts)));
  },
};
