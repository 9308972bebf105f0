// A canonical 64-bit hash of a kernel state (or any JSON-like value): equal values hash equally
// whatever order their objects' keys were added in, across runs and processes. Two 32-bit lanes
// of multiply-xorshift mixing; an object's entries are combined by addition (order does not
// count), an array's in order. Explorers ask for `memo`: the parts of a state that states share
// are never written again (copy-on-write), so each object's hash is kept on it, under a symbol
// that JSON, copies and this hash do not see, and computed once.

export type Hash64 = [number, number];

const M1 = 0x85ebca6b;
const M2 = 0xc2b2ae35;

function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, M1);
  h ^= h >>> 15;
  h = Math.imul(h, M2);
  return (h ^ (h >>> 13)) >>> 0;
}

function str(s: string, seed: number): number {
  let h = mix(seed, s.length);
  for (let i = 0; i < s.length; i++) h = mix(h, s.charCodeAt(i));
  return h;
}

// The walk returns a hash's two lanes in this array, not in a new array per value (module
// variables cost a check at every read): hashing a state then allocates only the memo of each
// object it keeps a hash on.
const R = new Uint32Array(2);

/** Both lanes of a string, cached: the same strings (states, handles, hex values) recur in every state. */
const strLanes = new Map<string, Hash64>();
/** The two lanes of an object key's hash: keys repeat in every state, so each is hashed once. */
const keyLanes = new Map<string, Hash64>();

function strings(s: string, cache: Map<string, Hash64>, seed: number): Hash64 {
  let h = cache.get(s);
  if (h === undefined) {
    h = [str(s, seed), str(s, seed ^ 0xdeadbeef)];
    if (cache.size < 100_000) cache.set(s, h);
  }
  return h;
}

/** Seeds per kind of value, so that 1, "1", [1] and {"1": …} differ. */
const NUM = 0x9e3779b1;
const STR = 0x7f4a7c15;
const ARR = 0x1b873593;
const OBJ = 0xcc9e2d51;

function num(n: number, seed: number): number {
  // Integers (the common case) hash their two 32-bit halves; others their text.
  if ((n | 0) === n) return mix(mix(seed, n >>> 0), n < 0 ? 0xffffffff : 0);
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 53) return mix(mix(seed, n >>> 0), Math.floor(n / 4294967296) >>> 0);
  return str(String(n), seed ^ 0x5bd1e995);
}

/** The lanes of the small non-negative integers (ids, counts, indexes), worked out once. */
const SMALL = 4096;
const SMALL_A = new Uint32Array(SMALL);
const SMALL_B = new Uint32Array(SMALL);
for (let n = 0; n < SMALL; n++) {
  SMALL_A[n] = num(n, NUM);
  SMALL_B[n] = num(n, NUM ^ 0xdeadbeef);
}

/** The lanes of [], as the walk below works them out for an array of no values. */
const EMPTY_A = mix(ARR, 0);
const EMPTY_B = mix(ARR ^ 0xdeadbeef, 0);

/**
 * The property an object keeps its hash under. Adding it to an object costs a hidden-class
 * change (~300 ns at a call site that sees many shapes); objects made to be written and then
 * shared (state.ts's copies) are made with it already in place, so that storing is a plain write.
 */
export const MEMO = Symbol('hash');

/** Sets R to the lanes of v's hash. */
function lanes(v: unknown, memo: boolean): void {
  switch (typeof v) {
    case 'number':
      if (v >= 0 && v < SMALL && (v | 0) === v) {
        R[0] = SMALL_A[v]!;
        R[1] = SMALL_B[v]!;
        return;
      }
      R[0] = num(v, NUM);
      R[1] = num(v, NUM ^ 0xdeadbeef);
      return;
    case 'string': {
      const h = strings(v, strLanes, STR);
      R[0] = h[0];
      R[1] = h[1];
      return;
    }
    case 'boolean':
      R[0] = v ? 0x1234567 : 0x2345678;
      R[1] = v ? 0x7654321 : 0x8765432;
      return;
    case 'undefined':
      R[0] = 0x3456789;
      R[1] = 0x9876543;
      return;
    case 'object': {
      if (v === null) {
        R[0] = 0x4567891;
        R[1] = 0x1987654;
        return;
      }
      // Empty lists are a third of the values a search hashes (no waiters, no callbacks, ...).
      if (Array.isArray(v) && v.length === 0) {
        R[0] = EMPTY_A;
        R[1] = EMPTY_B;
        return;
      }
      if (memo) {
        const hit = (v as Record<symbol, Hash64 | undefined>)[MEMO];
        if (hit !== undefined) {
          R[0] = hit[0];
          R[1] = hit[1];
          return;
        }
      }
      let a: number;
      let b: number;
      let nested = false;
      let count: number;
      if (Array.isArray(v)) {
        count = v.length;
        a = mix(ARR, v.length);
        b = mix(ARR ^ 0xdeadbeef, v.length);
        for (let i = 0; i < v.length; i++) {
          const x: unknown = v[i];
          if (typeof x === 'object' && x !== null) nested = true;
          lanes(x, memo);
          a = mix(a, R[0]!);
          b = mix(b, R[1]!);
        }
      } else {
        let sa = 0;
        let sb = 0;
        let n = 0;
        const o = v as Record<string, unknown>;
        const keys = Object.keys(o);
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i]!;
          const x = o[k];
          if (x === undefined) continue;
          if (typeof x === 'object' && x !== null) nested = true;
          lanes(x, memo);
          const kh = strings(k, keyLanes, OBJ);
          sa = (sa + mix(kh[0], R[0]!)) >>> 0;
          sb = (sb + mix(kh[1], R[1]!)) >>> 0;
          n++;
        }
        count = n;
        a = mix(mix(OBJ, n), sa);
        b = mix(mix(OBJ ^ 0xdeadbeef, n), sb);
      }
      // A plain property store (a symbol key: JSON, for-in copies and this hash skip it). Only
      // objects that hold objects, or five or more values, keep their hash: adding the property
      // costs more than hashing again a leaf of a few numbers and strings.
      if (memo && (nested || count >= 5) && Object.isExtensible(v)) (v as Record<symbol, Hash64>)[MEMO] = [a, b];
      R[0] = a;
      R[1] = b;
      return;
    }
    default:
      throw new Error(`bug: cannot hash a ${typeof v}`);
  }
}

/**
 * The two 32-bit lanes of a value's hash. With memo, each object keeps its hash: only for
 * values no one writes any more (states shared copy-on-write, as an explorer keeps them).
 */
export function hash64(v: unknown, memo = false): Hash64 {
  lanes(v, memo);
  return [R[0]!, R[1]!];
}

/** A value's hash as 16 hex digits. */
export function hashState(v: unknown, memo = false): string {
  lanes(v, memo);
  return R[0]!.toString(16).padStart(8, '0') + R[1]!.toString(16).padStart(8, '0');
}
