// What JSON.parse lets through and a daxlog does not: nesting deeper than a log needs, and an
// object with the same key twice (daxlog.md §8 ruling 15; JSON.parse silently keeps the last).
//
// Both checks run on every line, so each is one cheap pass: the parsed value is walked once to
// count its keys and to see that it is shallow enough, and the number of keys is compared
// with the colons of the text. Only when that count disagrees is jsonc-parser run to find the
// second key. The walk stops at MAX_DEPTH, so no check here recurses deeper than that.
import { visit, type JSONPath } from 'jsonc-parser';

/**
 * The deepest nesting of objects and lists a line may have. A daxlog needs five levels (a step,
 * its expect, woke, one woken call); deeper text would reach recursive code that overflows the
 * stack: jsonc-parser from about 100,000 levels, the exact-integer rebuild from about 3,000.
 */
export const MAX_DEPTH = 64;

const TOO_DEEP = -1;

/**
 * The number of keys in the objects of a parsed value, or TOO_DEEP when it nests deeper than
 * MAX_DEPTH. `depth` is the number of objects and lists around v.
 */
export function countKeys(v: unknown, depth = 0): number {
  if (typeof v !== 'object' || v === null) return 0;
  if (depth === MAX_DEPTH) return TOO_DEEP;
  let n = 0;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const k = countKeys(v[i], depth + 1);
      if (k === TOO_DEEP) return TOO_DEEP;
      n += k;
    }
    return n;
  }
  const o = v as Record<string, unknown>;
  for (const key in o) {
    const k = countKeys(o[key], depth + 1);
    if (k === TOO_DEEP) return TOO_DEEP;
    n += k + 1;
  }
  return n;
}

export const isTooDeep = (keys: number): boolean => keys === TOO_DEEP;

/**
 * Whether the text of a valid JSON value that parsed to `keys` keys writes some key twice. In
 * valid JSON every colon outside a string separates a key from its value, so the text has as
 * many colons outside strings as keys written, and more than the parsed value holds exactly
 * when a key was written twice. Counting every colon first is the fast path: when even that is
 * no more than the keys, no colon was inside a string and no key was repeated.
 */
export function repeatsKey(text: string, keys: number): boolean {
  let colons = 0;
  for (let i = text.indexOf(':'); i >= 0; i = text.indexOf(':', i + 1)) colons++;
  return colons > keys && colonsOutsideStrings(text) > keys;
}

function colonsOutsideStrings(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) i = stringEnd(text, i);
    else if (c === 0x3a) n++;
  }
  return n;
}

/** Index of the quote that closes the string opening at `start`, or the text's length. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i;
  }
  return text.length;
}

/**
 * Offset of the `{` or `[` that opens the first level past MAX_DEPTH, or -1 when the text nests
 * no deeper. Brackets inside strings are text. Works on broken JSON too (the syntax-error path
 * uses it before jsonc-parser, which recurses once per level).
 */
export function tooDeepAt(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) i = stringEnd(text, i);
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_DEPTH) return i;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return -1;
}

export interface RepeatedKey {
  /** Path of the object that holds the key twice, and the key. */
  path: JSONPath;
  key: string;
  /** Offsets of the first and the second writing of the key. */
  first: number;
  second: number;
}

/** The first key written twice in one object, by the offset of its second writing. */
export function findRepeatedKey(text: string): RepeatedKey | undefined {
  const objects: Map<string, number>[] = [];
  let found: RepeatedKey | undefined;
  visit(text, {
    onObjectBegin: () => void objects.push(new Map()),
    onObjectEnd: () => void objects.pop(),
    onObjectProperty: (key, offset, _length, _line, _char, path) => {
      const seen = objects[objects.length - 1]!;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, offset);
      else if (found === undefined) found = { path: path(), key, first, second: offset };
    },
  });
  return found;
}
