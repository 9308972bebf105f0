// DaxSim, the kernel for embedding (src/embed.ts): every trace and generated log stepped
// through it gives the bytes `daxsim replay --json` gives; snapshots survive JSON and go on
// exactly; misuse throws a DaxSimError that names the field, and changes nothing.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { generatedLogs, parsed, traces as allTraces } from './corpus.ts';
import type { ParsedLog } from '../src/log.ts';
import type { InspectionEvent } from 'xstate';
import { DaxSim, type ConfigInput, type SimEvent, type SimSnapshot, type StepInput } from '../src/embed.ts';
import { DaxSimError } from '../src/errors.ts';
import { stepJson } from '../src/jsonl.ts';
import { replayText } from '../src/replay.ts';

const traces = allTraces();
const generated = generatedLogs(60, 13);

const simOf = (log: ParsedLog) => new DaxSim(log.header.input['config'] as ConfigInput | undefined);

/** The step of a log as one event, its task beside its fields (the kernel actor's form). */
function flat(input: Record<string, unknown>): SimEvent {
  const { event, note: _, ...envelope } = input as { event: Record<string, unknown>; note?: string };
  return { ...event, ...envelope } as SimEvent;
}

const sim = suite('DaxSim');

sim('every trace and 60 generated logs, stepped one step at a time, give the bytes of replay --json', () => {
  let steps = 0;
  for (const [name, text] of [...traces, ...generated]) {
    const want = replayText(text, name).results.map(stepJson);
    const log = parsed(text, name);
    const s = simOf(log);
    const got = log.steps.map((st) => stepJson(s.step(st.input as unknown as StepInput, st.line)));
    assert.equal(got, want, name);
    steps += got.length;
  }
  assert.ok(steps > 2000, `${steps} steps`);
});

sim('the same log sent as events with their task beside their fields gives the same outcomes', () => {
  for (const [name, text] of traces.slice(0, 40)) {
    const want = replayText(text, name).results.map(stepJson);
    const log = parsed(text, name);
    const s = simOf(log);
    assert.equal(log.steps.map((st) => stepJson(s.send({ ...flat(st.input), line: st.line }))), want, name);
  }
});

sim('a step without a line number is on the line after the last step, as in a log with no comments', () => {
  const s = new DaxSim();
  s.send({ type: 'dax.alloc', dax: 'a' });
  s.send({ type: 'dax_srcu.read_lock', task: 'A' });
  assert.equal(s.send({ type: 'dax.kill', dax: 'a', task: 'B' }).out, { state: { a: 'killing' }, blocked: true });
  const woke = s.step({ task: 'A', event: { type: 'dax_srcu.read_unlock' } }).out;
  assert.equal(woke, { ret: 0, state: { a: 'killed' }, woke: [{ task: 'B', type: 'dax.kill', ret: 0, line: 4 }] });
  assert.equal(s.states, { a: 'killed' });
  assert.equal(s.summary(), { steps: 4, diverged: 0, blocked: [] });
  assert.is(s.step('{"event": {"type": "dax.alive", "dax": "a"}}', 9).step.line, 9, 'a line of text, on a line given');
});

sim('integers as numbers, bigints, decimal, hex and unit strings are one value', () => {
  const probe = (start: unknown, size: unknown) =>
    new DaxSim().send({ type: 'dax_pmem.probe', parent: 'pfn0', start, size } as SimEvent).out;
  const want = probe('0x100000000', '4M');
  for (const [start, size] of [[4294967296, 4194304], [0x100000000n, 4n << 20n], ['4294967296', '4096K'], ['4G', '0x400000']]) assert.equal(probe(start, size), want, `${start} ${size}`);
  assert.equal(new DaxSim({ mmap_base: '64G', nr_dax: 300 }).config, { nr_dax: 300, thp: 'always', pud: true, fs_dax: true, mmap_base: '0x1000000000' });
});

sim.run();

const state = suite('DaxSim snapshot, restore, hash');

