// The daxsim command line (daxlog.md §7 and the commands added since): a thin shell over the
// command modules in src/commands/. Exit status like diff: 0 all verified, 1 divergences, 2 a
// log error or a usage error. Nothing puts paths or times into replay output, so the same log
// gives the same bytes from any working directory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.ts';
import type { Status } from './commands/types.ts';
import { packageRoot } from './viewer/script.ts';

/** The version in daxsim's package.json, read when the command runs (sources and bundle alike). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** Runs the command line; resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  let status: Status = 0;
  const program = new Command('daxsim')
    .description('Replay, verify and record daxlogs against a model of the Linux DAX core at 7b6be8444e0f')
    .version(packageVersion())
    .exitOverride()
    .showHelpAfterError('(run daxsim --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  for (const c of COMMANDS) c.register(program, (s) => (status = s));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    return e.exitCode === 0 ? 0 : 2;
  }
  return status;
}
