// The file side of replay, verify and record for Node: streaming a log from a file or
// standard input through a Replayer, finding logs in directories, and writing a recorded log
// to a new file that is renamed into place (never over its input: src/replace.ts).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LogError } from './errors.ts';
import { stringify } from './json.ts';
import { serialiseStep, type JsonObject } from './log.ts';
import { Replayer, type ReplayOptions, type StepResult, type Summary } from './replay.ts';
import { recordedExpect } from './expect.ts';
import { readLines } from './io.ts';
import { outputTarget, ReplacementFile } from './replace.ts';
import { VerdictBuilder, type Verdict } from './verify.ts';

export type Streamed = { summary: Summary; error?: undefined } | { summary?: undefined; error: LogError };

/**
 * Replays a log file ('-' for standard input), handing each step's result to onStep as it is
 * replayed; afterChunk runs between chunks of input (to flush output).
 */
export async function replayFile(
  path: string,
  onStep: (r: StepResult) => void,
  afterChunk?: (bytesRead: number) => Promise<void>,
  options: ReplayOptions = {},
): Promise<Streamed> {
  const r = new Replayer(path, options);
  try {
    await readLines(path, (text, line) => {
      const res = r.feed(text, line);
      if (res !== undefined) onStep(res);
    }, path, afterChunk);
    return { summary: r.end() };
  } catch (e) {
    if (e instanceof LogError) return { error: e };
    if (isFsError(e)) return { error: new LogError(path, 0, 0, `cannot read: ${e.message}`) };
    throw e;
  }
}

function isFsError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string';
}

/** The *.jsonl files named by paths: files as given, directories searched, in sorted order. */
export function findLogs(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string, top: boolean) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      out.push(p); // reported as unreadable when verified
      return;
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) walk(join(p, name), false);
    } else if (top || p.endsWith('.jsonl')) out.push(p);
  };
  for (const p of paths) walk(p, true);
  return out;
}

export async function verifyFile(path: string, afterChunk?: (bytesRead: number, steps: number) => Promise<void>): Promise<Verdict> {
  const b = new VerdictBuilder(path);
  const r = await replayFile(path, (s) => b.add(s), afterChunk && ((bytes) => afterChunk(bytes, b.verdict.steps)));
  return b.end(r.summary, r.error);
}

/** The size of a file, or undefined for standard input and anything that cannot be read. */
export function sizeOf(path: string): number | undefined {
  if (path === '-') return undefined;
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

/**
 * Replays `input` and writes it to `output` with each step's expect set to its outcome (ret,
 * state, warn, and blocked / oops where present). Comment and blank lines are kept. Lines are
 * written as they are replayed, a chunk at a time, to a ReplacementFile (src/replace.ts) that
 * takes the output's place only when the whole log replayed: memory does not grow with the
 * log, and a log error, a write error or an interrupt leaves `output` as it was and no file
 * behind. An output that must not be replaced (the input itself, a device, ...) is refused
 * before anything is read. While it writes, SIGINT, SIGTERM and SIGHUP remove the temporary
 * file and end the process (with 130, 143, 129), also when called as a library function.
 */
export async function recordFile(input: string, output: string): Promise<Streamed> {
  const target = outputTarget(output, input, 'the recorded log');
  if (target instanceof LogError) return { error: target };
  let file: ReplacementFile | undefined;
  try {
    const out = (file = new ReplacementFile(output, target));
    const r = new Replayer(input);
    let lines: string[] = [];
    const flush = async () => {
      if (lines.length > 0) out.write(lines.join('\n') + '\n');
      lines = [];
    };
    await readLines(input, (text, line) => {
      const res = r.feed(text, line);
      lines.push(res === undefined ? text : serialiseStep(res.step.input, recordedExpect(res.out)));
    }, input, flush);
    const summary = r.end();
    await flush();
    out.commit();
    return { summary };
  } catch (e) {
    if (e instanceof LogError) return { error: e };
    if (isFsError(e)) return { error: new LogError(input, 0, 0, `cannot read: ${e.message}`) };
    throw e;
  } finally {
    file?.discard();
  }
}

