// The quick schema checks (src/schema.ts `check`) must accept exactly what TypeBox's compiled
// closed schemas accept: drawn objects of right, wrong, missing and unknown keys, for the step
// envelope and every event type.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EVENT_TYPES } from '../machines/events.ts';
import { parseLog } from '../src/log.ts';
import { check, Envelope, EVENT_SCHEMAS } from '../src/schema.ts';
import { traces } from '../scripts/fuzz.ts';

const schema = suite('schema checks');

const value = fc.oneof(
  fc.constantFrom('v0', 'dax0.0', '0x1000', '2M', 'PMD', 'MAP_SHARED', 'kzalloc', 'bad handle!', ''),
  fc.integer({ min: -2, max: 1 << 30 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(['ida']),
  fc.constant({ type: 'vma.access' }),
);
const keys = (known: string[]) => fc.constantFrom(...known, 'extra', 'expcet', '__proto__', 'toString');
const objectOf = (known: string[]) =>
  fc.dictionary(keys(known), value, { maxKeys: known.length + 1 }).map((o) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>); // as a parsed line is

// A valid event of each type as the traces write it, to draw changes of.
const examples = new Map<string, Record<string, unknown>>();
for (const [name, text] of traces()) {
  const log = parseLog(text, name);
  if (!('steps' in log)) continue;
  for (const st of log.steps) if (!examples.has(st.event.type)) examples.set(st.event.type, st.input['event'] as Record<string, unknown>);
}

/** The example with keys dropped, set to drawn values, or added. */
const changed = (example: Record<string, unknown>) =>
  fc
    .record({
      drop: fc.subarray(Object.keys(example)),
      set: fc.dictionary(keys(Object.keys(example)), value, { maxKeys: 2 }),
    })
    .map(({ drop, set }) => {
      const o = { ...example } as Record<string, unknown>;
      for (const k of drop) delete o[k];
      return JSON.parse(JSON.stringify({ ...o, ...set })) as Record<string, unknown>;
    });

schema('envelope: the quick check agrees with the closed compiled schema', () => {
  const closed = TypeCompiler.Compile(Envelope);
  let accepted = 0;
  const step = { seq: 1, task: 'A', event: { type: 'vma.access' }, expect: {}, note: 'n' };
  fc.assert(
    fc.property(fc.oneof(objectOf(Object.keys(step)), changed(step)), (o) => {
      const quick = check.envelope.Check(o);
      if (quick) accepted++;
      return quick === closed.Check(o);
    }),
    { numRuns: 3000, seed: 1 },
  );
  assert.ok(accepted > 300 && accepted < 2700, `${accepted} of 3000 accepted`);
});

schema('every event type: the quick check agrees with the closed compiled schema', () => {
  assert.is(examples.size, EVENT_TYPES.length, 'the traces hold an event of every type');
  for (const t of EVENT_TYPES) {
    const closed = TypeCompiler.Compile(EVENT_SCHEMAS[t]);
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(changed(examples.get(t)!), (o) => {
        const quick = check.events[t].Check(o);
        if (quick) accepted++;
        else refused++;
        return quick === closed.Check(o);
      }),
      { numRuns: 400, seed: 2 },
    );
    assert.ok(accepted > 0 && refused > 0, `${t}: ${accepted} accepted, ${refused} refused`);
  }
});

schema('an unknown key named like an Object member is refused', () => {
  const o = JSON.parse('{"type":"vma.access","vma":"v","off":"0x1","__proto__":1}') as object;
  assert.is(check.events['vma.access'].Check(o), false);
  assert.is(check.events['vma.access'].Check({ type: 'vma.access', vma: 'v', off: '0x1' }), true);
});

schema.run();
