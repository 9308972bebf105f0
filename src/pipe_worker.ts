// The reading thread of a piped replay (src/pipe.ts): reads the log, parses, checks and
// normalises each line with the same LogReader as ever, and posts the steps in batches
// (src/pipe_codec.ts). It stays at most two batches ahead of the replaying thread, so memory
// does not grow with the log. A log error is posted after the steps before it.
import { parentPort, workerData } from 'node:worker_threads';
import { LogError } from './errors.ts';
import { readLines } from './io.ts';
import { stepEcho } from './jsonl.ts';
import { LogReader } from './log.ts';
import { BatchWriter } from './pipe_codec.ts';
import type { FromReader } from './pipe.ts';

const port = parentPort!;
const { path, label } = workerData as { path: string; label: string };
const post = (m: FromReader) => port.postMessage(m);

/** Batches posted and not yet taken up by the replaying thread. */
let ahead = 0;
let resume: (() => void) | undefined;
port.on('message', () => {
  ahead--;
  resume?.();
  resume = undefined;
});

const reader = new LogReader(label);
const batch = new BatchWriter();
let bytes = 0;

async function send(): Promise<void> {
  if (batch.count === 0) return;
  const b = batch.take(bytes);
  ahead++;
  port.postMessage(b, [b.ints.buffer, b.nums.buffer]);
  while (ahead >= 2) await new Promise<void>((r) => (resume = r));
}

try {
  await readLines(
    path,
    (text, line) => {
      const got = reader.feed(text, line);
      if (got === undefined) return;
      if (!('event' in got)) return post({ kind: 'header', header: got });
      const plain = got.expect === undefined && got.note === undefined;
      batch.add(line, got.seq, got.task, plain ? got.event : undefined, text, stepEcho(got));
    },
    label,
    async (n) => {
      bytes = n;
      await send();
    },
    1 << 20,
  );
  await send();
  reader.end();
  post({ kind: 'end' });
} catch (e) {
  await send();
  if (e instanceof LogError) post({ kind: 'error', file: e.file, line: e.line, column: e.column, reason: e.reason });
  else if (e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string') post({ kind: 'unreadable', reason: e.message });
  else throw e;
}
