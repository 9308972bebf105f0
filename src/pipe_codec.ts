// What the reading thread of a piped replay (src/pipe.ts) hands to the replaying thread: steps
// already parsed, checked and normalised, packed into typed arrays and one string per batch so
// that crossing threads costs a copy of bytes and not a structured clone of objects (which was
// slower to receive than JSON.parse was to parse).
//
// A batch holds, per step, in `ints`:
//   line, seq, type (an index into EVENT_TYPES, or -1: "read the line again"), task (an index
//   into `strs`), the length of the line's text and the length of its echo in `text`, and then,
//   for a packed event, a tag and a value for each field of its type in FIELDS order.
// `text` holds each step's line as written followed by its echo (the head of its --json line).
// `nums` holds u64 values exact as doubles; `strs` the batch's distinct strings.
//
// A step whose event holds anything else (a list of resources or failure sites, an integer of
// 2^53 or more) or that carries an expect or a note is sent as its line only, and the
// replaying thread reads it with a LogReader of its own: rare, and the same code as ever.
import type { TSchema } from '@sinclair/typebox';
import { EVENT_TYPES, type EventType, type KernelEvent } from '../machines/events.ts';
import { EVENT_SCHEMAS } from './schema.ts';

/** The fields of each event type other than `type`, in schema order. */
export const FIELDS: readonly (readonly string[])[] = EVENT_TYPES.map((t) =>
  Object.keys((EVENT_SCHEMAS[t] as TSchema & { properties: object }).properties).filter((k) => k !== 'type'),
);
export const TYPE_INDEX = new Map<EventType, number>(EVENT_TYPES.map((t, i) => [t, i]));

/** How a field is packed: its tag, then its value (a string index, a number index, or 0). */
const Tag = { Absent: 0, Str: 1, U64: 2, True: 3, False: 4 } as const;

/** Words of ints before the fields: line, seq, type, task, text length, echo length. */
export const HEAD = 6;

export interface Batch {
  kind: 'steps';
  ints: Int32Array<ArrayBuffer>;
  nums: Float64Array<ArrayBuffer>;
  strs: string[];
  text: string;
  /** Bytes of the file read so far (for progress). */
  bytes: number;
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** Builds a batch on the reading side. */
export class BatchWriter {
  private ints = new Int32Array(1 << 14);
  private used = 0;
  private nums = new Float64Array(1 << 12);
  private numsUsed = 0;
  private strs: string[] = [];
  private strIndex = new Map<string, number>();
  private text: string[] = [];
  count = 0;

  /** Adds a step; `packable` is false when the step must be read again from its line. */
  add(line: number, seq: number, task: string, event: KernelEvent | undefined, raw: string, echo: string): void {
    const type = event === undefined ? -1 : TYPE_INDEX.get(event.type)!;
    const fields = type < 0 ? [] : FIELDS[type]!;
    this.room(HEAD + 2 * fields.length);
    const start = this.used;
    const ints = this.ints;
    ints[start] = line;
    ints[start + 1] = seq;
    ints[start + 3] = this.str(task);
    ints[start + 4] = raw.length;
    ints[start + 5] = echo.length;
    let at = start + HEAD;
    let packed = type >= 0;
    const ev = event as unknown as Record<string, unknown>;
    for (let i = 0; packed && i < fields.length; i++) {
      const v = ev[fields[i]!];
      if (v === undefined) ints[at++] = Tag.Absent, ints[at++] = 0;
      else if (typeof v === 'string') ints[at++] = Tag.Str, ints[at++] = this.str(v);
      else if (typeof v === 'boolean') ints[at++] = v ? Tag.True : Tag.False, ints[at++] = 0;
      else if (typeof v === 'bigint' && v <= MAX_EXACT) ints[at++] = Tag.U64, ints[at++] = this.num(Number(v));
      else packed = false;
    }
    ints[start + 2] = packed ? type : -1;
    this.used = packed ? at : start + HEAD;
    this.text.push(raw, echo);
    this.count++;
  }

  /** The batch so far, handing its buffers over; the writer starts a new one. */
  take(bytes: number): Batch {
    const b: Batch = {
      kind: 'steps',
      ints: this.ints.slice(0, this.used),
      nums: this.nums.slice(0, this.numsUsed),
      strs: this.strs,
      text: this.text.join(''),
      bytes,
    };
    this.used = 0;
    this.numsUsed = 0;
    this.strs = [];
    this.strIndex.clear();
    this.text = [];
    this.count = 0;
    return b;
  }

  private room(n: number): void {
    if (this.used + n <= this.ints.length) return;
    const bigger = new Int32Array(Math.max(this.ints.length * 2, this.used + n));
    bigger.set(this.ints.subarray(0, this.used));
    this.ints = bigger;
  }

  private str(s: string): number {
    let i = this.strIndex.get(s);
    if (i === undefined) {
      i = this.strs.length;
      this.strs.push(s);
      this.strIndex.set(s, i);
    }
    return i;
  }

  private num(n: number): number {
    if (this.numsUsed === this.nums.length) {
      const bigger = new Float64Array(this.nums.length * 2);
      bigger.set(this.nums);
      this.nums = bigger;
    }
    this.nums[this.numsUsed] = n;
    return this.numsUsed++;
  }
}

/** One step of a batch as the replaying side reads it. */
export interface Unpacked {
  line: number;
  seq: number;
  task: string;
  /** The event, or undefined when the line must be read again. */
  event: KernelEvent | undefined;
  raw: string;
  echo: string;
}

/** Reads the steps of a batch in order, one object reused for each. */
export class BatchReader {
  private at = 0;
  private textAt = 0;
  readonly step: Unpacked = { line: 0, seq: 0, task: '', event: undefined, raw: '', echo: '' };

  constructor(private readonly b: Batch) {}

  next(): Unpacked | undefined {
    const { ints, nums, strs, text } = this.b;
    if (this.at >= ints.length) return undefined;
    const at = this.at;
    const s = this.step;
    s.line = ints[at]!;
    s.seq = ints[at + 1]!;
    const type = ints[at + 2]!;
    s.task = strs[ints[at + 3]!]!;
    const rawEnd = this.textAt + ints[at + 4]!;
    s.raw = text.slice(this.textAt, rawEnd);
    this.textAt = rawEnd + ints[at + 5]!;
    s.echo = text.slice(rawEnd, this.textAt);
    if (type < 0) {
      s.event = undefined;
      this.at = at + HEAD;
      return s;
    }
    const fields = FIELDS[type]!;
    const ev: Record<string, unknown> = { type: EVENT_TYPES[type] };
    let p = at + HEAD;
    for (let i = 0; i < fields.length; i++, p += 2) {
      switch (ints[p]) {
        case Tag.Str:
          ev[fields[i]!] = strs[ints[p + 1]!];
          break;
        case Tag.U64:
          ev[fields[i]!] = BigInt(nums[ints[p + 1]!]!);
          break;
        case Tag.True:
          ev[fields[i]!] = true;
          break;
        case Tag.False:
          ev[fields[i]!] = false;
          break;
      }
    }
    this.at = p;
    s.event = ev as unknown as KernelEvent;
    return s;
  }
}
