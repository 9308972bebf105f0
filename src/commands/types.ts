// One module per daxsim command. Each registers itself on the commander program and reports
// its exit status (0, 1 or 2, like diff) through `exit`.
import type { Command } from 'commander';
import type { LogError } from '../errors.ts';

export type Status = 0 | 1 | 2;

export interface DaxsimCommand {
  register(program: Command, exit: (status: Status) => void): void;
}

/** Prints a log error the way every command does and gives status 2. */
export function logError(e: LogError): 2 {
  process.stderr.write(`daxsim: ${e.message}\n`);
  return 2;
}
