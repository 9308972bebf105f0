// The JSON Lines output of `daxsim replay --json`: one object per step with seq, line, task,
// event and expect as written, its outcome as `out`, and `diverged` when it diverged; then one
// closing `summary` line (daxlog.md §8 ruling 16). Written by
// hand around JSON.stringify for the leaves: this runs once per step of logs with millions of
// steps, and the generic serialiser was a tenth of the replay time.
import type { Outcome } from '../machines/outcome.ts';
import { stringify } from './json.ts';
import type { Output } from './io.ts';
import type { StepResult, Summary } from './replay.ts';

const str = JSON.stringify as (s: string) => string;

function value(v: unknown): string {
  return typeof v === 'string' ? str(v) : typeof v === 'number' || typeof v === 'boolean' || v === null ? String(v) : stringify(v);
}

export function outcomeJson(o: Outcome): string {
  let s = '{';
  if (o.ret !== undefined) s += `"ret":${value(o.ret)},`;
  s += '"state":{';
  let first = true;
  for (const k in o.state) {
    s += `${first ? '' : ','}${str(k)}:${value(o.state[k])}`;
    first = false;
  }
  s += '}';
  // warn and log hold strings, woke plain values: no bigints, so JSON.stringify as it is.
  if (o.warn !== undefined) s += `,"warn":${JSON.stringify(o.warn)}`;
  if (o.log !== undefined) s += `,"log":${JSON.stringify(o.log)}`;
  if (o.blocked) s += ',"blocked":true';
  if (o.woke !== undefined) s += `,"woke":${JSON.stringify(o.woke)}`;
  if (o.oops !== undefined) s += `,"oops":${str(o.oops)}`;
  if (o.map !== undefined) s += `,"map":"${o.map}"`;
  if (o.phys !== undefined) s += `,"phys":"${o.phys}"`;
  if (o.attempts !== undefined) {
    s += ',"attempts":[';
    for (let i = 0; i < o.attempts.length; i++) s += `${i === 0 ? '' : ','}["${o.attempts[i]![0]}","${o.attempts[i]![1]}"]`;
    s += ']';
  }
  if (o.minor !== undefined) s += `,"minor":${o.minor}`;
  return s + '}';
}

export function stepJson(r: StepResult): string {
  const st = r.step;
  let s = `{"seq":${st.seq},"line":${st.line},"task":${str(st.task)},"event":${stringify(st.input['event'])}`;
  if (st.input['expect'] !== undefined) s += `,"expect":${stringify(st.input['expect'])}`;
  s += `,"out":${outcomeJson(r.out)}`;
  if (r.diverged !== undefined) s += `,"diverged":${stringify(r.diverged)}`;
  return s + '}\n';
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
 * The same line as stepJson, written straight into out's buffer (the replay command's path):
 * no string is built for the line, which made most of a replay's garbage. test/jsonl.test.ts
 * keeps the two byte for byte the same.
 */
export function writeStep(out: Output, r: StepResult): void {
  const st = r.step;
  out.ascii('{"seq":');
  out.int(st.seq);
  out.ascii(',"line":');
  out.int(st.line);
  out.ascii(',"task":');
  out.jsonString(st.task);
  out.ascii(',"event":');
  writeValue(out, st.input['event']);
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

function writeOutcome(out: Output, o: Outcome): void {
  out.ascii('{');
  if (o.ret !== undefined) {
    out.ascii('"ret":');
    writeValue(out, o.ret);
    out.ascii(',');
  }
  out.ascii('"state":{');
  let first = true;
  for (const k in o.state) {
    if (!first) out.ascii(',');
    out.jsonString(k);
    out.ascii(':');
    writeValue(out, o.state[k]);
    first = false;
  }
  out.ascii('}');
  if (o.warn !== undefined) {
    out.ascii(',"warn":');
    writeStrings(out, o.warn);
  }
  if (o.log !== undefined) {
    out.ascii(',"log":');
    writeStrings(out, o.log);
  }
  if (o.blocked) out.ascii(',"blocked":true');
  if (o.woke !== undefined) {
    out.ascii(',"woke":');
    out.write(JSON.stringify(o.woke));
  }
  if (o.oops !== undefined) {
    out.ascii(',"oops":');
    out.jsonString(o.oops);
  }
  if (o.map !== undefined) {
    out.ascii(',"map":"');
    out.ascii(o.map);
    out.ascii('"');
  }
  if (o.phys !== undefined) {
    out.ascii(',"phys":"');
    out.ascii(o.phys);
    out.ascii('"');
  }
  if (o.attempts !== undefined) {
    out.ascii(',"attempts":[');
    for (let i = 0; i < o.attempts.length; i++) {
      const [size, result] = o.attempts[i]!;
      out.ascii(i === 0 ? '["' : ',["');
      out.ascii(size);
      out.ascii('","');
      out.ascii(result);
      out.ascii('"]');
    }
    out.ascii(']');
  }
  if (o.minor !== undefined) {
    out.ascii(',"minor":');
    out.int(o.minor);
  }
  out.ascii('}');
}

function writeStrings(out: Output, list: string[]): void {
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
function writeValue(out: Output, v: unknown): void {
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
