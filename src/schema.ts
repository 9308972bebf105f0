// daxlog v1 schemas (daxlog.md §1-§4) as TypeBox types, compiled once. Every object is closed
// (additionalProperties: false) so that a typo such as "expcet" is a log error. Each schema that
// a user can get wrong carries `expected`, the words a log error uses for it.
import { Type, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { EVENTS, EVENT_TYPES, FAIL_SITES, FAULT_SIZES, MMAP_FLAGS, PFN_FLAGS, type EventType, type Field, type FieldKind } from '../machines/events.ts';
import { STATE_NAMES } from '../machines/registry.ts';

const closed = { additionalProperties: false } as const;
const oneOf = (values: readonly string[], expected: string) =>
  Type.Union(values.map((v) => Type.Literal(v)), { expected });
const quoted = (values: readonly string[]) => values.map((v) => JSON.stringify(v)).join(', ');

export const HANDLE_PATTERN = '^[A-Za-z0-9_.:/-]{1,64}$';
export const Handle = Type.String({ pattern: HANDLE_PATTERN, expected: 'a handle (1 to 64 characters of [A-Za-z0-9_.:/-])' });
export const Task = Type.String({ pattern: '^[A-Za-z0-9_.-]{1,15}$', expected: 'a task name (1 to 15 characters of [A-Za-z0-9_.-])' });

const U64_EXPECTED = 'an unsigned 64-bit integer (a number, or a string such as "4096", "0x1000" or "2M")';
/** A u64 spelling; src/log.ts converts it to a bigint and rejects values beyond 64 bits. */
export const U64 = Type.Union(
  [Type.Integer({ minimum: 0 }), Type.BigInt({ minimum: 0n }), Type.String({ pattern: '^(?:0[xX][0-9a-fA-F]+|[0-9]+[KMG]?)$' })],
  { expected: U64_EXPECTED, u64: true },
);
const Bool = Type.Boolean({ expected: 'true or false' });
const Text = Type.String({ expected: 'a string' });
const Fail = Type.Array(oneOf(FAIL_SITES, `a failure site (${quoted(FAIL_SITES)})`), { expected: 'a list of failure sites' });
const FaultSize = Type.Union([...FAULT_SIZES.map((s) => Type.Literal(s)), U64], {
  expected: '"PTE", "PMD", "PUD" or an integer',
  u64: true,
});
const Res = Type.Object({ start: U64, size: U64 }, { ...closed, expected: 'a resource {"start": …, "size": …}' });

/** The schema of each kind of event field (machines/events.ts). */
const KIND_SCHEMA: Record<FieldKind, TSchema> = {
  handle: Handle,
  devname: Handle,
  string: Text,
  u64: U64,
  bool: Bool,
  fault_size: FaultSize,
  pfn_flags: oneOf(PFN_FLAGS, quoted(PFN_FLAGS)),
  mmap_flags: oneOf(MMAP_FLAGS, quoted(MMAP_FLAGS)),
  resources: Type.Array(Res, { expected: 'a list of resources' }),
  sysfs_path: Type.String({ pattern: '^[A-Za-z0-9_.:/-]{1,200}$', expected: 'a sysfs path such as "pfn0/dax_region/size"' }),
};

const opt = Type.Optional;
const FIELDS = Object.fromEntries(
  EVENT_TYPES.map((t) => {
    const fields = EVENTS[t].fields as Record<string, Field>;
    return [t, Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.optional ? opt(KIND_SCHEMA[f.kind]) : KIND_SCHEMA[f.kind]]))];
  }),
) as Record<EventType, Record<string, TSchema>>;

const eventFields = (t: EventType) => ({ type: Type.Literal(t), ...FIELDS[t], fail: opt(Fail) });
export const EVENT_SCHEMAS: Record<EventType, TSchema> = Object.fromEntries(
  EVENT_TYPES.map((t): [EventType, TSchema] => [t, Type.Object(eventFields(t), closed)]),
) as Record<EventType, TSchema>;

const ALL_STATES = [...new Set(Object.values(STATE_NAMES).flat())] as string[];
const VM_FAULT = ['VM_FAULT_NOPAGE', 'VM_FAULT_SIGBUS', 'VM_FAULT_FALLBACK', 'VM_FAULT_OOM'];
const Value = Type.Union([Type.Number(), Type.BigInt(), Type.String(), Type.Boolean(), Type.Null()], {
  expected: 'a number, string, boolean or null',
});