state('a snapshot at every step survives JSON; a new simulation restored from it goes on byte for byte', () => {
  for (const [name, text] of [...traces.filter((_, i) => i % 4 === 0), ...generated.slice(0, 20)]) {
    const log = parsed(text, name);
    const straight = simOf(log);
    const out = log.steps.map((st) => stepJson(straight.step(st.input as unknown as StepInput, st.line)));
    const s = simOf(log);
    for (const [k, st] of log.steps.entries()) {
      const saved = JSON.parse(JSON.stringify(s.snapshot()));
      const other = new DaxSim();
      other.restore(saved);
      assert.is(other.hash(), s.hash(), `${name} after step ${k}: same hash`);
      assert.is(other.steps, k);
      assert.equal(log.steps.slice(k).map((x) => stepJson(other.step(x.input as unknown as StepInput, x.line))), out.slice(k), `${name} from step ${k + 1}`);
      s.step(st.input as unknown as StepInput, st.line);
    }
    assert.is(s.hash(), straight.hash(), name);
  }
});

state('restore goes back: the same steps again give the same outcomes and the same hash', () => {
  const s = new DaxSim();
  s.send({ type: 'dax.alloc', dax: 'a' });
  const before = s.snapshot();
  const hash = s.hash();
  const first = [s.send({ type: 'dax.kill', dax: 'a' }).out, s.send({ type: 'dax.put', dax: 'a' }).out];
  assert.is.not(s.hash(), hash);
  s.restore(before);
  assert.is(s.hash(), hash);
  assert.equal(s.states, { a: 'alive' });
  assert.equal([s.send({ type: 'dax.kill', dax: 'a' }).out, s.send({ type: 'dax.put', dax: 'a' }).out], first);
  assert.equal(before.state.objects[1]?.value, 'alive', 'the snapshot itself did not change');
});

state('with an inspector, real actors run for every object, and a restore starts them in the restored states', () => {
  const seen: InspectionEvent[] = [];
  const s = new DaxSim({}, { inspect: (e) => seen.push(e) });
  s.send({ type: 'dax.alloc', dax: 'a' });
  s.send({ type: 'dax_srcu.read_lock', task: 'A' });
  s.send({ type: 'dax.kill', dax: 'a', task: 'B' });
  const saved = JSON.parse(JSON.stringify(s.snapshot())) as SimSnapshot;
  s.send({ type: 'dax_srcu.read_unlock', task: 'A' });
  const value = (id: string) =>
    seen.flatMap((e) => (e.type === '@xstate.snapshot' && (e.actorRef as unknown as { id: string }).id === id ? [(e.snapshot as unknown as { value: string }).value] : [])).at(-1);
  assert.equal([value('a'), value('dax_srcu')], ['killed', 'idle']);
  s.restore(saved);
  assert.equal([value('a'), value('dax_srcu')], ['killing', 'synchronizing'], 'new actors, where the snapshot left the objects');
  s.send({ type: 'dax_srcu.read_unlock', task: 'A' });
  assert.equal([value('a'), value('dax_srcu')], ['killed', 'idle'], 'and they go on with the kernel');
});

state.run();

const misuse = suite('DaxSim misuse');

/** The DaxSimError f throws (fails if it throws anything else, or nothing). */
function thrown(f: () => unknown): DaxSimError {
  try {
    f();
  } catch (e) {
    if (e instanceof DaxSimError) return e;
    throw new Error(`expected a DaxSimError, got ${String(e)}`);
  }
  throw new Error('expected a DaxSimError, nothing was thrown');
}

misuse('a bad config is refused with the key, what it takes and what it got', () => {
  assert.is(thrown(() => new DaxSim({ thp: 'sometimes' as 'never' })).message, 'config.thp: expected "always", "madvise" or "never", found "sometimes"');
  assert.is(thrown(() => new DaxSim({ colour: 1 } as ConfigInput)).message, 'config.colour: unknown key; expected one of "nr_dax", "thp", "pud", "fs_dax", "mmap_base"');
  assert.match(thrown(() => new DaxSim('big' as ConfigInput)).message, /^config: expected an object/);
  assert.match(thrown(() => new DaxSim({ mmap_base: -1 })).message, /^config\.mmap_base: expected an unsigned 64-bit integer/);
});

