// daxsim view LOG -o FILE.html [--from N] [--to M]: one self-contained page that shows the log's
// steps in lanes by task, each step's outcome, every object's state, the page tables and the
// statecharts, replaying in the browser the steps near its cursor. Needs no network. A page
// holds at most MAX_PAGE_STEPS steps: a longer log is refused unless --from/--to choose a part
// of it (the steps before are replayed here, and the page starts from the state they left).
// Exits like replay: 0, 1 when the log diverges (the page is written and shows where), 2 on a
// log error, a part that is not in the log or too large, or an output it cannot or must not
// write (nothing written).
import { basename } from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { KernelState } from '../../machines/state.ts';
import { violationOf } from '../cex.ts';
import { LogError } from '../errors.ts';
import { isSkipped } from '../log.ts';
import { Progress } from '../progress.ts';
import { outputTarget, replaceWith } from '../replace.ts';
import { Replayer, type Summary } from '../replay.ts';
import { MAX_PAGE_BYTES, MAX_PAGE_SIZE, MAX_PAGE_STEPS, type PageData } from '../viewer/data.ts';
import { DigestBuilder } from '../viewer/digest.ts';
import { viewerPage } from '../viewer/page.ts';
import { viewerScript } from '../viewer/script.ts';
import { printable } from '../text.ts';
import { readLog } from './read.ts';
import { logError, type DaxsimCommand, type Status } from './types.ts';

interface ViewOpts {
  output: string;
  from?: number;
  to?: number;
}

/** Where the log's objects are: the header's line index, and each step's. */
function layout(lines: string[]): { header: number; steps: number[] } {
  let header = -1;
  const steps: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (isSkipped(lines[i]!)) continue;
    if (header < 0) header = i;
    else steps.push(i);
  }
  return { header, steps };
}

/** The part of the log the page holds, or why there is none that fits. */
function windowOf(log: string, total: number, opts: ViewOpts, bytes: (from: number, to: number) => number): { from: number; to: number } | LogError {
  const no = (why: string) => new LogError(log, 0, 0, why);
  if (total === 0 && opts.from === undefined && opts.to === undefined) return { from: 1, to: 0 };
  const from = opts.from ?? 1;
  const to = opts.to ?? total;
  if (opts.from !== undefined && from > total) return no(`--from ${from}: the log has ${total} steps`);
  if (to > total) return no(`--to ${to}: the log has ${total} steps`);
  if (from > to) return no(`--from ${from} is after --to ${to}`);
  const n = to - from + 1;
  const size = total === 0 ? 0 : bytes(from, to);
  if (n <= MAX_PAGE_STEPS && size <= MAX_PAGE_BYTES) return { from, to };
  const what = n > MAX_PAGE_STEPS ? `${n} steps` : `${(size / 2 ** 20).toFixed(1)} MB of log text`;
  const part = opts.from === undefined && opts.to === undefined ? 'the log has' : `steps ${from} to ${to} are`;
  return no(
    `${part} ${what}, more than one page can hold (${MAX_PAGE_STEPS} steps, ${MAX_PAGE_BYTES >> 20} MB); ` +
      `write a part of it with --from N --to M, for example --from ${from} --to ${Math.min(to, from + MAX_PAGE_STEPS - 1)}; nothing was written`,
  );
}

