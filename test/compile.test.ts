// The tables compiled from the machine definitions (machines/compile.ts) against XState's own
// interpreter: on random event sequences, for every machine, the same state value, the same
// context and the same ignored events after every event. And what the compiler refuses.
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assign, createActor, raise, setup, type AnyStateMachine } from 'xstate';
import { compileMachine, UnsupportedMachine } from '../machines/compile.ts';
import { MACHINES } from '../machines/registry.ts';

const compiled = suite('compiled tables');

const TASKS = ['A', 'B', 'C'];
const hexes = ['0x7e0000000000', '0x7e0000200000', '0x7e0000400000', '0x0'];

/** A random event a machine might be sent: its own events (some with payloads), and strangers. */
function eventsOf(m: AnyStateMachine): fc.Arbitrary<{ type: string } & Record<string, unknown>> {
  const types = [...new Set(Object.values(m.root.states).flatMap((s) => [...s.transitions.keys()]).concat([...m.root.transitions.keys()]))];
  return fc.record({
    type: fc.constantFrom(...types, 'nobody.takes_this'),
    task: fc.constantFrom(...TASKS),
    start: fc.constantFrom(...hexes),
    end: fc.constantFrom(...hexes),
    pgoff: fc.constantFrom('0x0', '0x200'),
  });
}

/** The input each machine is started with (the srcu machine takes none). */
const INPUT: Record<string, unknown> = {
  dax_device: { minor: 3, private: 'p' },
  dax_region: { id: 0, parent: 'pfn0', start: '0x100000000', size: '0x400000', align: 2097152, pfn_flags: 'PFN_DEV|PFN_MAP' },
  dev_dax: { name: 'dax0.0', id: 0, region: 1, dax: 2, res: [{ start: '0x100000000', end: '0x1003fffff' }] },
  file: { dev: 'dax0.0', devdax: 1, dax: 2, private: 1 },
  vm_area: { start: '0x7e0000000000', end: '0x7e0000400000', pgoff: '0x0', shared: true, file: 1 },
};

for (const entry of MACHINES) {
  compiled(`${entry.name}: the compiled table and createActor agree on random event sequences`, () => {
    let events = 0;
    let ignored = 0;
    fc.assert(
      fc.property(fc.array(eventsOf(entry.machine), { maxLength: 40 }), (seq) => {
        const input = INPUT[entry.name];
        const actor = createActor(entry.machine, input === undefined ? {} : { input }).start();
        let snap = entry.compiled.initial(input as never);
        assert.equal({ value: actor.getSnapshot().value, context: actor.getSnapshot().context }, snap);
        for (const e of seq) {
          const before = actor.getSnapshot();
          actor.send(e);
          const after = actor.getSnapshot();
          const next = entry.compiled.transition(snap.value, snap.context, e as never);
          events++;
          if (next === undefined) {
            ignored++;
            assert.ok(after === before, `${entry.name} ${snap.value} ${e.type}: XState took a transition the table has not`);
            continue;
          }
          assert.ok(after !== before, `${entry.name} ${snap.value} ${e.type}: the table took a transition XState ignores`);
          snap = { value: next.value, context: next.context };
          assert.equal(snap, { value: after.value, context: after.context }, `${entry.name} after ${e.type}`);
        }
      }),
      { numRuns: 300, seed: 11 },
    );
    assert.ok(events > 1000 && ignored > 0 && ignored < events, `${events} events, ${ignored} ignored`);
  });
}

compiled('every transition names the kernel function it stands for (meta.kernel)', () => {
  for (const entry of MACHINES) {
    for (const node of [entry.machine.root, ...Object.values(entry.machine.root.states)]) {
      for (const [type, ts] of node.transitions) {
        for (const t of ts) assert.type((t.meta as { kernel?: string } | undefined)?.kernel, 'string', `${entry.name} ${node.key} ${type}`);
      }
    }
  }
});

compiled('refuses, when compiled, every construct it does not run as XState does', () => {
  const refused = (m: AnyStateMachine, what: RegExp) => {
    try {
      compileMachine(m);
    } catch (e) {
      assert.ok(e instanceof UnsupportedMachine, String(e));
      assert.match((e as Error).message, what);
      return;
    }
    assert.unreachable(`${m.id} compiled`);
  };
  const s = setup({ types: { context: {} as { n: number }, events: {} as { type: 'go' } }, guards: { g: () => true }, actions: { bump: assign({ n: 1 }) } });
  refused(s.createMachine({ id: 'entry', context: { n: 0 }, initial: 'a', states: { a: { entry: 'bump' } } }), /entry or exit/);
  refused(s.createMachine({ id: 'always', context: { n: 0 }, initial: 'a', states: { a: { always: 'b' }, b: {} } }), /eventless/);
  refused(s.createMachine({ id: 'after', context: { n: 0 }, initial: 'a', states: { a: { after: { 10: 'b' } }, b: {} } }), /delayed|entry or exit/);
  refused(s.createMachine({ id: 'nested', context: { n: 0 }, initial: 'a', states: { a: { initial: 'x', states: { x: {} } } } }), /compound state a/);
  refused(s.createMachine({ id: 'raise', context: { n: 0 }, initial: 'a', states: { a: { on: { go: { actions: raise({ type: 'go' }) } } } } }), /only assign/);
  refused(s.createMachine({ id: 'params', context: { n: 0 }, initial: 'a', states: { a: { on: { go: { guard: { type: 'g', params: {} }, target: 'a' } } } } }), /params/);
  refused(s.createMachine({ id: 'wild', context: { n: 0 }, initial: 'a', states: { a: { on: { '*': 'a' } } } }), /wildcard/);
});

compiled.run();
