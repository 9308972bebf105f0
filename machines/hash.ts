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

// The walk returns a hash's two lanes in these two variables, not in a new array per value:
// hashing a state then allocates only the memo of each object it hashes.
let A = 0;
let B = 0;

/** Both lanes of a string, cached: the same strings (states, handles, hex values) recur in every state. */
const strLanes = new Map<string, Hash64>();
function strings(s: string, seed: number): void {
  const cache = seed === STR ? strLanes : keyLanes;
  let h = cache.get(s);
  if (h === undefined) {
    h = [str(s, seed), str(s, seed ^ 0xdeadbeef)];
    if (cache.size < 100_000) cache.set(s, h);
  }
  A = h[0];
  B = h[1];
}

/** The two lanes of an object key's hash: keys repeat in every state, so each is hashed once. */
const keyLanes = new Map<string, Hash64>();

/** Seeds per kind of value, so that 1, "1", [1] and {"1": …} differ. */
const NUM = 0x9e3779b1;
const STR = 0x7f4a7c15;
const ARR = 0x1b873593;
const OBJ = 0xcc9e2d51;

function num(n: number, seed: number): number {
  // Integers (the common case) hash their two 32-bit halves; others their text.
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 53) return mix(mix(seed, n >>> 0), Math.floor(n / 4294967296) >>> 0);
  return str(String(n), seed ^ 0x5bd1e995);
}

const MEMO = Symbol('hash');

/** Sets A and B to the lanes of v's hash. */
function lanes(v: unknown, memo: boolean): void {
  switch (typeof v) {
    case 'number':
      A = num(v, NUM);
      B = num(v, NUM ^ 0xdeadbeef);
      return;
    case 'string':
      strings(v, STR);
      return;
    case 'boolean':
      A = v ? 0x1234567 : 0x2345678;
      B = v ? 0x7654321 : 0x8765432;
      return;
    case 'undefined':
      A = 0x3456789;
      B = 0x9876543;
      return;
    case 'object': {
      if (v === null) {
        A = 0x4567891;
        B = 0x1987654;
        return;
      }
      if (memo) {
        const hit = (v as Record<symbol, Hash64 | undefined>)[MEMO];
        if (hit !== undefined) {
          A = hit[0];
          B = hit[1];
          return;
        }
      }
      let a: number;
      let b: number;
      if (Array.isArray(v)) {
        a = mix(ARR, v.length);
        b = mix(ARR ^ 0xdeadbeef, v.length);
        for (const x of v) {
          lanes(x, memo);
          a = mix(a, A);
          b = mix(b, B);
        }
      } else {
        let sa = 0;
        let sb = 0;
        let n = 0;
        for (const k in v) {
          const x = (v as Record<string, unknown>)[k];
          if (x === undefined) continue;
          lanes(x, memo);
          const p = A;
          const q = B;
          strings(k, OBJ);
          sa = (sa + mix(A, p)) >>> 0;
          sb = (sb + mix(B, q)) >>> 0;
          n++;
        }
        a = mix(mix(OBJ, n), sa);
        b = mix(mix(OBJ ^ 0xdeadbeef, n), sb);
      }
      // A plain property store (a symbol key: JSON, for-in copies and this hash skip it).
      if (memo && Object.isExtensible(v)) (v as Record<symbol, Hash64>)[MEMO] = [a, b];
      A = a;
      B = b;
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
  return [A, B];
}

/** A value's hash as 16 hex digits. */
export function hashState(v: unknown, memo = false): string {
  lanes(v, memo);
  return A.toString(16).padStart(8, '0') + B.toString(16).padStart(8, '0');
}
