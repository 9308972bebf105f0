// daxlog v1 (daxlog.md §1-§4): one line at a time into a header and typed steps, and back.
// A LogReader is fed lines in order; it validates each against the schemas, converts integer
// spellings to bigints, checks seq, and raises a LogError with file:line:column otherwise.
import type { TSchema } from '@sinclair/typebox';
import { EVENT_TYPES, type EventType, type KernelEvent } from '../machines/events.ts';
import { DEFAULT_CONFIG, type KernelConfig } from '../machines/kernel.ts';
import { die, LogError } from './errors.ts';
import { offsetOf, parseJson, stringify } from './json.ts';
import { check, EVENT_SCHEMAS, HANDLE_PATTERN, TASK_PATTERN, type Checker } from './schema.ts';
import { toU64 } from './values.ts';

export type Json = null | boolean | number | bigint | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export interface Header {
  daxlog: 1;
  kernel: '7b6be8444e0f';
  config: KernelConfig;
  note?: string;
  /** The header object as written. */
  input: JsonObject;
}

/** What a step's `expect` may say (daxlog.md §4); values as written in the log. */
export interface Expect {
  ret?: Json;
  state?: Record<string, string | null>;
  warn?: string[];
  log?: string[];
  blocked?: boolean;
  woke?: { task?: string; type?: EventType; ret?: Json; line?: number; oops?: string }[];
  oops?: boolean | string;
  map?: 'PTE' | 'PMD' | 'PUD';
  phys?: Json;
  attempts?: [string, string][];
  minor?: Json;
}

export interface Step {
  /** 1-based position among the steps. */
  seq: number;
  /** 1-based line in the file. */
  line: number;
  task: string;
  event: KernelEvent;
  expect?: Expect;
  note?: string;
  /** The step object as written (for echoing and for writing it back). */
  input: JsonObject;
  /**
   * The event's JSON text in the line, when the line wrote it as JSON.stringify does and in
   * ASCII (LogReader.accessLine): the output echoes it as it is.
   */
  eventText?: string;
}

export { DEFAULT_CONFIG };

/** Per event type, the fields that hold u64 spellings. */
const U64_FIELDS = Object.fromEntries(
  EVENT_TYPES.map((t) => {
    const props = (EVENT_SCHEMAS[t] as TSchema & { properties: Record<string, TSchema> }).properties;
    return [t, Object.keys(props).filter((k) => props[k]!['u64'] === true)];
  }),
) as Record<EventType, string[]>;
const FAULT_SIZE_NAMES = new Set(['PTE', 'PMD', 'PUD']);

const EXPECTED_TYPE = `one of ${EVENT_TYPES.map((t) => JSON.stringify(t)).join(', ')}`;

export class LogReader {
  private header: Header | undefined;
  private steps = 0;
  private lastLine = 0;

  constructor(readonly file: string) {}

