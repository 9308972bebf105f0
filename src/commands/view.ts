// daxsim view LOG -o FILE.html: one self-contained page that replays the log in the browser
// and shows its steps in lanes by task, each step's outcome, every object's state, and the
// statecharts with the current states marked. Needs no network. Exits like replay: 0, 1 when
// the log diverges (the page is written and shows where), 2 on a log error or an output it
// cannot or must not write (nothing written).
import { basename } from 'node:path';
import { LogError } from '../errors.ts';
import { outputTarget, replaceWith } from '../replace.ts';
import { replayText } from '../replay.ts';
import { viewerPage } from '../viewer/page.ts';
import { viewerScript } from '../viewer/script.ts';
import { printable } from '../text.ts';
import { readLog } from './read.ts';
import { logError, type DaxsimCommand, type Status } from './types.ts';

export async function view(log: string, opts: { output: string }): Promise<Status> {
  // Checked before the log is read: standard input may be the very file -o names.
  const target = outputTarget(opts.output, log, 'the page');
  if (target instanceof LogError) return logError(target);
  const lines = await readLog(log);
  if (lines instanceof LogError) return logError(lines);
  const text = lines.length === 0 ? '' : lines.join('\n') + '\n';
  const checked = replayText(text, log);
  if (checked.error !== undefined) return logError(checked.error);
  const page = await viewerPage({ text, file: log === '-' ? 'stdin' : basename(log) }, await viewerScript());
  const written = replaceWith(opts.output, target, page);
  if (written !== undefined) return logError(written);
  process.stderr.write(`wrote ${printable(opts.output)} (${checked.summary!.steps} steps)\n`);
  return checked.summary!.diverged > 0 ? 1 : 0;
}

export const viewCommand: DaxsimCommand = {
  register(program, exit) {
    program
      .command('view')
      .description('write one HTML page that replays the log in a browser, with no network: timeline, states, statecharts')
      .argument('<log>', "a daxlog file, or '-' for standard input")
      .requiredOption('-o, --output <file>', 'the page to write (FILE.html); a regular file or a new one, never the log')
      .action(async (log: string, opts: { output: string }) => exit(await view(log, opts)));
  },
};
