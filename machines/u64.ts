// Exact 64-bit unsigned values. Inside a kernel step they are bigints, so nothing loses
// precision above 2^53; in the kernel's state (a plain, JSON-safe value) they are written as
// lower-case hex strings, "0x200000", as the log's output writes addresses and sizes. `big`
// reads one back; holders of hot values (a vma's bounds, a page-table entry) are immutable, so
// their decoded numbers are cached per holder.

/** A u64 as the kernel's state keeps it: "0x" and lower-case hex digits. */
export type U64 = string;

export const U64_MAX = (1n << 64n) - 1n;

/** Lower-case hex as the output writes addresses and sizes: "0x200000". */
export function hex(n: bigint | number): U64 {
  return '0x' + n.toString(16);
}

/** The value of a state's u64. */
export function big(x: U64): bigint {
  return BigInt(x);
}

/** An integer as C's "%#lx" / "%#x" print it in kernel messages: 0 has no "0x" prefix. */
export function cHex(n: bigint | number): string {
  return n === 0 || n === 0n ? '0' : '0x' + n.toString(16);
}

/** Wraps to 64 bits, as unsigned long arithmetic does in the kernel. */
export function u64(n: bigint): bigint {
  return BigInt.asUintN(64, n);
}

/**
 * What an immutable holder's u64 fields decode to, kept on the holder under `key` (a symbol:
 * JSON, hashing and the state's copies, which copy string keys only, do not see it). A holder
 * that changes is a new object (machine contexts, page-table entries). Each caller has its own
 * small function around this, so that V8 sees one shape of holder per call site.
 */
export function remember<H extends object, D>(h: H, key: symbol, made: D): D {
  if (Object.isExtensible(h)) (h as Record<symbol, D>)[key] = made;
  return made;
}