export async function view(log: string, opts: ViewOpts): Promise<Status> {
  // Checked before the log is read: standard input may be the very file -o names.
  const target = outputTarget(opts.output, log, 'the page');
  if (target instanceof LogError) return logError(target);
  const lines = await readLog(log);
  if (lines instanceof LogError) return logError(lines);
  const where = layout(lines);
  const total = where.steps.length;
  const bytes = (from: number, to: number) => {
    let chars = 0;
    for (let i = where.steps[from - 1]!; i <= where.steps[to - 1]!; i++) chars += lines[i]!.length + 1;
    // A character is at most 3 bytes of UTF-8 (a surrogate pair, 4 bytes, is 2): count them only near the limit.
    if (chars * 3 <= MAX_PAGE_BYTES) return chars;
    let n = 0;
    for (let i = where.steps[from - 1]!; i <= where.steps[to - 1]!; i++) n += Buffer.byteLength(lines[i]!) + 1;
    return n;
  };
  const part = windowOf(log, total, opts, bytes);
  if (part instanceof LogError) return logError(part);
  const file = log === '-' ? 'stdin' : basename(log);
  const replayed = replayWindow(log, lines, part);
  if (replayed instanceof LogError) return logError(replayed);
  const { summary, state, builder, r } = replayed;
  const first = total === 0 ? where.header + 2 : where.steps[part.from - 1]! + 1;
  const last = total === 0 ? first - 1 : where.steps[part.to - 1]! + 1;
  const note = r.header?.note;
  const violation = violationOf(note);
  const data: PageData = {
    file,
    ...(note === undefined ? {} : { note }),
    ...(violation === undefined ? {} : { violation }),
    header: { text: lines[where.header] ?? '', line: where.header + 1 },
    from: part.from,
    to: part.to,
    steps: total,
    first,
    ...(state === undefined ? {} : { state }),
    digest: builder.digest,
    summary,
  };
  const page = await viewerPage(data, lines.slice(first - 1, last).join('\n'), await viewerScript());
  if (page.length > MAX_PAGE_SIZE) {
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
    const held = state === undefined ? '' : ` (the kernel's state before step ${part.from} is ${mb(JSON.stringify(state).length)} of it)`;
    return logError(new LogError(log, 0, 0, `the page would be ${mb(page.length)}${held}, more than a browser opens quickly (${mb(MAX_PAGE_SIZE)}); write a shorter part, or one nearer the start, with --from N --to M; nothing was written`));
  }
  const written = replaceWith(opts.output, target, page);
  if (written !== undefined) return logError(written);
  const whole = part.from === 1 && part.to >= total;
  process.stderr.write(`wrote ${printable(opts.output)} (${whole ? `${total} steps` : `steps ${part.from} to ${part.to} of ${total}`})\n`);
  return summary.diverged > 0 ? 1 : 0;
}

/** Replays the whole log (its errors and summary count wherever they are), digesting the part. */
function replayWindow(log: string, lines: string[], part: { from: number; to: number }): { summary: Summary; state?: KernelState; builder: DigestBuilder; r: Replayer } | LogError {
  const r = new Replayer(log);
  const builder = new DigestBuilder(part.from, part.to);
  const progress = new Progress(process.stderr);
  let state: KernelState | undefined;
  let bytes = 0;
  try {
    for (let i = 0; i < lines.length; i++) {
      const res = r.feed(lines[i]!, i + 1);
      bytes += lines[i]!.length + 1;
      if (res === undefined) continue;
      builder.add(res);
      // A snapshot is never written again: later steps copy what they change.
      if (res.step.seq === part.from - 1) state = r.model!.snapshot();
      if ((res.step.seq & 4095) === 0) progress.update(res.step.seq, bytes);
    }
    const summary = r.end();
    progress.done();
    return { summary, ...(state === undefined ? {} : { state }), builder, r };
  } catch (e) {
    progress.done();
    if (e instanceof LogError) return e;
    throw e;
  }
}

/** A step number for --from and --to: a positive integer. */
function stepNumber(v: string): number {
  if (!/^[1-9][0-9]*$/.test(v)) throw new InvalidArgumentError('expected a step number (1, 2, …)');
  return Number(v);
}

export const viewCommand: DaxsimCommand = {
  register(program, exit) {
    program
      .command('view')
      .description(`write one HTML page that replays the log in a browser, with no network: timeline, states, page tables, statecharts (at most ${MAX_PAGE_STEPS} steps a page)`)
      .argument('<log>', "a daxlog file, or '-' for standard input")
      .requiredOption('-o, --output <file>', 'the page to write (FILE.html); a regular file or a new one, never the log')
      .option('--from <n>', 'the first step the page holds (default 1); the steps before it are replayed, not shown', stepNumber)
      .option('--to <n>', 'the last step the page holds (default the last)', stepNumber)
      .action(async (log: string, opts: ViewOpts) => exit(await view(log, opts)));
  },
};