misuse('a step the model cannot run names the step and the field, and changes nothing', () => {
  const s = new DaxSim();
  s.send({ type: 'dax.alloc', dax: 'a' });
  s.send({ type: 'dax_srcu.read_lock', task: 'A' });
  s.send({ type: 'dax.kill', dax: 'a', task: 'B' });
  const hash = s.hash();
  const cases: [() => unknown, string][] = [
    [() => s.send({ type: 'dax.kill', dax: 'b' }), 'step 4: event.dax: no dax_device was created under the handle "b"'],
    [() => s.send({ type: 'dax.kill', dax: 7 } as unknown as SimEvent), 'step 4: event.dax: expected a handle (1 to 64 characters of [A-Za-z0-9_.:/-]), found 7'],
    [() => s.send({ type: 'dax.alive', dax: 'a', task: 'B' }), 'step 4: task "B" is blocked in kill_dax (line 4) and cannot make another call until it is woken'],
    [() => s.send({ type: 'dax.alloc', dax: 'c', fail: ['cdev_device_add'] }), 'step 4: event.fail: this call never reaches the site "cdev_device_add"'],
    [() => s.send({ type: 'vma.fault', vma: 'v', off: 0, size: 'HUGE' } as unknown as SimEvent), 'step 4: event.size: expected "PTE", "PMD", "PUD" or an integer, found "HUGE"'],
    [() => s.send({ type: 'dax.alive', dax: 'a', seq: 9 }), "step 4: seq: expected 4 (this step's position), found 9"],
    [() => s.send({ type: 'dax.alive', dax: 'a', line: 3 }), "step 4: line: expected a line number after 4, the last step's, found 3"],
    [() => s.step(undefined as unknown as StepInput), 'step 4: expected a step {"event": {"type": …}} or its line of text, found undefined'],
    [() => s.step('# a comment'), 'step 4: expected a step {"event": {"type": …}}, found a comment'],
  ];
  for (const [f, message] of cases) {
    assert.is(thrown(f).message, message);
    assert.is(s.hash(), hash, message);
    assert.is(s.steps, 3, message);
  }
  // The fail site case ran alloc_dax before the site was found missing: its minor is free again.
  assert.is(s.send({ type: 'dax.alloc', dax: 'c' }).out.minor, 1);
  const cyclic: Record<string, unknown> = { type: 'dax.alloc' };
  cyclic['dax'] = cyclic;
  assert.match(thrown(() => s.send(cyclic as unknown as SimEvent)).message, /^step 5: step: expected JSON data, found a value JSON cannot hold/);
});

misuse('restore refuses what is not a snapshot, and keeps the state it had', () => {
  const s = new DaxSim();
  s.send({ type: 'dax.alloc', dax: 'a' });
  const good = s.snapshot();
  const hash = s.hash();
  const bad: [unknown, RegExp][] = [
    [42, /^snapshot: expected a snapshot from DaxSim.snapshot\(\), found 42$/],
    [{ ...good, steps: -1 }, /^snapshot\.steps: expected a count, found -1$/],
    [{ ...good, line: 1 }, /^snapshot\.line: expected at least 2/],
    [{ ...good, state: { ...good.state, srcu: null } }, /^snapshot\.state: expected a kernel state from snapshot\(\), found one without a valid srcu$/],
    [{ ...good, state: { ...good.state, objects: { 1: { kind: 'dax_device' } } } }, /^snapshot\.state\.objects\.1: expected an object \{kind, handle, value, context\} of a kernel state, found \{"kind":"dax_device"\}$/],
  ];
  for (const [snap, message] of bad) {
    assert.match(thrown(() => s.restore(snap as typeof good)).message, message);
    assert.is(s.hash(), hash);
  }
  assert.is(s.send({ type: 'dax.kill', dax: 'a' }).out.ret, 0);
});

misuse.run();
