// The viewer's model, without a browser: the steps near the cursor replayed from checkpoints
// against a plain replay (every object's state, the kernel's whole state, the page tables with
// what each step installed and zapped, as `replay --at` gives them), the digest that draws the
// timeline, search, and a counterexample's note read back. The command and the page in Chromium
// are test/view.test.ts and test/viewer_page.test.ts.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hashState } from '../machines/hash.ts';
import { labelled, leavesOf, type KernelState } from '../machines/state.ts';
import { pageTableEntry } from '../src/at.ts';
import { violationNote, violationOf } from '../src/cex.ts';
import { isSkipped, splitLines } from '../src/log.ts';
import { Replayer, type StepResult } from '../src/replay.ts';
import { DigestBuilder, FLAG } from '../src/viewer/digest.ts';
import { History, type Origin, type StepLines } from '../src/viewer/history.ts';
import { stepView } from '../src/viewer/model.ts';
import { matches, parseQuery, wordsOf } from '../src/viewer/search.ts';
import { generate } from '../bench/gen.ts';

const RACE = 'traces/device/race-fault-vs-unregister.jsonl';
const LOGS = [RACE, 'traces/device/x-11-rebind-with-open-fd.jsonl', 'traces/srcu/self-deadlock.jsonl', 'traces/lifecycle/use-after-free.jsonl', 'traces/device/44-teardown-live-fd-and-mapping.jsonl'];
const TABLES = [RACE, 'traces/device/x-06-r1g-pud-zap.jsonl', 'traces/device/x-faults-more.jsonl', 'traces/device/22-first-touch-r4k.jsonl', 'traces/device/x-02-thp-madvise-write.jsonl', 'traces/device/37-racing-pte-faults.jsonl', 'traces/device/x-03-munmap-head-tail.jsonl', 'traces/device/54-two-opens-both-zapped.jsonl', 'traces/device/32-partial-munmap-unaligned.jsonl'];

interface Plain {
  results: StepResult[];
  /** The state after each step (a snapshot: later steps copy what they write). */
  states: KernelState[];
  initial: KernelState;
}

/** A plain replay, keeping every state. */
function plain(text: string): Plain {
  const r = new Replayer('log');
  const out: Plain = { results: [], states: [], initial: undefined as unknown as KernelState };
  splitLines(text, (line, n) => {
    const res = r.feed(line, n);
    if (res === undefined) {
      if (r.model !== undefined && out.initial === undefined) out.initial = r.model.snapshot();
      return;
    }
    out.results.push(res);
    out.states.push(r.model!.snapshot());
  });
  return out;
}

/** The window of steps from..to of a log, as History takes it; the state before it through JSON, as a page carries it. */
function windowOf(text: string, from: number, to: number, every?: number): History {
  const lines = text.split('\n');
  const header = lines.findIndex((l) => !isSkipped(l));
  const at: number[] = [];
  for (let i = header + 1; i < lines.length; i++) if (!isSkipped(lines[i]!)) at.push(i);
  const steps: StepLines = { count: to - from + 1, text: (i) => lines[at[from - 1 + i]!]!, line: (i) => at[from - 1 + i]! + 1 };
  const origin: Origin = { file: 'log', header: { text: lines[header]!, line: header + 1 }, before: from - 1 };
  if (from > 1) origin.state = JSON.parse(JSON.stringify(plain(text).states[from - 2])) as KernelState;
  return new History(origin, steps, every);
}

/** Step indices in an order that goes forwards, backwards and jumps. */
function tour(n: number): number[] {
  const out = [...Array(n).keys()];
  for (let i = n - 1; i >= 0; i -= 3) out.push(i);
  for (let i = 0; i < n; i += 7) out.push(n - 1 - i, i);
  return out;
}

const history = suite('History: the steps near the cursor');

history('at each step, in any order, gives the state a plain replay gives, and the same outcome', () => {
  for (const log of LOGS) {
    const text = readFileSync(log, 'utf8');
    const p = plain(text);
    const h = windowOf(text, 1, p.results.length, 3);
    for (const i of tour(p.results.length)) {
      const at = h.at(i);
      assert.is(hashState(at.after), hashState(p.states[i]), `${log} step ${i + 1}: after`);
      assert.is(hashState(at.before), hashState(i === 0 ? p.initial : p.states[i - 1]), `${log} step ${i + 1}: before`);
      assert.equal(at.result.out, p.results[i]!.out, `${log} step ${i + 1}: outcome`);
    }
  }
});

