// Replay of a large log on two threads. A worker (src/pipe_worker.ts) reads the file and
// parses, checks and normalises its lines; this thread runs the kernel model on the steps, in
// order, and hands each result on, as the one-thread path does (src/files.ts). The kernel and
// its XState actors stay on this thread: only the reading moves. Output, outcomes and log
// errors are the same bytes either way (test/pipe.test.ts compares them).
//
// Worth it only for big files: a worker costs about 30 ms to start from the bundle.
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { LogError } from './errors.ts';
import { maybeCollect } from './io.ts';
import { LogReader, type Header, type JsonObject, type Step } from './log.ts';
import { parseJson } from './json.ts';
import { BatchReader, type Batch, type Unpacked } from './pipe_codec.ts';
import { Replayer, type StepResult } from './replay.ts';
import type { Streamed } from './files.ts';

/** What the reading thread posts. */
export type FromReader =
  | { kind: 'header'; header: Header }
  | Batch
  | { kind: 'end' }
  | { kind: 'error'; file: string; line: number; column: number; reason: string }
  | { kind: 'unreadable'; reason: string };

/** Files at least this big are read on a second thread. */
export const PIPE_MIN_BYTES = 1 << 20;

/**
 * Whether to replay `path` on two threads: a regular file of PIPE_MIN_BYTES or more.
 * DAXSIM_THREADS=1 or 2 decides it instead (tests, and comparing the two paths).
 */
export function piped(path: string): boolean {
  const forced = process.env['DAXSIM_THREADS'];
  if (forced === '1') return false;
  if (path === '-') return false;
  if (forced === '2') return true;
  if (forced === undefined) return false; // not yet faster than one thread: see bench/README.md
  try {
    const st = statSync(path);
    return st.isFile() && st.size >= PIPE_MIN_BYTES;
  } catch {
    return false;
  }
}

/** The same contract as replayFile in src/files.ts, on two threads. */
export async function replayFilePiped(
  path: string,
  onStep: (r: StepResult) => void,
  afterChunk?: (bytesRead: number) => Promise<void>,
): Promise<Streamed> {
  const worker = startReader(path);
  const inbox: FromReader[] = [];
  let waiting: { resolve: (m: FromReader) => void; reject: (e: unknown) => void } | undefined;
  let failed: unknown;
  const fail = (e: unknown) => {
    failed ??= e;
    waiting?.reject(e);
    waiting = undefined;
  };
  worker.on('message', (m: FromReader) => {
    if (waiting === undefined) inbox.push(m);
    else {
      waiting.resolve(m);
      waiting = undefined;
    }
  });
  worker.on('error', fail);
  worker.on('exit', () => fail(new Error('bug: the reading thread stopped before the end of the log')));
  const next = (): Promise<FromReader> =>
    inbox.length > 0 ? Promise.resolve(inbox.shift()!) : failed !== undefined ? Promise.reject(failed) : new Promise((resolve, reject) => (waiting = { resolve, reject }));

  const r = new Replayer(path);
  const again = new LogReader(path);
  try {
    for (;;) {
      const m = await next();
      switch (m.kind) {
        case 'header':
          r.begin(m.header);
          break;
        case 'steps': {
          worker.postMessage(0); // taken: the reader may go on
          const b = new BatchReader(m);
          for (let u = b.next(); u !== undefined; u = b.next()) onStep(r.run(toStep(u, again), u.raw));
          await afterChunk?.(m.bytes);
          maybeCollect();
          break;
        }
        case 'end':
          return { summary: r.end() };
        case 'error':
          return { error: new LogError(m.file, m.line, m.column, m.reason) };
        case 'unreadable':
          return { error: new LogError(path, 0, 0, `cannot read: ${m.reason}`) };
      }
    }
  } catch (e) {
    if (e instanceof LogError) return { error: e };
    throw e;
  } finally {
    worker.removeAllListeners('exit');
    void worker.terminate();
  }
}

function startReader(path: string): Worker {
  const workerData = { path, label: path };
  // From the bundle (dist/daxsim.mjs) the reader is dist/pipe_worker.mjs beside it; from the
  // TypeScript sources it is src/pipe_worker.ts, loaded through tsx.
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./pipe_worker.mjs', import.meta.url), { workerData });
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('./pipe_worker.ts', import.meta.url).href);
  return new Worker(`import(${tsx}).then((m) => { m.register(); return import(${entry}); })`, { eval: true, workerData });
}

/** A step of the batch as a Step: packed ones directly, the others read again from their line. */
function toStep(u: Unpacked, reader: LogReader): Step {
  if (u.event === undefined) {
    const s = reader.stepAt(u.raw, u.line, u.seq);
    s.echo = u.echo;
    return s;
  }
  return new PackedStep(u.seq, u.line, u.task, u.event, u.raw, u.echo);
}

/** A step that arrived packed: the object as written is parsed again only if asked for. */
class PackedStep implements Step {
  private written: JsonObject | undefined;
  constructor(
    readonly seq: number,
    readonly line: number,
    readonly task: string,
    readonly event: Step['event'],
    private readonly raw: string,
    readonly echo: string,
  ) {}

  get input(): JsonObject {
    return (this.written ??= (parseJson(this.raw) as { value: JsonObject }).value);
  }
}
