// The mutations scripts/fuzz.ts applies to a daxlog's text. Byte and line mutations ignore
// the format; token mutations change numbers, keys and strings where they are written; value
// mutations parse one line and change one value in its object tree (drop it, set it to an edge
// value, to another type, or to a value taken from elsewhere in the log).
import { EVENT_TYPES, FAIL_SITES } from '../machines/events.ts';

export interface Rng {
  next(): number;
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
}

export interface Mutation {
  name: string;
  apply(text: string, r: Rng, corpus: readonly [string, string][]): string;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Integers at the edges: 0, 2^53 ± 1, 2^63, 2^64 - 1 and beyond, and spellings of them. */
/** Names that an object lookup by a log's string must not find on Object.prototype. */
const PROTO_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
const EDGE_NUMBERS = [
  '0', '1', '-1', '4096', '9007199254740991', '9007199254740993', '9223372036854775808', '18446744073709551615',
  '18446744073709551616', '1e400', '0.5', '-0', '2147483647', '2147483648', '-2147483649',
  '"0"', '"0x0"', '"0xffffffffffffffff"', '"0x10000000000000000"', '"18446744073709551616"', '"16777216G"', '"17179869184G"',
  '"1G"', '"4K"', '"2M"', '"0x"', '"-4K"', '"4k"', '" 1"', '""',
];
const OTHER_VALUES: Json[] = [
  null, true, false, [], {}, '', 'x', 0, -1, 1.5, 'NULL', '-ENXIO', 'dax0.0', 'pfn0/dax_region/id', ['kzalloc'], [{}], { start: 0, size: 0 },
  // Names of Object.prototype members, as event types, handles and keys.
  ...PROTO_NAMES,
];
const KEYS = [
  'daxlog', 'kernel', 'config', 'note', 'nr_dax', 'thp', 'pud', 'fs_dax', 'mmap_base', 'seq', 'task', 'event', 'expect', 'type', 'dax',
  'private', 'parent', 'id', 'start', 'size', 'align', 'pfn_flags', 'res', 'dev', 'dataoff', 'path', 'fd', 'vma', 'len', 'pgoff', 'addr',
  'flags', 'off', 'write', 'fail', 'ret', 'state', 'warn', 'log', 'blocked', 'woke', 'oops', 'map', 'phys', 'attempts', 'minor', 'line',
  'expcet', 'Type', 'dax ', '', ...PROTO_NAMES,
];
const CHARS = '{}[]":,\\ 0123456789-.exXaAzZ#\t\r\n\u00e9\u2028\ufffd';

const lines = (t: string) => t.split('\n');
const someLine = (ls: string[], r: Rng) => r.int(Math.max(1, ls.length));

/** Replaces one of the matches of re in text (chosen by r) with what f makes of it. */
function replaceOne(text: string, re: RegExp, r: Rng, f: (m: string) => string): string {
  const all = [...text.matchAll(re)];
  if (all.length === 0) return text;
  const m = r.pick(all);
  return text.slice(0, m.index) + f(m[0]) + text.slice(m.index! + m[0].length);
}

/** Every path to a value in a JSON tree. */
function paths(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (at.length > 0) out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

/** Parses one random line, changes the value at one random path with f, and writes it back. */
function editValue(text: string, r: Rng, f: (parent: Json[] | Record<string, Json>, key: string | number, r: Rng, text: string) => void): string {
  const ls = lines(text);
  const i = someLine(ls, r);
  let v: Json;
  try {
    v = JSON.parse(ls[i]!) as Json;
  } catch {
    return text;
  }
  const ps = paths(v);
  if (ps.length === 0) return text;
  const p = r.pick(ps);
  let parent = v as Json[] | Record<string, Json>;
  for (const k of p.slice(0, -1)) parent = (parent as Record<string, Json>)[k as string] as Record<string, Json>;
  f(parent, p[p.length - 1]!, r, text);
  ls[i] = JSON.stringify(v);
  return ls.join('\n');
}

/** String values written anywhere in the log (handles, paths, states), to swap between fields. */
const strings = (text: string) => [...text.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);

export const MUTATIONS: Mutation[] = [
  {
    name: 'flip a bit',
    apply: (t, r) => {
      const b = Buffer.from(t, 'utf8');
      if (b.length > 0) b[r.int(b.length)]! ^= 1 << r.int(8);
      return new TextDecoder().decode(b);
    },
  },
  { name: 'change a character', apply: (t, r) => (t.length === 0 ? t : replaceOne(t, /[\s\S]/g, r, () => r.pick([...CHARS]))) },
  { name: 'truncate', apply: (t, r) => t.slice(0, r.int(t.length + 1)) },
  { name: 'drop the last newline', apply: (t) => t.replace(/\n+$/, '') },
  {
    name: 'duplicate a line',
    apply: (t, r) => {
      const ls = lines(t);
      const i = someLine(ls, r);
      ls.splice(i, 0, ls[i] ?? '');
      return ls.join('\n');
    },
  },
  {
    name: 'swap two lines',
    apply: (t, r) => {
      const ls = lines(t);
      const i = someLine(ls, r);
      const j = r.next() < 0.5 ? Math.min(i + 1, ls.length - 1) : someLine(ls, r);
      [ls[i], ls[j]] = [ls[j]!, ls[i]!];
      return ls.join('\n');
    },
  },
  {
    name: 'delete a line',
    apply: (t, r) => {
      const ls = lines(t);
      ls.splice(someLine(ls, r), 1);
      return ls.join('\n');
    },
  },
  {
    name: 'splice a line from another trace',
    apply: (t, r, corpus) => {
      const ls = lines(t);
      const other = lines(r.pick(corpus)[1]);
      ls.splice(someLine(ls, r), 0, other[someLine(other, r)]!);
      return ls.join('\n');
    },
  },
  { name: 'set a number to an edge value', apply: (t, r) => replaceOne(t, /-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|"(?:0x[0-9a-fA-F]*|\d+[KMG]?)"/g, r, () => r.pick(EDGE_NUMBERS)) },
  { name: 'rename a key', apply: (t, r) => replaceOne(t, /"[A-Za-z_ ]*"(?=\s*:)/g, r, () => JSON.stringify(r.pick(KEYS))) },
  {
    name: 'change an event type',
    apply: (t, r) => replaceOne(t, /"type"\s*:\s*"[^"]*"/g, r, () => `"type": ${JSON.stringify(r.pick([...EVENT_TYPES, ...PROTO_NAMES, 'dax.free']))}`),
  },
  { name: 'swap a string for another from the log', apply: (t, r) => replaceOne(t, /"(?:[^"\\]|\\.)*"(?!\s*:)/g, r, () => JSON.stringify(r.pick(strings(t).concat(['']))) ) },
  { name: 'drop a value', apply: (t, r) => editValue(t, r, (p, k) => (Array.isArray(p) ? p.splice(k as number, 1) : delete p[k as string])) },
  {
    name: 'set a value to another type',
    apply: (t, r) => editValue(t, r, (p, k, rr) => void ((p as Record<string, Json>)[k as string] = structuredClone(rr.pick(OTHER_VALUES)))),
  },
  {
    name: 'set a value to one from elsewhere in the log',
    apply: (t, r) => editValue(t, r, (p, k, rr, text) => void ((p as Record<string, Json>)[k as string] = rr.pick(strings(text).concat(['main'])))),
  },
  {
    name: 'add failure sites',
    apply: (t, r) =>
      editValue(t, r, (p, _k, rr) => {
        const e = (p as Record<string, Json>)['event'];
        const target = e !== null && typeof e === 'object' && !Array.isArray(e) ? e : p;
        if (!Array.isArray(target)) target['fail'] = Array.from({ length: 1 + rr.int(3) }, () => rr.pick(FAIL_SITES));
      }),
  },
  {
    name: 'move a step to another task',
    apply: (t, r) =>
      editValue(t, r, (p, _k, rr) => {
        if (!Array.isArray(p) && 'event' in p) p['task'] = rr.pick(['main', 'A', 'B', 'C', 'X']);
      }),
  },
];
