// docs/machines.md is what src/machines_doc.ts writes from the machine definitions: this holds
// the file equal to it (`npm run docs` rewrites it), and checks that the page lists every
// transition of every machine and an input each machine starts with.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor } from 'xstate';
import { MACHINES } from '../machines/registry.ts';
import { exportName, machinesDoc } from '../src/machines_doc.ts';
import * as daxsim from '../src/index.ts';

const doc = suite('docs/machines.md');
const text = machinesDoc();

doc('is what the definitions give (run `npm run docs` after changing a machine)', () => {
  assert.fixture(readFileSync('docs/machines.md', 'utf8'), text);
});

doc('has a row for every transition of every machine, and each machine under the name the package exports', () => {
  const sections = text.split(/^## /m).slice(1);
  assert.equal(sections.map((s) => s.slice(0, s.indexOf('\n'))), MACHINES.map((m) => m.name));
  for (const [i, m] of MACHINES.entries()) {
    const rows = sections[i]!.split('\n').filter((l) => /^\| `[a-z_]+\.[a-z_]+` \|/.test(l));
    let transitions = 0;
    const root = m.machine.root;
    for (const node of [...Object.values(root.states), root]) for (const list of node.transitions.values()) transitions += list.length;
    assert.is(rows.length, transitions, m.name);
    assert.is((daxsim as Record<string, unknown>)[exportName(m.name)], m.machine, `daxsim exports ${exportName(m.name)}`);
  }
});

doc('the input each section shows starts its machine', () => {
  const shown = [...text.matchAll(/createActor\((\w+), \{ input: (\{".*\}) \}\)/g)];
  assert.equal(shown.map((m) => m[1]), ['daxDeviceMachine', 'daxRegionMachine', 'devDaxMachine', 'fileMachine', 'vmAreaMachine']);
  for (const m of shown) {
    const machine = (daxsim as Record<string, unknown>)[m[1]!] as Parameters<typeof createActor>[0];
    const a = createActor(machine, { input: JSON.parse(m[2]!) } as never).start();
    assert.is(a.getSnapshot().status, 'active', m[1]);
  }
});

doc.run();
