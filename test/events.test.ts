// The events table of docs/daxlog.md §3 and machines/events.ts say the same: one row per event
// type, its fields, kernel function and return value cells as the EVENTS table holds them.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EVENTS, EVENT_TYPES } from '../machines/events.ts';

const docs = suite('docs/daxlog.md §3 and machines/events.ts');

const spec = readFileSync('docs/daxlog.md', 'utf8');
const section = spec.slice(spec.indexOf('## 3. Events'), spec.indexOf('\n## 4.'));
/** The rows of the section's tables, by event type: the cells after the type. */
const rows = new Map(
  section
    .split('\n')
    .filter((l) => /^\| `[a-z_]+\.[a-z_]+` \|/.test(l))
    .map((l) => {
      // Cells are split at " | "; a literal "|" inside a cell ("PFN_DEV|PFN_MAP") has no spaces around it.
      const cells = l.slice(2, -2).split(' | ');
      return [cells[0]!.slice(1, -1), cells.slice(1)] as const;
    }),
);

docs('every event type has one row, and every row is an event type', () => {
  assert.equal([...rows.keys()].sort(), [...EVENT_TYPES].sort());
});

docs("each row's fields, kernel and ret cells are the EVENTS table's", () => {
  for (const t of EVENT_TYPES) assert.equal(rows.get(t), [...EVENTS[t].doc], t);
});

docs("each event's fields are named in its doc cell, in the table's order", () => {
  for (const t of EVENT_TYPES) {
    const names = Object.keys(EVENTS[t].fields);
    const cell = EVENTS[t].doc[0];
    let at = -1;
    for (const n of names) {
      const i = cell.indexOf(`\`${n}`, at + 1);
      assert.ok(i > at, `${t}: field ${n} named in "${cell}" after the ones before it`);
      at = i;
    }
  }
});

docs.run();
