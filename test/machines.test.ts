// The machines on their own, without the kernel around them.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor } from 'xstate';
import { daxDeviceMachine } from '../machines/dax_device.ts';
import { daxSrcuMachine } from '../machines/dax_srcu.ts';
import { idaGet, idaRemove, idaSize, newIda } from '../machines/ida.ts';
import { MachineInputError } from '../machines/input.ts';
import { OBJECT_MACHINES } from '../machines/registry.ts';

const dax_device = suite('dax_device machine');

const device = () => createActor(daxDeviceMachine, { id: 'd', input: { minor: 3, private: 'p' } }).start();

dax_device('walks alive → killing → killed → destroyed → freed', () => {
  const a = device();
  const seen = [a.getSnapshot().value];
  for (const type of ['dax.kill', 'dax.kill_synchronized', 'dax.put', 'rcu.callback'] as const) {
    a.send({ type });
    seen.push(a.getSnapshot().value);
  }
  assert.equal(seen, ['alive', 'killing', 'killed', 'destroyed', 'freed']);
  assert.is(a.getSnapshot().status, 'done');
  assert.equal(a.getSnapshot().context, { minor: 3, private: null, alive: false });
});

dax_device('a put while alive reaches destroyed with alive still true', () => {
  const a = device();
  a.send({ type: 'dax.put' });
  assert.is(a.getSnapshot().value, 'destroyed');
  assert.is(a.getSnapshot().context.alive, true);
});

dax_device('has no transition for a put after destroy or anything after free', () => {
  const a = device();
  a.send({ type: 'dax.put' });
  assert.not.ok(a.getSnapshot().can({ type: 'dax.put' }));
  a.send({ type: 'rcu.callback' });
  for (const type of ['dax.kill', 'dax.kill_synchronized', 'dax.put', 'rcu.callback'] as const) assert.not.ok(a.getSnapshot().can({ type }));
});

dax_device('the RCU callback is only taken by a destroyed device', () => {
  const a = device();
  assert.not.ok(a.getSnapshot().can({ type: 'rcu.callback' }));
  a.send({ type: 'dax.kill' });
  assert.not.ok(a.getSnapshot().can({ type: 'rcu.callback' }));
});

dax_device.run();

const dax_srcu = suite('dax_srcu machine');

dax_srcu('goes idle → reading → synchronizing → reading → idle, ending the grace period itself', () => {
  const s = createActor(daxSrcuMachine).start();
  const states = [s.getSnapshot().value];
  const step = (type: 'dax_srcu.read_lock' | 'dax_srcu.read_unlock' | 'dax_srcu.synchronize', task: string) => {
    s.send({ type, task });
    states.push(s.getSnapshot().value);
  };
  step('dax_srcu.read_lock', 'A');
  step('dax_srcu.synchronize', 'B');
  step('dax_srcu.read_lock', 'C');
  assert.equal(s.getSnapshot().context.done, []);
  step('dax_srcu.read_unlock', 'A');
  assert.equal(s.getSnapshot().context.done, ['B'], 'A was the only earlier reader: B may return');
  assert.equal(s.getSnapshot().context.waiters, []);
  s.send({ type: 'dax_srcu.woken' });
  assert.equal(s.getSnapshot().context.done, []);
  step('dax_srcu.read_unlock', 'C');
  assert.equal(states, ['idle', 'reading', 'synchronizing', 'synchronizing', 'reading', 'idle']);
});

dax_srcu('a later reader does not hold a grace period back; an earlier one does', () => {
  const s = createActor(daxSrcuMachine).start();
  s.send({ type: 'dax_srcu.read_lock', task: 'A' });
  s.send({ type: 'dax_srcu.read_lock', task: 'R' });
  s.send({ type: 'dax_srcu.synchronize', task: 'B' });
  s.send({ type: 'dax_srcu.read_lock', task: 'C' });
  s.send({ type: 'dax_srcu.read_unlock', task: 'R' });
  assert.equal(s.getSnapshot().context.done, [], 'A entered before B and is still inside');
  s.send({ type: 'dax_srcu.read_unlock', task: 'A' });
  assert.equal(s.getSnapshot().context.done, ['B']);
  assert.is(s.getSnapshot().value, 'reading', 'C is still inside');
});

dax_srcu('refuses an unlock by a task with no section', () => {
  const s = createActor(daxSrcuMachine).start();
  assert.not.ok(s.getSnapshot().can({ type: 'dax_srcu.read_unlock', task: 'A' }));
  s.send({ type: 'dax_srcu.read_lock', task: 'A' });
  s.send({ type: 'dax_srcu.synchronize', task: 'B' });
  assert.not.ok(s.getSnapshot().can({ type: 'dax_srcu.read_unlock', task: 'B' }));
});

dax_srcu('a synchronize with no reader completes without a waiter but still flips the index', () => {
  const s = createActor(daxSrcuMachine).start();
  s.send({ type: 'dax_srcu.synchronize', task: 'B' });
  assert.equal(s.getSnapshot().context.waiters, []);
  assert.is(s.getSnapshot().context.idx, 1);
  assert.is(s.getSnapshot().value, 'idle');
});

