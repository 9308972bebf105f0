// The fields of a step's outcome (daxlog.md §4), described once: how each is written in JSON,
// how an `expect` of it is checked and what it may hold, whether `record` writes it, and how the
// human output shows it. The JSON writers (jsonl.ts), the expect schema (schema.ts), the matcher
// (expect.ts) and the formatter (format.ts) all walk this table; the type checker holds it to
// the Outcome type, so a new outcome field is an entry here and its producer in machines/.
import { Type, type TSchema } from '@sinclair/typebox';
import { EVENT_TYPES, FAULT_SIZES } from '../machines/events.ts';
import type { Outcome } from '../machines/outcome.ts';
import { STATE_NAMES } from '../machines/registry.ts';
import { closed, oneOf, opt, quoted, Task, Text, U64, Value } from './schema_parts.ts';

/** How a field's value is written in JSON (writeOutcome in jsonl.ts). */
export type JsonShape =
  | 'value' // a number, string, boolean or null
  | 'states' // handle → state or null
  | 'strings' // a list of strings
  | 'true' // the literal true, written only when set
  | 'plain' // plain JSON values, through JSON.stringify
  | 'string' // one string, escaped
  | 'word' // one ASCII word that needs no escape
  | 'pairs' // a list of pairs of ASCII words
  | 'int'; // a non-negative integer

/** How an expectation of the field is checked (diverges in expect.ts). */
export type Match =
  | 'value' // equal, integers by value whatever their spelling
  | 'states' // each listed handle's state, exact strings
  | 'warns' // as many as listed, in order, each a substring
  | 'lines' // each a substring of a distinct line, in order
  | 'flag' // equal, absent meaning false
  | 'woke' // as many as listed, in order, each listed key equal (oops: substring)
  | 'oops' // true: any, false: none, a string: a substring of the reason
  | 'exact' // strictly equal
  | 'json'; // equal as JSON text

/** What `daxsim record` writes into an expect: always (with its empty value), when present, or never. */
export type Recorded = 'always' | 'present' | 'never';

export interface OutcomeField {
  json: JsonShape;
  match: Match;
  recorded: Recorded;
  /** What an expect of this field may hold (with `expected`, the words of a log error). */
  expect: TSchema;
  /** The human output's detail line label and position (undefined: shown on the step's first line). */
  human?: { order: number; label: string };
}

const Strings = Type.Array(Text, { expected: 'a list of strings' });
const Size = oneOf(FAULT_SIZES, '"PTE", "PMD" or "PUD"');
const VM_FAULT = ['VM_FAULT_NOPAGE', 'VM_FAULT_SIGBUS', 'VM_FAULT_FALLBACK', 'VM_FAULT_OOM'];
const ALL_STATES = [...new Set(Object.values(STATE_NAMES).flat())] as string[];

/** The fields in the order of the spec's table (daxlog.md §4), which is also their JSON order. */
export const OUTCOME_FIELDS = {
  ret: { json: 'value', match: 'value', recorded: 'present', expect: Value },
  state: {
    json: 'states',
    match: 'states',
    recorded: 'always',
    // Ruling 3: states compare as exact strings, so any string is an expectation (one that
    // names no state, "Alive" say, is a divergence that shows the real state, not a log error).
    expect: Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.:/~-]{1,80}$' }), Type.Union([Text, Type.Null()], { expected: `a state (${quoted(ALL_STATES)}) or null` }), {
      ...closed,
      expected: 'an object of handle: state',
    }),
    human: { order: 1, label: 'state' },
  },
  warn: { json: 'strings', match: 'warns', recorded: 'always', expect: Strings, human: { order: 5, label: 'warn' } },
  log: { json: 'strings', match: 'lines', recorded: 'never', expect: Strings, human: { order: 6, label: 'log' } },
  blocked: { json: 'true', match: 'flag', recorded: 'present', expect: Type.Boolean({ expected: 'true or false' }) },
  woke: {
    json: 'plain',
    match: 'woke',
    recorded: 'never',
    expect: Type.Array(
      Type.Object(
        {
          task: opt(Task),
          type: opt(oneOf(EVENT_TYPES, 'an event type')),
          ret: opt(Value),
          line: opt(Type.Integer({ minimum: 1, expected: 'a line number' })),
          oops: opt(Type.String({ expected: 'the oops reason of the woken call' })),
        },
        { ...closed, expected: 'an object {task, type, ret, line}' },
      ),
      { expected: 'a list of woken calls' },
    ),
    human: { order: 0, label: 'woke' },
  },
  oops: { json: 'string', match: 'oops', recorded: 'present', expect: Type.Union([Type.Boolean(), Type.String()], { expected: 'true, false or a string' }), human: { order: 7, label: 'oops' } },
  map: { json: 'word', match: 'exact', recorded: 'never', expect: Size, human: { order: 4, label: 'map' } },
  phys: { json: 'word', match: 'value', recorded: 'never', expect: U64 },
  attempts: {
    json: 'pairs',
    match: 'json',
    recorded: 'never',
    expect: Type.Array(Type.Tuple([Size, oneOf(VM_FAULT, quoted(VM_FAULT))], { expected: 'a pair [size, result]' }), { expected: 'a list of [size, result] pairs' }),
    human: { order: 3, label: 'attempts' },
  },
  minor: { json: 'int', match: 'value', recorded: 'never', expect: U64, human: { order: 2, label: 'minor' } },
} as const satisfies { [K in keyof Outcome]-?: OutcomeField };

export type OutcomeKey = keyof typeof OUTCOME_FIELDS;

/** The keys in JSON order. */
export const OUTCOME_KEYS = Object.keys(OUTCOME_FIELDS) as OutcomeKey[];

/** The fields the human output shows on detail lines (format.ts gives each one's text). */
export type DetailKey = { [K in OutcomeKey]: (typeof OUTCOME_FIELDS)[K] extends { human: object } ? K : never }[OutcomeKey];

/** Those fields in the order the human output shows them. */
export const HUMAN_DETAILS = OUTCOME_KEYS.flatMap((key) => {
  const f = OUTCOME_FIELDS[key] as OutcomeField;
  return f.human === undefined ? [] : [{ key: key as DetailKey, ...f.human }];
}).sort((a, b) => a.order - b.order);
