// Reading logs as a stream of lines (a file or standard input), and writing output with
// back-pressure. Lines are checked to be UTF-8 and bounded in length before they are parsed,
// so a huge or binary file fails with a log error rather than exhausting memory.
import { read } from 'node:fs';
import { open } from 'node:fs/promises';
import { getHeapSpaceStatistics } from 'node:v8';
import { isUtf8 } from 'node:buffer';
import type { Writable } from 'node:stream';
import { die } from './errors.ts';

/** The longest line a daxlog may have; real steps are a few hundred bytes. */
export const MAX_LINE_BYTES = 1 << 20;

export type LineSink = (text: string, line: number) => void;

/**
 * Streams the lines of `path` ('-' for standard input) to sink, numbered from 1; `label` names
 * the file in errors. `afterChunk` runs between chunks (to flush output with back-pressure).
 */
export async function readLines(path: string, sink: LineSink, label = path, afterChunk?: (bytesRead: number) => Promise<void>): Promise<void> {
  // One buffer, read into again and again (a stream would hand over a new MiB each time, and
  // those pile up outside the heap between collections). Standard input is read the same way.
  const file = path === '-' ? undefined : await open(path, 'r');
  const fd = file?.fd ?? 0;
  let buf = Buffer.allocUnsafe(CHUNK);
  let have = 0; // bytes of buf holding an unfinished line carried over
  let line = 0;
  let bytes = 0;
  try {
    for (;;) {
      if (have === buf.length) {
        if (have > MAX_LINE_BYTES) tooLong(label, line + 1);
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      }
      const n = await readInto(fd, buf, have);
      if (n === 0) break;
      bytes += n;
      const end = have + n;
      const last = buf.lastIndexOf(10, end - 1);
      if (last < have) {
        have = end;
        continue;
      }
      line = emit(label, buf.subarray(0, last), line, sink);
      have = end - (last + 1);
      buf.copy(buf, 0, last + 1, end);
      if (have > MAX_LINE_BYTES) tooLong(label, line + 1);
      if (afterChunk !== undefined) await afterChunk(bytes);
      maybeCollect();
    }
    if (have > 0) emit(label, buf.subarray(0, have), line, sink);
  } finally {
    await file?.close();
  }
}

const CHUNK = 1 << 20;

/**
 * A full garbage collection, when the program provides one (src/bin.ts does). V8 lets a long
 * replay's old generation grow to several times what is live before it collects it, so peak
 * memory grew with the length of the log. Between chunks of input, once the old generation has
 * grown past what the last collection left by 4 MiB or 25%, whichever is more, this collects:
 * 20-30 ms a time while the live set is small (some 16 MB for 64 mapped devices), and seldom
 * when it is large. Measured on bench/'s logs (bench/README.md), since loads and stores that hit
 * stopped making garbage: against 2 MiB or 10%, the target log replays 3% faster and a million
 * steps 5% faster, in the same peak memory (the same growth from 100k to 1M steps either way,
 * and the same peak for 32768 probes). Library users get none of this.
 */
let collect: (() => void) | undefined;
let collectAbove = 0;
export function setCollector(f: () => void): void {
  collect = f;
  collectAbove = 0;
}
function maybeCollect(): void {
  if (collect === undefined || oldGeneration() < collectAbove) return;
  collect();
  const live = oldGeneration();
  collectAbove = live + Math.max(4 << 20, live / 4);
}

/**
 * Bytes in use outside the young generation. The young generation is emptied by scavenges
 * anyway; counting it (up to 16 MiB of short-lived objects) made nearly every check collect.
 */
function oldGeneration(): number {
  let n = 0;
  for (const s of getHeapSpaceStatistics()) if (!s.space_name.startsWith('new_')) n += s.space_used_size;
  return n;
}

/** Reads what is there into buf at offset; 0 at the end of input. */
function readInto(fd: number, buf: Buffer, offset: number): Promise<number> {
  return new Promise((resolve, reject) =>
    read(fd, buf, offset, buf.length - offset, null, (err, n) => {
      if (err === null) resolve(n);
      else if (err.code === 'EAGAIN') setImmediate(() => readInto(fd, buf, offset).then(resolve, reject));
      else if (err.code === 'EOF') resolve(0);
      else reject(err);
    }),
  );
}

/**
 * Emits the complete lines of bytes (no trailing newline); returns the last line number. Each
 * line is decoded on its own: a string per line is young garbage, where one string per 1 MiB
 * chunk (which the lines would slice) lands in the old generation and piles up between full
 * collections, so that memory grew with the length of the log.
 */