  /** Feeds line `line` (1-based, without its newline); returns what it held, if anything. */
  feed(text: string, line: number): Header | Step | undefined {
    this.lastLine = line;
    if (isSkipped(text)) return undefined;
    if (this.header !== undefined) {
      const step = this.accessLine(text, line);
      if (step !== undefined) return step;
    }
    const parsed = parseJson(text);
    if (!parsed.ok) die(this.file, line, parsed.offset + 1, parsed.message);
    const value = parsed.value;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      die(this.file, line, firstColumn(text), `expected a JSON object, found ${foundAt(value, text, firstColumn(text) - 1)}`);
    }
    const obj = value as JsonObject;
    if (this.header === undefined) return (this.header = this.readHeader(obj, text, line));
    return this.readStep(obj, text, line);
  }

  /** Call at the end of input: a log must at least have its header. */
  end(): Header {
    if (this.header === undefined) {
      die(this.file, Math.max(1, this.lastLine), 1, 'expected the header {"daxlog": 1, …}, found the end of the file');
    }
    return this.header;
  }

  get stepCount(): number {
    return this.steps;
  }

  /**
   * Counts `steps` steps as read, so that the next step is step `steps + 1`: for a replay that
   * goes on from a saved state instead of from the log's first step (a restored embedding, a step
   * taken back, the viewer's windows).
   */
  resume(steps: number): void {
    if (this.header === undefined) throw new Error('bug: resume before the header');
    this.steps = steps;
  }

  /**
   * A plain load or store written as JSON.stringify writes one, `{"task":"A","event":{"type":
   * "vma.access","vma":"v1","off":"0x1f"}}` with or without the task and with or without
   * `,"write":true|false` (how bench/gen.ts and recorders write them): read by matching that
   * text piece by piece, without JSON.parse. The task, handle and offset are checked against
   * what the schema takes for them, characters none of which needs escaping in JSON, so the
   * pieces are exactly the values JSON.parse would give. Any other spelling is undefined, for
   * JSON.parse and the checks after it.
   */
  private accessLine(text: string, line: number): Step | undefined {
    let p: number;
    let task: string | undefined;
    if (text.startsWith(TASK_OPEN)) {
      const end = text.indexOf('"', TASK_OPEN.length);
      if (end < 0 || !spelled(text, TASK_OPEN.length, end, TASK_SPELLING)) return undefined;
      task = text.slice(TASK_OPEN.length, end);
      if (!text.startsWith(TASK_THEN_ACCESS, end)) return undefined;
      p = end + TASK_THEN_ACCESS.length;
    } else if (text.startsWith(ACCESS_OPEN)) p = ACCESS_OPEN.length;
    else return undefined;
    const vmaEnd = text.indexOf('"', p);
    if (vmaEnd < 0 || !spelled(text, p, vmaEnd, HANDLE_SPELLING) || !text.startsWith(OFF_KEY, vmaEnd)) return undefined;
    const vma = text.slice(p, vmaEnd);
    const offStart = vmaEnd + OFF_KEY.length;
    const offEnd = text.indexOf('"', offStart);
    if (offEnd < 0 || !text.startsWith('0x', offStart) || !spelled(text, offStart + 2, offEnd, HEX_SPELLING)) return undefined;
    const off = text.slice(offStart, offEnd);
    let write: boolean | undefined;
    const rest = text.length - offEnd;
    if (rest === 3 && text.endsWith('"}}')) write = undefined;
    else if (rest === 16 && text.endsWith('","write":true}}')) write = true;
    else if (rest === 17 && text.endsWith('","write":false}}')) write = false;
    else return undefined;
    const raw: JsonObject = write === undefined ? { type: 'vma.access', vma, off } : { type: 'vma.access', vma, off, write };
    const event = (write === undefined ? { type: 'vma.access', vma, off: BigInt(off) } : { type: 'vma.access', vma, off: BigInt(off), write }) as KernelEvent;
    const input: JsonObject = task === undefined ? { event: raw } : { task, event: raw };
    // From the event's '{' (EVENT_AT before its handle) to the line's last '}' (the step's).
    const eventText = text.slice(p - EVENT_AT, text.length - 1);
    return { seq: ++this.steps, line, task: task ?? 'main', event, input, eventText };
  }

  private readHeader(obj: JsonObject, text: string, line: number): Header {
    if (!('daxlog' in obj) && 'event' in obj) {
      die(this.file, line, firstColumn(text), 'expected the header {"daxlog": 1, …} before the first step, found a step');
    }
    this.validate(check.header, obj, text, line, []);
    const c = (obj['config'] ?? {}) as JsonObject;
    const config: KernelConfig = {
      nr_dax: (c['nr_dax'] as number | undefined) ?? DEFAULT_CONFIG.nr_dax,
      thp: (c['thp'] as KernelConfig['thp'] | undefined) ?? DEFAULT_CONFIG.thp,
      pud: (c['pud'] as boolean | undefined) ?? DEFAULT_CONFIG.pud,
      fs_dax: (c['fs_dax'] as boolean | undefined) ?? DEFAULT_CONFIG.fs_dax,
      mmap_base: c['mmap_base'] === undefined ? DEFAULT_CONFIG.mmap_base : this.u64(c['mmap_base'], text, line, ['config', 'mmap_base']),
    };
    const header: Header = { daxlog: 1, kernel: '7b6be8444e0f', config, input: obj };
    if (typeof obj['note'] === 'string') header.note = obj['note'];
    return header;
  }

  private readStep(obj: JsonObject, text: string, line: number): Step {
    this.validate(check.envelope, obj, text, line, []);
    const seq = ++this.steps;
    if (obj['seq'] !== undefined && obj['seq'] !== seq) {
      const col = this.column(text, ['seq']);
      die(this.file, line, col, `seq: expected ${seq} (this step's position), found ${foundAt(obj['seq'], text, col - 1)}`);
    }
    const raw = obj['event'] as JsonObject;
    const type = raw['type'] as EventType;
    // Own keys only: a type such as "constructor" must not find Object's prototype.
    const schema = Object.hasOwn(check.events, type) ? check.events[type] : undefined;
    if (schema === undefined) die(this.file, line, this.column(text, ['event', 'type']), `event.type: expected ${EXPECTED_TYPE}, found ${shown(type)}`);
    this.validate(schema, raw, text, line, ['event']);
    const event = this.normalise(type, raw, text, line);
    const step: Step = { seq, line, task: (obj['task'] as string | undefined) ?? 'main', event, input: obj };
    if (obj['expect'] !== undefined) {
      this.validate(check.expect, obj['expect'], text, line, ['expect']);
      const e = obj['expect'] as JsonObject;
      for (const k of ['phys', 'minor'] as const) if (e[k] !== undefined) this.u64(e[k], text, line, ['expect', k]);
      step.expect = e as Expect;
    }
    if (typeof obj['note'] === 'string') step.note = obj['note'];
    return step;
  }

  /** Converts the event's integer spellings to bigints (their shapes were validated). */
  private normalise(type: EventType, raw: JsonObject, text: string, line: number): KernelEvent {
    const out: Record<string, unknown> = { ...raw };
    for (const k of U64_FIELDS[type]) {
      const v = raw[k];
      if (v === undefined || (k === 'size' && type === 'vma.fault' && typeof v === 'string' && FAULT_SIZE_NAMES.has(v))) continue;
      // The schema matched the spelling; only a value beyond 64 bits is left to refuse.
      out[k] = toU64(v, true) ?? this.u64(v, text, line, ['event', k]);
    }
    if (type === 'dev_dax.create') {
      out['res'] = (raw['res'] as JsonObject[]).map((r, i) => ({
        start: this.u64(r['start'], text, line, ['event', 'res', i, 'start']),
        size: this.u64(r['size'], text, line, ['event', 'res', i, 'size']),
      }));
    }
    return out as unknown as KernelEvent;
  }

  private u64(v: Json | undefined, text: string, line: number, path: (string | number)[]): bigint {
    const n = toU64(v);
    if (n === undefined) {
      const col = this.column(text, path);
      die(this.file, line, col, `${path.join('.')}: expected an unsigned 64-bit integer, found ${foundAt(v, text, col - 1)} (beyond 64 bits)`);
    }
    return n;
  }

  private validate(c: Checker, value: unknown, text: string, line: number, base: (string | number)[]): void {
    if (c.Check(value)) return;
    const error = c.Errors(value).First()!;
    const rel = error.path.split('/').slice(1).map(unescapePointer);
    const path = [...base, ...rel];
    const name = path.join('.') || 'step';
    const missing = error.value === undefined;
    const unknown = error.message === 'Unexpected property';
    if (unknown) {
      const allowed = Object.keys((this.schemaAt(c.Schema(), rel.slice(0, -1)) as { properties?: object }).properties ?? {});
      die(this.file, line, this.column(text, path, true), `${name}: unknown key; expected one of ${allowed.map((k) => JSON.stringify(k)).join(', ')}`);
    }
    const expected = (error.schema as { expected?: string }).expected ?? error.message.replace(/^Expected /, '');
    const col = this.column(text, path);
    die(this.file, line, col, `${name}: expected ${expected}, found ${missing ? 'nothing' : foundAt(error.value, text, col - 1)}`);
  }

  private schemaAt(schema: TSchema, path: (string | number)[]): TSchema {
    let s: TSchema = schema;
    for (const p of path) s = (s['properties']?.[p] ?? s['items'] ?? s) as TSchema;
    return s;
  }

  private column(text: string, path: (string | number)[], key = false): number {
    return offsetOf(text, path, key) + 1;
  }
}