history('a window that starts from a saved state goes on as the whole log does; the front replays in slices', () => {
  const text = [...generate({ steps: 3000, devices: 6, access: 0.8, seed: 7 })].join('\n') + '\n';
  const p = plain(text);
  const h = windowOf(text, 1201, 2400, 50);
  assert.is(h.count, 1200);
  let slices = 0;
  while (!h.advance(h.count, () => true)) slices++;
  assert.ok(slices > 10, `the front stops when asked (${slices} slices)`);
  for (const i of [0, 1199, 600, 599, 1, 1000, 49, 50, 51]) {
    const at = h.at(i);
    assert.is(at.result.step.seq, 1201 + i);
    assert.is(hashState(at.after), hashState(p.states[1200 + i]), `step ${1201 + i}`);
  }
  assert.ok(h.cost(1199) <= 50, 'with the front done, no step is more than a checkpoint away');
});

history.run();

const model = suite('stepView');

model('shows, after each step, every object with the state the replay gives it, and marks what the step changed', () => {
  for (const log of LOGS) {
    const text = readFileSync(log, 'utf8');
    const p = plain(text);
    const h = windowOf(text, 1, p.results.length, 4);
    for (const i of tour(p.results.length)) {
      const v = stepView(h.at(i));
      const s = p.states[i]!;
      const want = [{ label: 'dax_srcu', state: s.srcu.value as string }, ...labelled(s).map(([label, o]) => ({ label, state: 'ptr' in o ? o.ptr : o.value }))];
      assert.equal(v.objects.map((o) => ({ label: o.label, state: o.state })), want, `${log} step ${i + 1}`);
      for (const [label, state] of Object.entries(p.results[i]!.out.state)) {
        const row = v.objects.find((o) => o.label === label)!;
        assert.is(row.state, state ?? row.state, `${log} step ${i + 1}: ${label}`);
        assert.ok(v.changed.has(row.key), `${log} step ${i + 1}: ${label} is marked changed`);
      }
    }
  }
});

model('keeps one key per object when its label changes', () => {
  const text = readFileSync('traces/device/x-11-rebind-with-open-fd.jsonl', 'utf8');
  const h = windowOf(text, 1, plain(text).results.length);
  const views = [...Array(h.count).keys()].map((i) => stepView(h.at(i)));
  const renamed = views.flatMap((v) => v.objects).filter((o) => o.label.endsWith('~1'));
  assert.ok(renamed.length > 0, 'the trace displaces a handle');
  const labels = new Set(views.flatMap((v) => v.objects).filter((o) => o.key === renamed[0]!.key).map((o) => o.label));
  assert.is(labels.size, 2, `one object, two labels: ${[...labels].join(', ')}`);
});

model('page tables: what is present after each step is what replay --at lists; installs and zaps are the entries that came and went', () => {
  const key = (e: object) => JSON.stringify(e);
  let installs = 0;
  let zaps = 0;
  const generated = [...generate({ steps: 500, devices: 3, access: 0.7, seed: 3 })].join('\n') + '\n';
  for (const log of [...TABLES, 'generated']) {
    const text = log === 'generated' ? generated : readFileSync(log, 'utf8');
    const p = plain(text);
    const h = windowOf(text, 1, p.results.length, 5);
    for (const i of tour(p.results.length)) {
      const pt = stepView(h.at(i)).pages;
      const after = p.states[i]!;
      const before = i === 0 ? p.initial : p.states[i - 1]!;
      const shown = pt.vmas.flatMap((g) => g.present.map((l) => key(pageTableEntry(after, l))));
      assert.equal(shown.sort(), leavesOf(after).map((l) => key(pageTableEntry(after, l))).sort(), `${log} step ${i + 1}: present`);
      const was = new Set(leavesOf(before).map((l) => key(pageTableEntry(before, l))));
      const now = new Set(leavesOf(after).map((l) => key(pageTableEntry(after, l))));
      const zapped = pt.vmas.flatMap((g) => g.zapped.map((l) => key(pageTableEntry(before, l))));
      const installed = pt.vmas.flatMap((g) => [...g.installed].map((l) => key(pageTableEntry(after, l))));
      assert.equal(zapped.sort(), [...was].filter((e) => !now.has(e)).sort(), `${log} step ${i + 1}: zapped`);
      for (const e of now) if (!was.has(e)) assert.ok(installed.includes(e), `${log} step ${i + 1}: ${e} is marked installed`);
      for (const e of installed) assert.ok(now.has(e), `${log} step ${i + 1}: an installed entry is present`);
      installs += installed.length;
      zaps += zapped.length;
    }
  }
  assert.ok(installs > 300 && zaps > 20, `the traces install (${installs}) and zap (${zaps})`);
});

