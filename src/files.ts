// The file side of replay, verify and record for Node: streaming a log from a file or
// standard input through a Replayer, finding logs in directories, and writing a recorded log
// to a new file that is renamed into place (never over its input).
import { closeSync, fsyncSync, openSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LogError } from './errors.ts';
import { stringify } from './json.ts';
import { serialiseStep, type JsonObject } from './log.ts';
import { Replayer, type ReplayOptions, type StepResult, type Summary } from './replay.ts';
import { readLines } from './io.ts';
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
 * written as they are replayed, a chunk at a time, to a new file beside the target, which is
 * renamed into place only when the whole log replayed: memory does not grow with the log, and
 * a log error leaves `output` as it was and no file behind.
 */
export async function recordFile(input: string, output: string): Promise<Streamed> {
  if (input !== '-' && sameFile(input, output)) {
    return { error: new LogError(output, 0, 0, 'refusing to write the recorded log over its input; choose another -o') };
  }
  const tmp = join(dirname(output), `.${basename(output)}.${process.pid}.tmp`);
  const cannotWrite = (e: unknown): never => {
    if (isFsError(e)) throw new LogError(output, 0, 0, `cannot write: ${e.message}`);
    throw e;
  };
  let fd: number | undefined;
  let created = false;
  let renamed = false;
  try {
    fd = catching(() => openSync(tmp, 'wx'), cannotWrite);
    created = true;
    const out = fd;
    const r = new Replayer(input);
    let lines: string[] = [];
    const flush = async () => {
      if (lines.length > 0) catching(() => writeSync(out, lines.join('\n') + '\n'), cannotWrite);
      lines = [];
    };
    await readLines(input, (text, line) => {
      const res = r.feed(text, line);
      lines.push(res === undefined ? text : serialiseStep(res.step.input, recorded(res)));
    }, input, flush);
    const summary = r.end();
    await flush();
    catching(() => {
      fsyncSync(out);
      closeSync(out);
      fd = undefined;
      renameSync(tmp, output);
    }, cannotWrite);
    renamed = true;
    return { summary };
  } catch (e) {
    if (e instanceof LogError) return { error: e };
    if (isFsError(e)) return { error: new LogError(input, 0, 0, `cannot read: ${e.message}`) };
    throw e;
  } finally {
    if (fd !== undefined) closeSync(fd);
    if (created && !renamed) rmSync(tmp, { force: true });
  }
}

function catching<T>(f: () => T, handler: (e: unknown) => never): T {
  try {
    return f();
  } catch (e) {
    return handler(e);
  }
}

function recorded(res: StepResult): JsonObject {
  const o = res.out;
  const e: JsonObject = {};
  if (o.ret !== undefined) e['ret'] = o.ret;
  e['state'] = o.state;
  e['warn'] = o.warn ?? [];
  if (o.blocked) e['blocked'] = true;
  if (o.oops !== undefined) e['oops'] = o.oops;
  return JSON.parse(stringify(e)) as JsonObject;
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}
