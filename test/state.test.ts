// The kernel's state as a value (machines/state.ts): snapshot, restore, clone and hash. Every
// trace and a hundred generated logs are replayed to every step k, the state is snapshot and
// round-tripped through JSON, a new kernel restores it and goes on: its outcomes must be byte
// for byte those of the straight replay, and the hashes must agree.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { generatedLogs, parsed, traces as allTraces } from './corpus.ts';
import type { ParsedLog } from '../src/log.ts';
import { readFileSync } from 'node:fs';
import { PROGRAM } from '../machines/calls.ts';
import { hash64, hashState } from '../machines/hash.ts';
import { checkState } from '../machines/invariants.ts';
import { Kernel } from '../machines/kernel.ts';
import type { KernelState } from '../machines/state.ts';
import { StepError } from '../machines/outcome.ts';
import { outcomeJson } from '../src/jsonl.ts';

const state = suite('KernelState');
// A kernel function that writes a shared state in place fails where it writes.
state.before(() => void (Kernel.freezeShared = true));
state.after(() => void (Kernel.freezeShared = false));

const traces = allTraces();
const generated = generatedLogs(100, 7);

/** Outcomes of steps from..end on kernel k, as the JSON the replay writes (log errors as text). */
function run(k: Kernel, log: ParsedLog, from: number): string[] {
  const out: string[] = [];
  for (const s of log.steps.slice(from)) {
    try {
      out.push(outcomeJson(k.step(s.task, s.event, s.line)));
    } catch (e) {
      if (!(e instanceof StepError)) throw e;
      out.push(`log error: ${e.reason}`);
      break;
    }
  }
  return out;
}

state('a snapshot at every step survives JSON, and a kernel restored from it goes on exactly as the original', () => {
  let checked = 0;
  for (const [name, text] of [...traces, ...generated]) {
    const log = parsed(text, name);
    const straight = run(new Kernel(log.header.config, PROGRAM), log, 0);
    const k = new Kernel(log.header.config, PROGRAM);
    for (let i = 0; i < log.steps.length && !straight[i]!.startsWith('log error'); i++) {
      const snap = k.snapshot();
      const json = JSON.stringify(snap);
      const back = JSON.parse(json) as KernelState;
      assert.is(hashState(back), k.hash(), `${name} step ${i}: the hash survives JSON`);
      const restored = new Kernel(back, PROGRAM);
      assert.equal(run(restored, log, i), straight.slice(i), `${name}: restored after step ${i}`);
      assert.is(restored.hash(), hashState(JSON.parse(JSON.stringify(restored.s))));
      // The original, which shares its state with the snapshot, goes on unharmed.
      assert.is(JSON.stringify(k.s), json, `${name} step ${i}: the snapshot is a value nobody wrote to`);
      k.step(log.steps[i]!.task, log.steps[i]!.event, log.steps[i]!.line);
      assert.is(JSON.stringify(snap), json, `${name} step ${i}: stepping on did not change the snapshot`);
      checked++;
    }
  }
  assert.ok(checked > 2000, `${checked} snapshots`);
});

state('a clone steps on its own; the original and the clone agree when they take the same steps', () => {
  for (const [name, text] of traces) {
    const log = parsed(text, name);
    const k = new Kernel(log.header.config, PROGRAM);
    const half = Math.floor(log.steps.length / 2);
    run(k, { ...log, steps: log.steps.slice(0, half) }, 0);
    const before = k.hash();
    const c = k.clone();
    const a = run(c, log, half);
    assert.is(k.hash(), before, `${name}: the clone's steps left the original alone`);
    const b = run(k, log, half);
    assert.equal(a, b, name);
    assert.is(c.hash(), k.hash(), name);
  }
});

state('the hash is canonical: the same state built in another order, or read back, hashes the same', () => {
  const one = new Kernel({ nr_dax: 256, thp: 'always', pud: true, fs_dax: true, mmap_base: 0x7f0000000000n }, PROGRAM);
  one.step('main', { type: 'dax.alloc', dax: 'a' }, 2);
  one.step('main', { type: 'dax.alloc', dax: 'b' }, 3);
  const s = one.snapshot();
  const reordered = JSON.parse(JSON.stringify(s), (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
  ) as KernelState;
  assert.is(hashState(reordered), one.hash());
  assert.match(one.hash(), /^[0-9a-f]{16}$/);
  const other = new Kernel(s, PROGRAM);
  other.step('main', { type: 'dax.kill', dax: 'a' }, 4);
  assert.is.not(other.hash(), one.hash(), 'a different state hashes differently');
});

state('a restored kernel keeps blocked tasks as continuations and wakes them', () => {
  const text = readFileSync('traces/srcu/two-killers.jsonl', 'utf8');
  const log = parsed(text, 'two-killers');
  const k = new Kernel(log.header.config, PROGRAM);
  run(k, { ...log, steps: log.steps.slice(0, 5) }, 0);
  const saved = JSON.parse(JSON.stringify(k.snapshot())) as KernelState;
  assert.equal(Object.keys(saved.blocked).sort(), ['K1', 'K2']);
  assert.equal(saved.blocked['K1']!.stack.map((f) => f.fn), ['kill_dax', 'synchronize_srcu']);
  const r = new Kernel(saved, PROGRAM);
  const last = log.steps[5]!;
  const out = r.step(last.task, last.event, last.line);
  assert.equal(out.woke?.map((w) => w.task), ['K1', 'K2']);
});

state('what an explorer keeps of a state it stepped from: hashes kept on shared objects, and the invariants checked from the state before, equal a fresh hash and a full check', () => {
  let compared = 0;
  let broken = 0;
  for (const [name, text] of [...traces, ...generated]) {
    const log = parsed(text, name);
    let k = new Kernel(log.header.config, PROGRAM);
    let prev = k.snapshot();
    hash64(prev, true);
    for (const s of log.steps) {
      const c = k.clone(); // shares prev, as an explorer's successor does
      try {
        c.step(s.task, s.event, s.line);
      } catch (e) {
        if (!(e instanceof StepError)) throw e;
        break;
      }
      const next = c.snapshot();
      const [a, b] = hash64(next, true);
      assert.is(a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0'), hashState(JSON.parse(JSON.stringify(next))), `${name} line ${s.line}: the kept hashes`);
      const full = checkState(next);
      if (full !== undefined) broken++;
      if (checkState(prev) === undefined) {
        assert.equal(checkState(next, prev), full, `${name} line ${s.line}: invariants from the state before`);
        compared++;
      }
      k = c;
      prev = next;
    }
  }
  assert.ok(compared > 2000 && broken > 0, `${compared} states compared, ${broken} breaking an invariant`);
});

state.run();
