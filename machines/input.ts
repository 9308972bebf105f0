// What a machine that models a kernel object must be started with: the fields of its input, each
// with its kind and meaning, and an example. The kernel makes these from the log (super.ts,
// device.ts, fs_file.ts, mm_mmap.ts); a machine started on its own with createActor must be
// given them too. They have no neutral default (a minor, a region's range, the objects a file
// points at), so a missing or mistyped field fails loudly: the context factory throws a
// MachineInputError naming the machine, the field, what it takes and an input that works,
// which XState hands to the actor's error observers (or throws, when there are none).
//
// The spec sits in the definition's root `meta` (`input`, `example`), where docs/machines.md
// (src/machines_doc.ts) reads it.

export type InputKind = 'int' | 'string' | 'bool' | 'u64' | 'id' | 'id|null' | 'resources' | 'pfn_flags';

export interface InputField {
  kind: InputKind;
  /** What the field is, in the kernel's terms. */
  doc: string;
}
export type InputSpec = Readonly<Record<string, InputField>>;

/** Words for each kind, as messages and docs/machines.md say them. */
export const KIND_TEXT: Record<InputKind, string> = {
  int: 'an integer',
  string: 'a string',
  bool: 'true or false',
  u64: 'a u64 as lower-case hex, "0x…"',
  id: 'an object id (an integer)',
  'id|null': 'an object id or null',
  resources: 'a list of {start, end} (u64 hex strings)',
  pfn_flags: '"PFN_DEV|PFN_MAP", "PFN_DEV", "PFN_MAP" or ""',
};

const HEX = /^0x[0-9a-f]+$/;
const isInt = (v: unknown) => Number.isSafeInteger(v);

const FITS: Record<InputKind, (v: unknown) => boolean> = {
  int: isInt,
  string: (v) => typeof v === 'string',
  bool: (v) => typeof v === 'boolean',
  u64: (v) => typeof v === 'string' && HEX.test(v),
  id: isInt,
  'id|null': (v) => v === null || isInt(v),
  resources: (v) => Array.isArray(v) && v.every((r) => typeof r === 'object' && r !== null && FITS.u64(r.start) && FITS.u64(r.end)),
  pfn_flags: (v) => v === 'PFN_DEV|PFN_MAP' || v === 'PFN_DEV' || v === 'PFN_MAP' || v === '',
};

/** A machine started without the input it needs, or with a field of the wrong kind. */
export class MachineInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MachineInputError';
  }
}

/** Each spec's fields as [key, kind, fits] rows, made once: a check then only runs them. */
const ROWS = new WeakMap<InputSpec, [string, InputKind, (v: unknown) => boolean][]>();

/** The input, checked against the machine's spec; a MachineInputError for what does not fit. */
export function checked<T>(machine: string, spec: InputSpec, example: T, input: unknown): T {
  if (typeof input !== 'object' || input === null) {
    throw new MachineInputError(`${machine}: expected an input {${Object.keys(spec).join(', ')}}, found ${input === undefined ? 'none' : JSON.stringify(input)}; ${works(machine, example)}`);
  }
  let rows = ROWS.get(spec);
  if (rows === undefined) ROWS.set(spec, (rows = Object.entries(spec).map(([key, field]) => [key, field.kind, FITS[field.kind]])));
  // The kernel starts a machine with every probe: the check allocates nothing until it fails.
  for (let i = 0; i < rows.length; i++) {
    const [key, kind, fits] = rows[i]!;
    const v = (input as Record<string, unknown>)[key];
    if (!fits(v)) {
      throw new MachineInputError(`${machine}: input.${key}: expected ${KIND_TEXT[kind]}, found ${v === undefined ? 'nothing' : JSON.stringify(v)}; ${works(machine, example)}`);
    }
  }
  return input as T;
}

/** How to start the machine, for a message. */
function works(machine: string, example: unknown): string {
  const name = machine.replace(/_(.)/g, (_, c: string) => c.toUpperCase());
  return `start it with an input such as createActor(${name}Machine, { input: ${JSON.stringify(example)} })`;
}
