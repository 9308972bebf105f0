// Exact 64-bit values as daxlog spells them (daxlog.md §1 "Values"): JSON numbers, decimal
// strings, "0x…" hex strings and binary-unit suffixes "4K", "2M", "1G". Everything inside the
// model is a bigint, so nothing loses precision above 2^53.

export const U64_MAX = (1n << 64n) - 1n;

const UNITS: Record<string, bigint> = { K: 1n << 10n, M: 1n << 20n, G: 1n << 30n };
const SPELLING = /^(?:0[xX][0-9a-fA-F]+|[0-9]+[KMG]?)$/;

/**
 * The value of a u64 spelling, or undefined when it is not one (or does not fit in 64 bits).
 * `checked` says a schema has already matched the spelling (the log reader's case).
 */
export function toU64(v: unknown, checked = false): bigint | undefined {
  let n: bigint;
  if (typeof v === 'string' && checked && v.length <= 18 && v.charCodeAt(1) === 120) return BigInt(v); // "0x" and 16 digits at most
  if (typeof v === 'bigint') n = v;
  else if (typeof v === 'number') {
    if (!Number.isInteger(v)) return undefined;
    n = BigInt(v);
  } else if (typeof v === 'string') {
    if (!SPELLING.test(v)) return undefined;
    const last = v[v.length - 1]!;
    const unit = UNITS[last];
    n = unit === undefined ? BigInt(v) : BigInt(v.slice(0, -1)) * unit;
  } else return undefined;
  return n >= 0n && n <= U64_MAX ? n : undefined;
}

/** Lower-case hex as the output writes addresses and sizes: "0x200000". */
export function hex(n: bigint | number): string {
  return '0x' + n.toString(16);
}

/** An integer as C's "%#lx" / "%#x" print it in kernel messages: 0 has no "0x" prefix. */
export function cHex(n: bigint | number): string {
  return n === 0 || n === 0n ? '0' : '0x' + n.toString(16);
}

/** Wraps to 64 bits, as unsigned long arithmetic does in the kernel. */
export function u64(n: bigint): bigint {
  return BigInt.asUintN(64, n);
}

/** True when a and b are integer spellings (or bigints) of the same value. */
export function sameInteger(a: unknown, b: unknown): boolean {
  const x = toU64(a);
  return x !== undefined && x === toU64(b);
}
