// daxlog v1 schemas (daxlog.md §1-§4) as TypeBox types, compiled once. Every object is closed
// (additionalProperties: false) so that a typo such as "expcet" is a log error. Each schema that
// a user can get wrong carries `expected`, the words a log error uses for it.
import { Type, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { EVENTS, EVENT_TYPES, FAIL_SITES, FAULT_SIZES, MMAP_FLAGS, PFN_FLAGS, type EventType, type Field, type FieldKind } from '../machines/events.ts';

import { Bool, closed, Handle, oneOf, opt, quoted, Task, Text, U64 } from './schema_parts.ts';
import { OUTCOME_FIELDS } from './outcome_fields.ts';

export { HANDLE_PATTERN, Handle, Task, TASK_PATTERN, U64 } from './schema_parts.ts';

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

/** Each outcome field's expectation (outcome_fields.ts), all optional. */
export const Expect = Type.Object(
  Object.fromEntries(Object.entries(OUTCOME_FIELDS).map(([k, f]) => [k, opt(f.expect)])),
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

/**
 * A Checker compiled when first used: compiling every event's schema up front took a fifth of the
 * command's start-up and 9 MB, and a log uses a few of them.
 */
function checker(closedSchema: TSchema, fields?: Record<string, TSchema>): Checker {
  let compiled: Checker | undefined;
  const get = () => (compiled ??= compile(closedSchema, fields));
  return { Check: (v) => get().Check(v), Errors: (v) => get().Errors(v), Schema: () => get().Schema() };
}

function compile(closedSchema: TSchema, fields?: Record<string, TSchema>): Checker {
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