function emit(path: string, bytes: Buffer, line: number, sink: LineSink): number {
  if (!isUtf8(bytes)) badUtf8(path, bytes, line);
  let start = 0;
  for (;;) {
    const end = bytes.indexOf(10, start);
    let stop = end < 0 ? bytes.length : end;
    if (stop - start > MAX_LINE_BYTES) tooLong(path, line + 1);
    if (stop > start && bytes[stop - 1] === 13) stop--;
    sink(bytes.toString('utf8', start, stop), ++line);
    if (end < 0) return line;
    start = end + 1;
  }
}

function tooLong(path: string, line: number): never {
  die(path, line, 1, `expected a line of at most ${MAX_LINE_BYTES} bytes (the limit for a daxlog line), found a longer one`);
}

/** Finds the first line with bytes that are not UTF-8 and reports where. */
function badUtf8(path: string, bytes: Buffer, line: number): never {
  let start = 0;
  for (;;) {
    const end = bytes.indexOf(10, start);
    const piece = bytes.subarray(start, end < 0 ? bytes.length : end);
    line++;
    const bad = firstInvalid(piece);
    if (bad >= 0) {
      const col = piece.subarray(0, bad).toString('utf8').length + 1;
      die(path, line, col, `expected UTF-8 text, found the byte 0x${piece[bad]!.toString(16).padStart(2, '0')}`);
    }
    start = end + 1;
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence, or -1. */
function firstInvalid(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    if (n > 0 && !isUtf8(b.subarray(i, i + n + 1))) return i;
    i += n + 1;
  }
  return -1;
}

/**
 * Buffered writing to a stream that waits when the stream asks it to. Text is encoded straight
 * into a 1 MiB buffer (no joining of many small strings), which is handed to the stream in one
 * write when it fills up.
 */
export class Output {
  private buf: Buffer = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  private pending = false;
  constructor(private readonly stream: Writable) {}

  write(s: string): void {
    if (s.length * 3 > this.buf.length - this.used) {
      this.spill();
      if (s.length * 3 > this.buf.length) {
        this.queue(Buffer.from(s));
        return;
      }
    }
    this.used += this.buf.write(s, this.used);
  }

  // Byte-level writing, for the JSON Lines of replay --json (src/jsonl.ts writeStep): pieces go
  // straight into the buffer, where building each line as a string first made most of what a
  // replay allocated (joined pieces, then a flat copy to encode).

  /** Makes room for n more bytes. */
  room(n: number): void {
    if (n > this.buf.length - this.used) {
      this.spill();
      if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
    }
  }

  /** Text known to be ASCII (keys, literals, numbers): one byte per character. */
  ascii(s: string): void {
    this.room(s.length);
    const b = this.buf;
    let p = this.used;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.used = p;
  }

  /** A non-negative integer below 2^31, or any other number as String(n) writes it. */
  int(n: number): void {
    if (!(n >= 0 && n < 0x80000000 && (n | 0) === n)) return this.ascii(String(n));
    this.room(10);
    const b = this.buf;
    let end = this.used;
    for (let m = n; m >= 10; m = (m / 10) | 0) end++;
    this.used = end + 1;
    do {
      b[end--] = 48 + (n % 10);
      n = (n / 10) | 0;
    } while (n > 0);
  }

  /** s as a JSON string, the same bytes JSON.stringify(s) gives. */
  jsonString(s: string): void {
    this.room(s.length + 2);
    const b = this.buf;
    const start = this.used;
    let p = start;
    b[p++] = 34;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      // Printable ASCII other than '"' and '\\' is written as it is; anything else takes the
      // general path (escapes, and UTF-8 for the rest).
      if (c < 0x20 || c > 0x7e || c === 34 || c === 92) {
        this.used = start;
        this.write(JSON.stringify(s));
        return;
      }
      b[p++] = c;
    }
    b[p++] = 34;
    this.used = p;
  }

  /** Waits for the stream when it has asked for a pause; call it between chunks of work. */
  async maybeFlush(): Promise<void> {
    if (this.pending) {
      await new Promise<void>((r) => this.stream.once('drain', r));
      this.pending = false;
    }
  }

  async flush(): Promise<void> {
    this.spill();
    await this.maybeFlush();
  }

  private spill(): void {
    if (this.used === 0) return;
    // The stream owns the buffer until its write callback; then it comes back for reuse, so a
    // long replay cycles through a few buffers instead of allocating one per MiB of output.
    const full = this.buf;
    this.queue(full.subarray(0, this.used), () => this.spare.push(full));
    this.buf = this.spare.pop() ?? Buffer.allocUnsafe(full.length);
    this.used = 0;
  }

  private readonly spare: Buffer[] = [];

  private queue(b: Buffer, done?: () => void): void {
    if (!this.stream.write(b, done)) this.pending = true;
  }
}
