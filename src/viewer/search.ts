// Search over the steps of a page: by task, kernel function, handle (any value the event names),
// return value and outcome. A query is words, all of which a step must match; a word matches a
// step when it equals one of the step's words, case aside, or is a prefix of one when it ends
// in `*`. A word may name what it is about: `task:A`, `fn:kill_dax`, `vma:v`, `handle:dax0.0`,
// `ret:-ENXIO`, `is:oops`. The outcome words are oops, warn, sigbus, blocked, diverged, woke,
// error and ok. Browser-safe: no node: imports.
import { KERNEL_FUNCTION } from '../../machines/events.ts';
import { FLAG, type FlagName, type Woken } from './digest.ts';

/** The event fields whose values are handles (search `handle:` looks at these). */
const HANDLE_FIELDS = new Set(['dax', 'parent', 'dev', 'fd', 'vma', 'path']);
/** What a word may name before a colon: a step's own words and the fields of events (daxlog.md §3). */
const FIELDS = new Set(['task', 'type', 'fn', 'handle', 'ret', 'is', 'woke', ...HANDLE_FIELDS, 'id', 'start', 'size', 'align', 'pfn_flags', 'res', 'dataoff', 'private', 'off', 'len', 'pgoff', 'addr', 'flags', 'write', 'fail']);

// A step's words as one string: \u0001field\u0002value\u0001 for each.
const W = '\u0001';
const V = '\u0002';

export interface StepFacts {
  task: string;
  event: Record<string, unknown>;
  /** As replay prints it: `= 0`, `= "VM_FAULT_SIGBUS"`, `blocked`, `oops`. */
  result: string;
  flags: number;
  woke?: Woken[];
}

/** The words of one step, ready for match(). */
export function wordsOf(f: StepFacts): string {
  const out: string[] = [];
  const add = (field: string, v: unknown) => {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out.push(`${field}${V}${String(v).toLowerCase()}`);
  };
  add('task', f.task);
  const type = String(f.event['type']);
  add('type', type);
  add('fn', KERNEL_FUNCTION[type as keyof typeof KERNEL_FUNCTION] ?? type);
  for (const [k, v] of Object.entries(f.event)) {
    if (k === 'type') continue;
    for (const x of Array.isArray(v) ? v : [v]) {
      add(k, x);
      if (HANDLE_FIELDS.has(k)) add('handle', x);
    }
  }
  if (f.result.startsWith('= ')) {
    const r = f.result.slice(2);
    add('ret', r.startsWith('"') ? (JSON.parse(r) as string) : r);
  }
  let any = false;
  for (const [name, bit] of Object.entries(FLAG) as [FlagName, number][]) {
    if ((f.flags & bit) === 0) continue;
    add('is', name);
    if (name !== 'woke') any = true;
  }
  if (!any) add('is', 'ok');
  for (const w of f.woke ?? []) {
    add('woke', w.task);
    add('woke', w.call.slice(0, w.call.indexOf('(')));
  }
  return W + out.join(W) + W;
}

export interface Query {
  /** The strings each of which a step's words must contain. */
  needles: string[];
}

/** Parses a query; undefined for one with no words. */
export function parseQuery(text: string): Query | undefined {
  const needles: string[] = [];
  for (const word of text.trim().split(/\s+/)) {
    if (word === '') continue;
    const colon = word.indexOf(':');
    // `field:value`, unless the colon is a handle's own ("a:b").
    const named = colon > 0 ? word.slice(0, colon).toLowerCase() : '';
    const field = FIELDS.has(named) ? named : undefined;
    let value = (field === undefined ? word : word.slice(colon + 1)).toLowerCase();
    const prefix = value.endsWith('*');
    if (prefix) value = value.slice(0, -1);
    if (value === '') continue;
    needles.push((field === undefined ? V : W + field + V) + value + (prefix ? '' : W));
  }
  return needles.length === 0 ? undefined : { needles };
}

export function matches(words: string, q: Query): boolean {
  for (const n of q.needles) if (!words.includes(n)) return false;
  return true;
}
