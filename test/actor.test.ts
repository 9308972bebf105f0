// The kernel as an XState actor (src/actor.ts): created, sent daxlog events and subscribed to
// like any actor; its outcomes are replay's, its snapshots persist and restore, the pure
// transition() agrees with it, and an inspector sees the objects' machines inside it.
import { readFileSync } from 'node:fs';
import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, initialTransition, transition, type InspectionEvent } from 'xstate';
import { daxKernelLogic, type KernelActorEvent, type KernelActorSnapshot } from '../src/actor.ts';
import { DaxSim, type ConfigInput } from '../src/embed.ts';
import { DaxSimError } from '../src/errors.ts';
import { outcomeJson } from '../src/jsonl.ts';
import { parseLog, type ParsedLog } from '../src/log.ts';
import { replayText } from '../src/replay.ts';

const LOGS = [
  'traces/device/race-fault-vs-unregister.jsonl',
  'traces/device/x-11-rebind-with-open-fd.jsonl',
  'traces/srcu/two-killers.jsonl',
  'traces/lifecycle/use-after-free.jsonl',
  'traces/device/44-teardown-live-fd-and-mapping.jsonl',
];

function parsed(file: string): ParsedLog {
  const log = parseLog(readFileSync(file, 'utf8'), file);
  if (log instanceof Error) throw log;
  return log;
}

/** A log's steps as the kernel actor takes them: the event with the step's task, seq and line. */
const events = (log: ParsedLog): KernelActorEvent[] =>
  log.steps.map((st) => ({ ...(st.input['event'] as object), task: st.task, seq: st.seq, line: st.line }) as unknown as KernelActorEvent);

const actor = suite('daxKernelLogic');

actor("each event sent gives replay's outcome; subscribers see one snapshot per step, with the step and every object's state", () => {
  for (const file of LOGS) {
    const log = parsed(file);
    const want = replayText(readFileSync(file, 'utf8'), file).results;
    const kernel = createActor(daxKernelLogic, { input: log.header.input['config'] as ConfigInput }).start();
    const seen: KernelActorSnapshot[] = [];
    kernel.subscribe((s) => seen.push(s));
    const sim = new DaxSim(log.header.input['config'] as ConfigInput);
    for (const [i, e] of events(log).entries()) {
      kernel.send(e);
      sim.send(e);
      const c = kernel.getSnapshot().context;
      assert.is(outcomeJson(c.outcome!), outcomeJson(want[i]!.out), `${file} step ${i + 1}`);
      const st = want[i]!.step;
      assert.equal(c.step, { seq: st.seq, line: st.line, task: st.task, type: st.event.type, kernel: c.step!.kernel });
      assert.equal(c.states, sim.states);
      assert.is(c.steps, i + 1);
    }
    assert.is(seen.length, log.steps.length, 'one snapshot per step');
    assert.is(kernel.getSnapshot().status, 'active');
    kernel.stop();
  }
});

actor('takes the config as its input, with defaults for what it leaves out', () => {
  const k = createActor(daxKernelLogic, { input: { nr_dax: 300, mmap_base: '64G' } }).start();
  assert.equal(k.getSnapshot().context.kernel.config, { nr_dax: 300, thp: 'always', pud: true, fs_dax: true, mmap_base: '0x1000000000' });
  assert.is(createActor(daxKernelLogic).start().getSnapshot().context.kernel.config.nr_dax, 32768);
});

actor("XState's pure transition() gives the snapshots the actor gives", () => {
  const log = parsed(LOGS[0]!);
  const live = createActor(daxKernelLogic).start();
  let [snapshot] = initialTransition(daxKernelLogic, undefined);
  for (const e of events(log)) {
    live.send(e);
    [snapshot] = transition(daxKernelLogic, snapshot, e);
    assert.equal(JSON.stringify(snapshot), JSON.stringify(live.getSnapshot()));
    assert.equal(snapshot.context.kernel, live.getSnapshot().context.kernel);
  }
});

actor('a persisted snapshot survives JSON; an actor restored from it goes on exactly as the original', () => {
  const log = parsed(LOGS[1]!);
  const all = events(log);
  const straight = createActor(daxKernelLogic).start();
  const outs = all.map((e) => (straight.send(e), outcomeJson(straight.getSnapshot().context.outcome!)));
  for (const k of [0, 3, 7, all.length - 1]) {
    const first = createActor(daxKernelLogic).start();
    for (const e of all.slice(0, k)) first.send(e);
    const saved = JSON.parse(JSON.stringify(first.getPersistedSnapshot()));
    const again = createActor(daxKernelLogic, { snapshot: saved }).start();
    assert.equal(again.getSnapshot().context.states, first.getSnapshot().context.states);
    const rest = all.slice(k).map((e) => (again.send(e), outcomeJson(again.getSnapshot().context.outcome!)));
    assert.equal(rest, outs.slice(k), `from step ${k + 1}`);
  }
});

