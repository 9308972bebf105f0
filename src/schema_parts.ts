// The pieces the daxlog schemas are made of (schema.ts for the log, outcome_fields.ts for
// expectations): TypeBox types that carry `expected`, the words a log error uses for them.
import { Type } from '@sinclair/typebox';

export const closed = { additionalProperties: false } as const;
export const opt = Type.Optional;
export const oneOf = (values: readonly string[], expected: string) => Type.Union(values.map((v) => Type.Literal(v)), { expected });
export const quoted = (values: readonly string[]) => values.map((v) => JSON.stringify(v)).join(', ');

export const HANDLE_PATTERN = '^[A-Za-z0-9_.:/-]{1,64}$';
export const Handle = Type.String({ pattern: HANDLE_PATTERN, expected: 'a handle (1 to 64 characters of [A-Za-z0-9_.:/-])' });
export const TASK_PATTERN = '^[A-Za-z0-9_.-]{1,15}$';
export const Task = Type.String({ pattern: TASK_PATTERN, expected: 'a task name (1 to 15 characters of [A-Za-z0-9_.-])' });

/** A u64 spelling; src/log.ts converts it to a bigint and rejects values beyond 64 bits. */
export const U64 = Type.Union(
  [Type.Integer({ minimum: 0 }), Type.BigInt({ minimum: 0n }), Type.String({ pattern: '^(?:0[xX][0-9a-fA-F]+|[0-9]+[KMG]?)$' })],
  { expected: 'an unsigned 64-bit integer (a number, or a string such as "4096", "0x1000" or "2M")', u64: true },
);
export const Bool = Type.Boolean({ expected: 'true or false' });
export const Text = Type.String({ expected: 'a string' });
export const Value = Type.Union([Type.Number(), Type.BigInt(), Type.String(), Type.Boolean(), Type.Null()], { expected: 'a number, string, boolean or null' });
