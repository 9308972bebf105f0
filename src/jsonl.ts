// The JSON Lines output of `daxsim replay --json`: one object per step with seq, line, task,
// event and expect as written, its outcome as `out`, and `diverged` when it diverged. Written by
// hand around JSON.stringify for the leaves: this runs once per step of logs with millions of
// steps, and the generic serialiser was a tenth of the replay time.
import type { Outcome } from '../machines/outcome.ts';
import { stringify } from './json.ts';
import type { Step } from './log.ts';
import type { StepResult } from './replay.ts';

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

/** The head of a step's line: seq, line, task, and event and expect as written. */
export function stepEcho(st: Step): string {
  let s = `{"seq":${st.seq},"line":${st.line},"task":${str(st.task)},"event":${stringify(st.input['event'])}`;
  if (st.input['expect'] !== undefined) s += `,"expect":${stringify(st.input['expect'])}`;
  return s;
}

export function stepJson(r: StepResult): string {
  let s = r.step.echo ?? stepEcho(r.step);
  s += `,"out":${outcomeJson(r.out)}`;
  if (r.diverged !== undefined) s += `,"diverged":${stringify(r.diverged)}`;
  return s + '}\n';
}
