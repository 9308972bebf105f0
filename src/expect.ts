// Matching a step's `expect` against its outcome (daxlog.md §4). A mismatch is returned as a
// Divergence, never thrown: divergences are the second tier of daxsim's outcomes.
import type { StateName } from '../machines/registry.ts';
import type { Outcome } from '../machines/outcome.ts';
import type { Expect, Json, JsonObject } from './log.ts';
import { stringify } from './json.ts';
import { sameInteger, toU64 } from './values.ts';

export interface Divergence {
  key: string;
  expected: unknown;
  actual: unknown;
}

/** Equal as the spec compares values: integers by value whatever their spelling, else strictly. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (toU64(a) !== undefined && toU64(b) !== undefined) return sameInteger(a, b);
  return a === b;
}

export function diverges(expect: Expect, out: Outcome, stateOf: (label: string) => StateName | null): Divergence[] {
  const d: Divergence[] = [];
  const differ = (key: string, expected: unknown, actual: unknown) => d.push({ key, expected, actual });

  if ('ret' in expect && !sameValue(expect.ret, out.ret ?? null)) differ('ret', expect.ret, out.ret ?? null);
  for (const [label, want] of Object.entries(expect.state ?? {})) {
    const got = Object.hasOwn(out.state, label) ? out.state[label]! : stateOf(label);
    if (got !== want) differ(`state.${label}`, want, got);
  }
  if (expect.warn !== undefined) {
    const got = out.warn ?? [];
    if (got.length !== expect.warn.length || expect.warn.some((w, i) => !got[i]!.includes(w))) differ('warn', expect.warn, got);
  }
  if (expect.log !== undefined && !subsequence(expect.log, out.log ?? [])) differ('log', expect.log, out.log ?? []);
  if (expect.blocked !== undefined && expect.blocked !== (out.blocked ?? false)) differ('blocked', expect.blocked, out.blocked ?? false);
  if (expect.woke !== undefined) {
    const got = out.woke ?? [];
    const same =
      got.length === expect.woke.length &&
      expect.woke.every((w, i) =>
        Object.entries(w).every(([k, v]) => {
          const g = (got[i] as unknown as Record<string, Json>)[k] ?? null;
          return k === 'oops' ? typeof g === 'string' && g.includes(v as string) : sameValue(v, g);
        }),
      );
    if (!same) differ('woke', expect.woke, got);
  }
  if (expect.oops !== undefined) {
    const o = out.oops;
    const ok = expect.oops === true ? o !== undefined : expect.oops === false ? o === undefined : o !== undefined && o.includes(expect.oops);
    if (!ok) differ('oops', expect.oops, o ?? false);
  }
  if (expect.map !== undefined && expect.map !== out.map) differ('map', expect.map, out.map ?? null);
  if (expect.phys !== undefined && !sameInteger(expect.phys, out.phys)) differ('phys', expect.phys, out.phys ?? null);
  if (expect.attempts !== undefined && JSON.stringify(expect.attempts) !== JSON.stringify(out.attempts ?? [])) {
    differ('attempts', expect.attempts, out.attempts ?? []);
  }
  if (expect.minor !== undefined && !sameInteger(expect.minor, out.minor)) differ('minor', expect.minor, out.minor ?? null);
  return d;
}

/** Each wanted string is a substring of a distinct line, in order (greedy matching is exact). */
function subsequence(want: string[], lines: string[]): boolean {
  let i = 0;
  for (const w of want) {
    while (i < lines.length && !lines[i]!.includes(w)) i++;
    if (i === lines.length) return false;
    i++;
  }
  return true;
}

/** The expect `daxsim record` writes for an outcome: ret, state, warn, and blocked / oops. */
export function recordedExpect(o: Outcome): JsonObject {
  const e: JsonObject = {};
  if (o.ret !== undefined) e['ret'] = o.ret;
  e['state'] = o.state as JsonObject;
  e['warn'] = o.warn ?? [];
  if (o.blocked) e['blocked'] = true;
  if (o.oops !== undefined) e['oops'] = o.oops;
  return JSON.parse(stringify(e)) as JsonObject;
}