dax_srcu('on its own, ends each waiter\'s grace period when the last reader that entered before it leaves', () => {
  const s = createActor(daxSrcuMachine).start();
  const send = (type: 'dax_srcu.read_lock' | 'dax_srcu.read_unlock' | 'dax_srcu.synchronize', task: string) => s.send({ type, task });
  send('dax_srcu.read_lock', 'A'); // generation 0
  send('dax_srcu.read_lock', 'A'); // nested: still A's one section
  send('dax_srcu.synchronize', 'B'); // waits for A
  send('dax_srcu.read_lock', 'C'); // generation 1: B does not wait for it
  send('dax_srcu.synchronize', 'D'); // waits for C (and A)
  send('dax_srcu.read_unlock', 'A');
  assert.equal(s.getSnapshot().context.done, [], "A's outer section is still open");
  send('dax_srcu.read_unlock', 'A');
  assert.equal([s.getSnapshot().value, s.getSnapshot().context.done], ['synchronizing', ['B']], 'B may return; D still waits for C');
  send('dax_srcu.read_unlock', 'C');
  assert.equal([s.getSnapshot().value, s.getSnapshot().context.done], ['idle', ['B', 'D']]);
  assert.equal(s.getSnapshot().context.idx, 2, 'srcu_idx flipped at each synchronize_srcu');
});

dax_srcu.run();

const inputs = suite('the machines started on their own');

inputs('each machine that models a kernel object fails loudly without its input, naming the field and an input that works', () => {
  for (const entry of Object.values(OBJECT_MACHINES)) {
    const m = entry.machine;
    const meta = m.root.meta as { input: Record<string, unknown>; example: Record<string, unknown> };
    for (const input of [undefined, { ...meta.example, [Object.keys(meta.input)[0]!]: undefined }]) {
      const errors: unknown[] = [];
      const a = createActor(m, { input } as never);
      a.subscribe({ error: (e) => errors.push(e) });
      a.start();
      assert.is(a.getSnapshot().status, 'error', m.id);
      assert.instance(errors[0], MachineInputError);
      const message = (errors[0] as Error).message;
      assert.ok(message.startsWith(`${m.id}: `), message);
      assert.match(message, input === undefined ? /: expected an input \{/ : new RegExp(`: input\\.${Object.keys(meta.input)[0]}: expected `));
      assert.ok(message.endsWith(`{ input: ${JSON.stringify(meta.example)} })`), message);
    }
    const ok = createActor(m, { input: meta.example } as never).start();
    assert.is(ok.getSnapshot().status, 'active', `${m.id} starts with the example of its message`);
    assert.equal(Object.keys(ok.getSnapshot().context).slice(0, Object.keys(meta.input).length).sort(), Object.keys(meta.input).sort());
  }
});

inputs('a mistyped field is refused with its kind', () => {
  const errors: Error[] = [];
  const a = createActor(daxDeviceMachine, { input: { minor: '3' as unknown as number, private: 'p' } });
  a.subscribe({ error: (e) => errors.push(e as Error) });
  a.start();
  assert.is(errors[0]!.message, 'dax_device: input.minor: expected an integer, found "3"; start it with an input such as createActor(daxDeviceMachine, { input: {"minor":0,"private":"a"} })');
});

inputs.run();

const ida = suite('ida (ida_simple_get / ida_simple_remove)');

ida('gives the lowest free id and -ENOSPC at the bound', () => {
  const i = newIda();
  assert.equal([idaGet(i, 3), idaGet(i, 3), idaGet(i, 3), idaGet(i, 3)], [0, 1, 2, '-ENOSPC']);
  assert.ok(idaRemove(i, 1));
  assert.is(idaGet(i, 3), 1);
});

ida('reuses freed ids lowest first, before never-used ones', () => {
  const i = newIda();
  for (let n = 0; n < 10; n++) idaGet(i, 0);
  for (const n of [7, 2, 5]) idaRemove(i, n);
  assert.equal([idaGet(i, 0), idaGet(i, 0), idaGet(i, 0), idaGet(i, 0)], [2, 5, 7, 10]);
});

ida('refuses to remove an id that is not allocated', () => {
  const i = newIda();
  idaGet(i, 0);
  assert.not.ok(idaRemove(i, 4));
  assert.ok(idaRemove(i, 0));
  assert.not.ok(idaRemove(i, 0));
});

ida('matches a brute-force lowest-free allocator over a long random sequence, and stays plain data', () => {
  const i = newIda();
  const used = new Set<number>();
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let n = 0; n < 5000; n++) {
    if (rand() < 0.6) {
      let want = 0;
      while (used.has(want)) want++;
      const got = idaGet(i, 200);
      if (want >= 200) assert.is(got, '-ENOSPC');
      else {
        assert.is(got, want);
        used.add(want);
      }
    } else if (used.size > 0) {
      const ids = [...used];
      const id = ids[Math.floor(rand() * ids.length)]!;
      used.delete(id);
      assert.ok(idaRemove(i, id));
    }
  }
  assert.equal(JSON.parse(JSON.stringify(i)), i);
  assert.is(idaSize(i), used.size);
});

ida.run();

