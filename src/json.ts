// JSON for log lines. JSON.parse is the fast path and the judge of validity; jsonc-parser
// (VS Code's parser) is used only where JSON.parse cannot help: to find the column of an
// error, to find the node a schema error is about, and to read integers above 2^53 exactly.
// jsonc-parser recurses once per level of nesting, so it only ever sees text whose depth is
// known to be within MAX_DEPTH (json_checks.ts).
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { countKeys, findRepeatedKey, isTooDeep, MAX_DEPTH, repeatsKey, tooDeepAt } from './json_checks.ts';
import { printable } from './text.ts';

const STRICT = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

/** A number token that JSON.parse could round: 16+ digits, a fraction or an exponent. */
const INEXACT = /[:,[]\s*-?(?:\d{16}|\d+(?:\.\d|[eE]))/;

export type Parsed = { ok: true; value: unknown } | { ok: false; offset: number; message: string };

export function parseJson(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return syntaxError(text, (e as Error).message);
  }
  const keys = countKeys(value);
  if (isTooDeep(keys)) return tooDeep(tooDeepAt(text));
  if (repeatsKey(text, keys)) return repeatedKey(text);
  if (INEXACT.test(text)) value = exact(text) ?? value;
  return { ok: true, value };
}

function tooDeep(offset: number): Parsed {
  return { ok: false, offset, message: `expected at most ${MAX_DEPTH} levels of nested objects and lists, found a ${MAX_DEPTH + 1}th` };
}

function repeatedKey(text: string): Parsed {
  const r = findRepeatedKey(text)!;
  const name = printable([...r.path, r.key].join('.'));
  return {
    ok: false,
    offset: r.second,
    message: `${name}: expected each key once in an object, found ${printable(JSON.stringify(r.key))} again (first at column ${r.first + 1})`,
  };
}

/**
 * The first syntax error, as jsonc-parser places and names it. Text nested past MAX_DEPTH is
 * cut where it goes too deep, and that is the error unless jsonc-parser finds one before it.
 */
function syntaxError(text: string, fallback: string): Parsed {
  const deep = tooDeepAt(text);
  const errors: ParseError[] = [];
  parseTree(deep < 0 ? text : text.slice(0, deep), errors, STRICT);
  const first = errors[0];
  if (deep >= 0 && (first === undefined || first.offset >= deep)) return tooDeep(deep);
  if (!first) return { ok: false, offset: 0, message: `bad JSON: ${printable(fallback)}` };
  const code = printParseErrorCode(first.error);
  const offset = IN_STRING.has(code) ? badCharacterAt(text, first.offset) : first.offset;
  const found = offset >= text.length ? 'the end of the line' : printable(JSON.stringify(text.slice(offset, offset + 12)));
  return { ok: false, offset, message: `bad JSON: ${describe(code)}, found ${found}` };
}

/** Errors jsonc-parser places at the start of the string they are in. */
const IN_STRING = new Set(['InvalidCharacter', 'InvalidEscapeCharacter', 'InvalidUnicode']);

/**
 * The offset of what is wrong in the string that opens at `start`: a control character, or the
 * backslash of a bad escape. The string's start when nothing is (it should not happen).
 */
function badCharacterAt(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) break;
    if (c < 0x20) return i;
    if (c !== 0x5c) continue;
    const esc = text[i + 1];
    if (esc === 'u' ? !/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)) : !'"\\/bfnrt'.includes(esc ?? '')) return i;
    i++;
  }
  return start;
}

function describe(code: string): string {
  const words = code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.endsWith(' expected') ? `expected ${words.slice(0, -' expected'.length)}` : words;
}

/** Rebuilds the value from the syntax tree, with integers beyond 2^53 as bigints. */
function exact(text: string): unknown {
  const root = parseTree(text, [], STRICT);
  return root === undefined ? undefined : build(root, text);
}

function build(node: Node, text: string): unknown {
  switch (node.type) {
    case 'object':
      return Object.fromEntries((node.children ?? []).map((p) => [p.children![0]!.value as string, build(p.children![1]!, text)]));
    case 'array':
      return (node.children ?? []).map((c) => build(c, text));
    case 'number':
      return exactNumber(text.slice(node.offset, node.offset + node.length));
    default:
      return node.value;
  }
}

/** An integer-valued number token as a bigint when a double would not hold it exactly. */
function exactNumber(raw: string): number | bigint {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([-+]?\d+))?$/.exec(raw)!;
  const digits = m[2]! + (m[3] ?? '');
  const scale = Number(m[4] ?? 0) - (m[3]?.length ?? 0);
  if (scale < -400 || scale > 400) return Number(raw);
  let n = BigInt(digits);
  if (scale >= 0) n *= 10n ** BigInt(scale);
  else {
    const d = 10n ** BigInt(-scale);
    if (n % d !== 0n) return Number(raw);
    n /= d;
  }
  if (m[1]) n = -n;
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/**
 * Offset in `text` of what a path names: the value's start, the key of an unknown property when
 * `key` is set, or the innermost object that exists when the path runs past it (a missing key).
 */
export function offsetOf(text: string, path: (string | number)[], key = false): number {
  const root = parseTree(text, [], STRICT);
  if (!root) return 0;
  for (let n = path.length; n >= 0; n--) {
    const node = findNodeAtLocation(root, path.slice(0, n));
    if (!node) continue;
    if (key && n === path.length && node.parent?.type === 'property') return node.parent.offset;
    return node.offset;
  }
  return 0;
}

/**
 * JSON text of a value that may hold bigints (written as plain JSON numbers). Plain
 * JSON.stringify is tried first: it throws on a bigint, and only then is the slower path with a
 * replacer taken (logs rarely hold integers beyond 2^53).
 */
export function stringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
  }
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `\u0000${v}\u0000` : v)).replace(/"\\u0000(-?\d+)\\u0000"/g, '$1');
}
