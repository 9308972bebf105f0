// The JSON Lines output of `daxsim replay --json`: one object per step with seq, line, task,
// event and expect as written, its outcome as `out`, and `diverged` when it diverged; then one
// closing `summary` line (daxlog.md §8 ruling 16). Written by
// hand around JSON.stringify for the leaves: this runs once per step of logs with millions of
// steps, and the generic serialiser was a tenth of the replay time.
import type { Outcome } from '../machines/outcome.ts';
import { stringify } from './json.ts';
import { OUTCOME_FIELDS, OUTCOME_KEYS, type JsonShape } from './outcome_fields.ts';
import type { StepResult, Summary } from './replay.ts';

const str = JSON.stringify as (s: string) => string;

/** Where a line is written: the replay command's output buffer (io.ts Output), or a string. */
export interface Sink {
  /** Text known to be ASCII that needs no escape. */
  ascii(s: string): void;
  /** A number as String(n) writes it. */
  int(n: number): void;
  /** A string as JSON.stringify writes it. */
  jsonString(s: string): void;
  /** Any text. */
  write(s: string): void;
}

class StringSink implements Sink {
  text = '';
  ascii(s: string): void {
    this.text += s;
  }
  int(n: number): void {
    this.text += String(n);
  }
  jsonString(s: string): void {
    this.text += str(s);
  }
  write(s: string): void {
    this.text += s;
  }
}

export function outcomeJson(o: Outcome): string {
  const sink = new StringSink();
  writeOutcome(sink, o);
  return sink.text;
}

export function stepJson(r: StepResult): string {
  const sink = new StringSink();
  writeStep(sink, r);
  return sink.text;
}

/**
 * The closing line, after the steps: the step and divergence counts and the tasks left blocked
 * (only the keys ruling 16 names, in its order), so that a reader of the JSON Lines learns how
 * the log ended without the human summary.
 */
export function summaryJson(s: Summary): string {
  const blocked = s.blocked.map((b) => `{"task":${str(b.task)},"type":${str(b.type)},"line":${b.line}}`).join(',');
  return `{"summary":{"steps":${s.steps},"diverged":${s.diverged},"blocked":[${blocked}]}}\n`;
}

/**
 * One step's line: written straight into the output buffer by the replay command (building
 * each line as a string first made most of a replay's garbage), or into a string by stepJson.
 */
export function writeStep(out: Sink, r: StepResult): void {
  const st = r.step;
  out.ascii('{"seq":');
  out.int(st.seq);
  out.ascii(',"line":');
  out.int(st.line);
  out.ascii(',"task":');
  out.jsonString(st.task);
  out.ascii(',"event":');
  if (st.eventText !== undefined) out.ascii(st.eventText);
  else writeValue(out, st.input['event']);
  if (st.input['expect'] !== undefined) {
    out.ascii(',"expect":');
    writeValue(out, st.input['expect']);
  }
  out.ascii(',"out":');
  writeOutcome(out, r.out);
  if (r.diverged !== undefined) {
    out.ascii(',"diverged":');
    out.write(stringify(r.diverged));
  }
  out.ascii('}\n');
}

/** Each outcome field with its JSON shape and the text before its value (outcome_fields.ts). */
const FIELDS = OUTCOME_KEYS.map((key, i) => ({ key, shape: OUTCOME_FIELDS[key].json as JsonShape, first: `"${key}":`, next: `,"${key}":`, i }));

/** An outcome as JSON, its fields in the spec's order (daxlog.md §4). */
function writeOutcome(out: Sink, o: Outcome): void {
  out.ascii('{');
  let first = true;
  for (const f of FIELDS) {
    const v = o[f.key];
    if (v === undefined) continue;
    out.ascii(first ? f.first : f.next);
    first = false;
    switch (f.shape) {
      case 'value':
      case 'int':
        writeValue(out, v);
        break;
      case 'states': {
        const states = v as Outcome['state'];
        let one = true;
        out.ascii('{');
        for (const k in states) {
          if (!one) out.ascii(',');
          out.jsonString(k);
          out.ascii(':');
          writeValue(out, states[k]);
          one = false;
        }
        out.ascii('}');
        break;
      }
      case 'strings':
        writeStrings(out, v as string[]);
        break;
      case 'true':
        out.ascii('true');
        break;
      case 'plain':
        // Plain values only (no bigints): JSON.stringify as it is.
        out.write(JSON.stringify(v));
        break;
      case 'string':
        out.jsonString(v as string);
        break;
      case 'word':
        out.ascii('"');
        out.ascii(v as string);
        out.ascii('"');
        break;
      case 'pairs': {
        const pairs = v as [string, string][];
        out.ascii('[');
        for (let i = 0; i < pairs.length; i++) {
          out.ascii(i === 0 ? '["' : ',["');
          out.ascii(pairs[i]![0]);
          out.ascii('","');
          out.ascii(pairs[i]![1]);
          out.ascii('"]');
        }
        out.ascii(']');
        break;
      }
    }
  }
  out.ascii('}');
}

function writeStrings(out: Sink, list: string[]): void {
  out.ascii('[');
  for (let i = 0; i < list.length; i++) {
    if (i > 0) out.ascii(',');
    out.jsonString(list[i]!);
  }
  out.ascii(']');
}

/**
 * A JSON value as JSON.stringify writes it (bigints as plain numbers, as stringify in json.ts
 * does): objects of scalars key by key, anything nested through stringify.
 */
function writeValue(out: Sink, v: unknown): void {
  switch (typeof v) {
    case 'string':
      return out.jsonString(v);
    case 'number':
      return out.int(v);
    case 'boolean':
      return out.ascii(v ? 'true' : 'false');
    case 'bigint':
      return out.ascii(v.toString());
  }
  if (v === null) return out.ascii('null');
  if (Array.isArray(v)) return out.write(stringify(v));
  const o = v as Record<string, unknown>;
  let first = true;
  out.ascii('{');
  for (const k in o) {
    const x = o[k];
    if (!first) out.ascii(',');
    out.jsonString(k);
    out.ascii(':');
    // Nested objects and lists (resources, failure sites, expectations) are rare here.
    if (typeof x === 'object' && x !== null) out.write(stringify(x));
    else writeValue(out, x);
    first = false;
  }
  out.ascii('}');
}