model.run();

const digest = suite('the digest of a window');

/** The digest of steps from..to of a log. */
function digestOf(text: string, from: number, to: number) {
  const b = new DigestBuilder(from, to);
  for (const r of plain(text).results) b.add(r);
  return b.digest;
}

digest('names the call a step wakes, draws each sleep from its call to its waking, and flags outcomes', () => {
  const d = digestOf(readFileSync(RACE, 'utf8'), 1, 8);
  assert.equal(d.tasks, ['main', 'A', 'B']);
  assert.equal(d.woke, [[6, [{ task: 'B', line: 7, call: 'unregister_dev_dax(dev=dax0.0)', result: '= 0' }]]]);
  assert.equal(d.sleeps, [{ task: 'B', line: 7, call: 'unregister_dev_dax(dev=dax0.0)', from: 5, until: 6 }]);
  assert.equal(d.results[d.result[7]!], '= "VM_FAULT_SIGBUS"');
  assert.is(d.flags[7], FLAG.error | FLAG.sigbus);
  assert.is(d.flags[5], FLAG.blocked);
  assert.is(d.flags[6], FLAG.woke);
});

digest('a window that opens while a task sleeps starts its bar before the first row; one that ends first leaves it open', () => {
  const text = readFileSync(RACE, 'utf8');
  assert.equal(digestOf(text, 7, 8).sleeps, [{ task: 'B', line: 7, call: 'unregister_dev_dax(dev=dax0.0)', from: -1, until: 0 }]);
  assert.equal(digestOf(text, 7, 8).tasks, ['B', 'A'], 'the sleeping task has its lane');
  assert.equal(digestOf(text, 2, 6).sleeps, [{ task: 'B', line: 7, call: 'unregister_dev_dax(dev=dax0.0)', from: 4, until: null }]);
  const oops = digestOf(readFileSync('traces/lifecycle/use-after-free.jsonl', 'utf8'), 1, 4);
  assert.ok(oops.flags.some((f) => (f & FLAG.oops) !== 0), 'an oops is flagged');
});

digest.run();

const search = suite('search');

const words = wordsOf({ task: 'B', event: { type: 'dev_dax.unregister', dev: 'dax0.0' }, result: '= "VM_FAULT_SIGBUS"', flags: FLAG.error | FLAG.sigbus | FLAG.woke, woke: [{ task: 'C', line: 4, call: 'kill_dax(dax=a)', result: '= 0' }] });
const hit = (q: string) => matches(words, parseQuery(q)!);

search('a word matches a task, a kernel function, an event type, a handle, a return or an outcome, case aside', () => {
  for (const q of ['B', 'b', 'unregister_dev_dax', 'dev_dax.unregister', 'dax0.0', 'VM_FAULT_SIGBUS', 'SIGBUS', 'sigbus', 'error', 'woke', 'C', 'kill_dax']) assert.ok(hit(q), q);
  for (const q of ['A', 'dax0', 'oops', 'warn', 'blocked', 'diverged', 'ok']) assert.not.ok(hit(q), q);
});

search('every word must match; field:word says what it is; word* is a prefix; a colon of a handle is its own', () => {
  assert.ok(hit('task:B fn:unregister_dev_dax handle:dax0.0 is:sigbus ret:vm_fault_sigbus woke:C'));
  assert.not.ok(hit('task:C'), 'C is woken, not the task');
  assert.not.ok(hit('B oops'));
  assert.ok(hit('dax0*') && hit('dev:dax*') && !hit('fd:dax*'));
  const colon = wordsOf({ task: 'main', event: { type: 'dax.alloc', dax: 'a:b' }, result: '= 0', flags: 0 });
  assert.ok(matches(colon, parseQuery('a:b')!) && matches(colon, parseQuery('dax:a:b')!) && matches(colon, parseQuery('is:ok')!));
  assert.is(parseQuery('   '), undefined);
});

search.run();

const cex = suite('a counterexample\'s note');

cex('reads back the violation it names, with its step', () => {
  const v = { kind: 'expect', message: 'line 10: ret: expected 0, got "VM_FAULT_SIGBUS", and more, at step 9', step: 10 };
  assert.equal(violationOf(violationNote(v, 10)), v);
  assert.equal(violationOf(violationNote({ kind: 'deadlock', message: 'no step ran' })), { kind: 'deadlock', message: 'no step ran' });
  assert.is(violationOf('a plain note'), undefined);
  assert.is(violationOf(undefined), undefined);
});

cex.run();