export const Expect = Type.Object(
  {
    ret: opt(Value),
    state: opt(
      // Ruling 3: states compare as exact strings, so any string is an expectation (one that
      // names no state, "Alive" say, is a divergence that shows the real state, not a log error).
      Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.:/~-]{1,80}$' }), Type.Union([Text, Type.Null()], {
        expected: `a state (${quoted(ALL_STATES)}) or null`,
      }), { ...closed, expected: 'an object of handle: state' }),
    ),
    warn: opt(Type.Array(Text, { expected: 'a list of strings' })),
    log: opt(Type.Array(Text, { expected: 'a list of strings' })),
    blocked: opt(Bool),
    woke: opt(
      Type.Array(
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
    ),
    oops: opt(Type.Union([Type.Boolean(), Type.String()], { expected: 'true, false or a string' })),
    map: opt(oneOf(FAULT_SIZES, '"PTE", "PMD" or "PUD"')),
    phys: opt(U64),
    attempts: opt(
      Type.Array(Type.Tuple([oneOf(FAULT_SIZES, '"PTE", "PMD" or "PUD"'), oneOf(VM_FAULT, quoted(VM_FAULT))], { expected: 'a pair [size, result]' }), {
        expected: 'a list of [size, result] pairs',
      }),
    ),
    minor: opt(U64),
  },
  { ...closed, expected: 'an object of expectations' },
);

export const Config = Type.Object(
  {
    nr_dax: opt(Type.Integer({ minimum: -2147483648, maximum: 2147483647, expected: 'an int (the nr_dax module parameter)' })),
    thp: opt(oneOf(['always', 'madvise', 'never'], '"always", "madvise" or "never"')),
    pud: opt(Bool),
    fs_dax: opt(Bool),
    mmap_base: opt(U64),
  },
  { ...closed, expected: 'an object of kernel configuration' },
);

export const Header = Type.Object(
  {
    daxlog: Type.Literal(1, { expected: 'format version 1' }),
    kernel: opt(Type.Literal('7b6be8444e0f', { expected: '"7b6be8444e0f", the only kernel v1 knows' })),
    config: opt(Config),
    note: opt(Text),
  },
  { ...closed, expected: 'a header {"daxlog": 1, …}' },
);

const envelopeFields = {
  seq: opt(Type.Integer({ minimum: 1, expected: 'the step number' })),
  task: opt(Task),
  event: Type.Object({ type: Type.String({ expected: 'an event type' }) }, { expected: 'an event object {"type": …}' }),
  expect: opt(Type.Unknown()),
  note: opt(Text),
};
export const Envelope = Type.Object(envelopeFields, { ...closed, expected: 'a step {"event": …}' });

/**
 * A compiled schema with a quicker Check for a closed object whose values hold no closed object
 * of their own (a step's envelope, most events). TypeBox checks closedness by listing the
 * object's keys and building an array of the allowed ones for each key, which was most of what
 * reading a line allocated; here the same schema without that rule is compiled, and the keys are
 * looked up in a set. Errors and Schema are the closed schema's, so messages are unchanged.
 */
export interface Checker {
  Check(value: unknown): boolean;
  Errors: TypeCheck<TSchema>['Errors'];
  Schema(): TSchema;
}

function checker(closedSchema: TSchema, fields?: Record<string, TSchema>): Checker {
  const full = TypeCompiler.Compile(closedSchema);
  if (fields === undefined) return full;
  const open = TypeCompiler.Compile(Type.Object(fields));
  const allowed = new Set(Object.keys(fields));
  return {
    Check: (v) => {
      if (!open.Check(v)) return false;
      for (const k in v as object) if (!allowed.has(k)) return false;
      return true;
    },
    Errors: (v) => full.Errors(v),
    Schema: () => full.Schema(),
  };
}

/** Whether a set of fields holds a closed object anywhere (then the plain compiled check is used). */
function nestsClosed(x: unknown): boolean {
  if (typeof x !== 'object' || x === null) return false;
  if ((x as TSchema)['additionalProperties'] === false) return true;
  return Object.values(x).some(nestsClosed);
}

export const check = {
  header: checker(Header),
  envelope: checker(Envelope, envelopeFields),
  expect: checker(Expect),
  events: Object.fromEntries(
    EVENT_TYPES.map((t) => {
      const fields = eventFields(t);
      return [t, checker(EVENT_SCHEMAS[t], nestsClosed(fields) ? undefined : fields)];
    }),
  ) as Record<EventType, Checker>,
};