function unescapePointer(p: string): string | number {
  const s = p.replace(/~1/g, '/').replace(/~0/g, '~');
  return /^\d+$/.test(s) ? Number(s) : s;
}

// The pieces of a plain access line as JSON.stringify writes it (LogReader.accessLine).
const TASK_OPEN = '{"task":"';
const TASK_THEN_ACCESS = '","event":{"type":"vma.access","vma":"';
const ACCESS_OPEN = '{"event":{"type":"vma.access","vma":"';
const OFF_KEY = '","off":"';
/** How far from the end of ACCESS_OPEN (and of TASK_THEN_ACCESS) the event's object begins. */
const EVENT_AT = '{"type":"vma.access","vma":"'.length;

/** The characters a schema pattern such as '^[A-Za-z0-9_.-]{1,15}$' takes, as an ASCII table, and its longest length. */
function spelling(pattern: string): { chars: Uint8Array; max: number } {
  const m = /^\^(\[[^\]]+\])\{1,(\d+)\}\$$/.exec(pattern);
  if (m === null) throw new Error(`bug: ${pattern} is not a pattern of one class`);
  const cls = new RegExp(m[1]!);
  const chars = new Uint8Array(128);
  for (let c = 0; c < 128; c++) if (cls.test(String.fromCharCode(c))) chars[c] = 1;
  return { chars, max: Number(m[2]) };
}
const TASK_SPELLING = spelling(TASK_PATTERN);
const HANDLE_SPELLING = spelling(HANDLE_PATTERN);
/** The offset's digits after "0x": lower-case hex, at most 16 (a u64). */
const HEX_SPELLING = spelling('^[0-9a-f]{1,16}$');

