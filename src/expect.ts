// Matching a step's `expect` against its outcome (daxlog.md §4). A mismatch is returned as a
// Divergence, never thrown: divergences are the second tier of daxsim's outcomes.
import type { StateName } from '../machines/registry.ts';
import type { Outcome } from '../machines/outcome.ts';
import type { Expect, Json, JsonObject } from './log.ts';
import { stringify } from './json.ts';
import { sameInteger, toU64 } from './values.ts';
import { OUTCOME_FIELDS, OUTCOME_KEYS, type Match, type OutcomeField } from './outcome_fields.ts';

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

/** Does `want`, an expectation of a field checked as `match`, hold of `got`, the outcome's value? */
function holds(match: Match, want: unknown, got: unknown): boolean {
  switch (match) {
    case 'value':
      return sameValue(want, got ?? null);
    case 'exact':
      return want === got;
    case 'flag':
      return want === (got ?? false);
    case 'warns': {
      const w = want as string[];
      const g = (got ?? []) as string[];
      return g.length === w.length && w.every((x, i) => g[i]!.includes(x));
    }
    case 'lines':
      return subsequence(want as string[], (got ?? []) as string[]);
    case 'woke': {
      const w = want as Record<string, Json>[];
      const g = (got ?? []) as unknown as Record<string, Json>[];
      return (
        g.length === w.length &&
        w.every((x, i) =>
          Object.entries(x).every(([k, v]) => {
            const y = g[i]![k] ?? null;
            return k === 'oops' ? typeof y === 'string' && y.includes(v as string) : sameValue(v, y);
          }),
        )
      );
    }
    case 'oops':
      return want === true ? got !== undefined : want === false ? got === undefined : got !== undefined && (got as string).includes(want as string);
    case 'json':
      return JSON.stringify(want) === JSON.stringify(got ?? []);
    case 'states':
      throw new Error('bug: states are matched handle by handle');
  }
}

/** What a divergence shows as the actual value of a field the outcome leaves out. */
const ABSENT: Record<Match, unknown> = { value: null, exact: null, flag: false, warns: [], lines: [], woke: [], oops: false, json: [], states: null };

export function diverges(expect: Expect, out: Outcome, stateOf: (label: string) => StateName | null): Divergence[] {
  const d: Divergence[] = [];
  for (const key of OUTCOME_KEYS) {
    if (!(key in expect)) continue;
    const want = expect[key];
    const { match } = OUTCOME_FIELDS[key] as OutcomeField;
    if (match === 'states') {
      for (const [label, s] of Object.entries(want as Record<string, string | null>)) {
        const got = Object.hasOwn(out.state, label) ? out.state[label]! : stateOf(label);
        if (got !== s) d.push({ key: `state.${label}`, expected: s, actual: got });
      }
    } else if (want !== undefined && !holds(match, want, out[key])) d.push({ key, expected: want, actual: out[key] ?? ABSENT[match] });
  }
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

/** The expect `daxsim record` writes for an outcome: the fields outcome_fields.ts marks recorded. */
export function recordedExpect(o: Outcome): JsonObject {
  const e: Record<string, unknown> = {};
  for (const key of OUTCOME_KEYS) {
    const { recorded, json } = OUTCOME_FIELDS[key] as OutcomeField;
    if (recorded === 'never') continue;
    const v = o[key];
    if (v !== undefined) e[key] = v;
    else if (recorded === 'always') e[key] = json === 'states' ? {} : [];
  }
  return JSON.parse(stringify(e)) as JsonObject;
}
