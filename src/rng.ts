// mulberry32: a small, fast pseudo-random generator whose sequence a 32-bit seed fixes, for the
// schedules of `explore --random` (printed seeds replay them), the benchmark's generated logs and
// the fuzzer. Nothing in machines/ uses it.

/** The generator for `seed`: each call gives the next number in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