/** Whether text[start, end) is spelled as s says: 1 to s.max of its characters. */
function spelled(text: string, start: number, end: number, s: { chars: Uint8Array; max: number }): boolean {
  if (end <= start || end - start > s.max) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || s.chars[c] === 0) return false;
  }
  return true;
}

/** A blank line or a `#` comment: skipped, though it counts for line numbers. */
export function isSkipped(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) continue;
    return c === 35; // '#'
  }
  return true;
}

function firstColumn(text: string): number {
  return text.length - text.trimStart().length + 1;
}

/** A found value as a message shows it: JSON, cut to a readable length. */
export function shown(v: unknown): string {
  return cut(v === undefined ? 'nothing' : stringify(v));
}

const cut = (s: string): string => (s.length > 40 ? `${s.slice(0, 37)}...` : s);

/** A JSON number token, from where the sticky search starts. */
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/y;

/**
 * A found value that starts at `offset` of the line, as shown: a number as the log wrote it
 * (JSON.parse reads 1e400 as Infinity, which JSON prints as null, and 1e3 as 1000).
 */
function foundAt(v: unknown, text: string, offset: number): string {
  if (typeof v !== 'number' && typeof v !== 'bigint') return shown(v);
  NUMBER.lastIndex = offset;
  const raw = NUMBER.exec(text)?.[0];
  return raw === undefined ? shown(v) : cut(raw);
}

/** A whole log in memory: the header and its steps. Raises LogError. */
export interface ParsedLog {
  header: Header;
  steps: Step[];
}

export function parseLog(text: string, file = '<log>'): ParsedLog | LogError {
  const reader = new LogReader(file);
  const steps: Step[] = [];
  try {
    splitLines(text, (line, n) => {
      const got = reader.feed(line, n);
      if (got !== undefined && 'event' in got) steps.push(got);
    });
    return { header: reader.end(), steps };
  } catch (e) {
    if (e instanceof LogError) return e;
    throw e;
  }
}

/** Calls f for each line of text (1-based), without line terminators. */
export function splitLines(text: string, f: (line: string, n: number) => void): void {
  let n = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    f(text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end), ++n);
    start = end + 1;
  }
}

/** One step as a log line, keys in the order the spec lists them. */
export function serialiseStep(input: JsonObject, expect?: JsonObject): string {
  const out: JsonObject = {};
  for (const k of ['seq', 'task', 'event'] as const) if (input[k] !== undefined) out[k] = input[k];
  const e = expect ?? input['expect'];
  if (e !== undefined) out['expect'] = e;
  if (input['note'] !== undefined) out['note'] = input['note'];
  return stringify(out);
}

/** A parsed log back as daxlog text (comments and blank lines are not kept). */
export function serialiseLog(log: ParsedLog): string {
  return [stringify(log.header.input), ...log.steps.map((s) => serialiseStep(s.input))].join('\n') + '\n';
}