actor("JSON of a snapshot shows the step, the outcome and the states, not the kernel's whole state", () => {
  const k = createActor(daxKernelLogic).start();
  k.send({ type: 'dax.alloc', dax: 'a', task: 'A' });
  assert.equal(JSON.parse(JSON.stringify(k.getSnapshot())), {
    status: 'active',
    context: {
      steps: 1,
      diverged: 0,
      line: 2,
      step: { seq: 1, line: 2, task: 'A', type: 'dax.alloc', kernel: 'alloc_dax' },
      outcome: { ret: 0, state: { a: 'alive' }, minor: 0 },
      divergences: [],
      states: { a: 'alive' },
    },
  });
  assert.ok('objects' in JSON.parse(JSON.stringify(k.getPersistedSnapshot())).context.kernel);
});

actor('an expect the outcome misses is counted and reported, as replay reports it', () => {
  const k = createActor(daxKernelLogic).start();
  k.send({ type: 'dax.alloc', dax: 'a', expect: { ret: 3 } });
  const c = k.getSnapshot().context;
  assert.equal([c.diverged, c.divergences], [1, [{ key: 'ret', expected: 3, actual: 0 }]]);
  k.send({ type: 'dax.alive', dax: 'a', expect: { warn: ['dax_alive'] } });
  assert.equal([k.getSnapshot().context.diverged, k.getSnapshot().context.divergences], [1, []]);
});

actor('a step it cannot run stops it with a DaxSimError for the error observers', () => {
  const k = createActor(daxKernelLogic);
  const errors: unknown[] = [];
  k.subscribe({ error: (e) => errors.push(e) });
  k.start();
  k.send({ type: 'dax.kill', dax: 'nothing', task: 'B' });
  assert.is(k.getSnapshot().status, 'error');
  assert.instance(errors[0], DaxSimError);
  assert.is((errors[0] as Error).message, 'step 1: event.dax: no dax_device was created under the handle "nothing"');
  const bad = createActor(daxKernelLogic, { input: { thp: 'sometimes' as 'never' } });
  bad.subscribe({ error: () => {} });
  bad.start();
  assert.is(bad.getSnapshot().status, 'error');
  assert.is(String((bad.getSnapshot() as { error?: unknown }).error), 'DaxSimError: config.thp: expected "always", "madvise" or "never", found "sometimes"');
});

actor.run();

const inspected = suite('daxKernelLogic inspected');

inspected("an inspect given to createActor sees the kernel's events and every object's machine inside its system", () => {
  const seen: InspectionEvent[] = [];
  const idOf = (e: InspectionEvent) => (e.actorRef as unknown as { id: string }).id;
  const k = createActor(daxKernelLogic, { inspect: (e) => seen.push(e) }).start();
  k.send({ type: 'dax.alloc', dax: 'a' });
  k.send({ type: 'dax_srcu.read_lock', task: 'A' });
  k.send({ type: 'dax.kill', dax: 'a', task: 'B' });
  const actors = seen.filter((e) => e.type === '@xstate.actor').map(idOf);
  assert.equal(actors.slice(1), ['dax_srcu', 'a'], 'the objects after the kernel actor');
  assert.ok(seen.every((e) => e.rootId === k.sessionId), "all in the kernel actor's system");
  const snapshots = seen.flatMap((e) => (e.type === '@xstate.snapshot' ? [{ id: idOf(e), ...(e.snapshot as unknown as { value: string; status: string }) }] : []));
  const states = snapshots.filter((e) => e.id === 'a').map((e) => e.value);
  assert.equal(states, ['alive', 'killing']);
  const kernelEvents = seen.filter((e) => e.type === '@xstate.event' && e.actorRef === k).map((e) => (e as { event: { type: string } }).event.type);
  assert.equal(kernelEvents, ['xstate.init', 'dax.alloc', 'dax_srcu.read_lock', 'dax.kill']);
  k.stop();
  const stopped = seen.flatMap((e) => (e.type === '@xstate.snapshot' && (e.snapshot as { status: string }).status === 'stopped' ? [idOf(e)] : []));
  assert.equal(new Set(stopped), new Set([k.id, 'dax_srcu', 'a']), "stopping the kernel stops the objects' actors");
});

inspected("@statelyai/inspect's own inspector takes the kernel actor and its objects' statecharts", async () => {
  const frames: StatelyInspectionEvent[] = [];
  const inspector = createInspector({ send: (f) => void frames.push(f) });
  const k = createActor(daxKernelLogic, { inspect: inspector.inspect }).start();
  k.send({ type: 'dax.alloc', dax: 'a' });
  k.send({ type: 'dax.kill', dax: 'a' });
  await new Promise((res) => setTimeout(res, 50)); // the library sends on a timer
  const actors = frames.filter((f) => f.type === '@xstate.actor') as (StatelyInspectionEvent & { name: string; definition?: string })[];
  assert.equal(actors.map((a) => a.name).slice(1), ['dax_srcu', 'a'], 'named by their ids, the handles');
  assert.equal(Object.keys(JSON.parse(actors[2]!.definition!).states).sort(), ['alive', 'destroyed', 'freed', 'killed', 'killing'], 'its statechart');
  const events = frames.filter((f) => f.type === '@xstate.event').map((f) => (f as { event: { type: string } }).event.type);
  assert.ok(['dax.alloc', 'dax.kill', 'dax.kill_synchronized'].every((t) => events.includes(t)), events.join(' '));
  k.stop();
});

inspected.run();
