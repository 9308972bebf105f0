// Reading logs as a stream of lines (a file or standard input), and writing output with
// back-pressure. Lines are checked to be UTF-8 and bounded in length before they are parsed,
// so a huge or binary file fails with a log error rather than exhausting memory.
import { createReadStream } from 'node:fs';
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
  const input = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 });
  let carry: Buffer = Buffer.alloc(0);
  let line = 0;
  let bytes = 0;
  for await (const chunk of input as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    const buf = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
    const last = buf.lastIndexOf(10);
    if (last < 0) {
      if (buf.length > MAX_LINE_BYTES) tooLong(label, line + 1);
      carry = buf;
      continue;
    }
    line = emit(label, buf.subarray(0, last), line, sink);
    carry = buf.subarray(last + 1);
    if (carry.length > MAX_LINE_BYTES) tooLong(label, line + 1);
    if (afterChunk !== undefined) await afterChunk(bytes);
  }
  if (carry.length > 0) emit(label, carry, line, sink);
}

/** Emits the complete lines of bytes (no trailing newline); returns the last line number. */
function emit(path: string, bytes: Buffer, line: number, sink: LineSink): number {
  if (!isUtf8(bytes)) badUtf8(path, bytes, line);
  const text = bytes.toString('utf8');
  let start = 0;
  for (;;) {
    let end = text.indexOf('\n', start);
    const stop = end < 0 ? text.length : end;
    // A UTF-16 unit is at most 3 UTF-8 bytes: only long lines need counting.
    if ((stop - start) * 3 > MAX_LINE_BYTES && Buffer.byteLength(text.slice(start, stop)) > MAX_LINE_BYTES) tooLong(path, line + 1);
    sink(text.charCodeAt(stop - 1) === 13 ? text.slice(start, stop - 1) : text.slice(start, stop), ++line);
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
  private buf = Buffer.allocUnsafe(1 << 20);
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
    this.queue(this.buf.subarray(0, this.used)); // the stream owns it now
    this.buf = Buffer.allocUnsafe(this.buf.length);
    this.used = 0;
  }

  private queue(b: Buffer): void {
    if (!this.stream.write(b)) this.pending = true;
  }
}
