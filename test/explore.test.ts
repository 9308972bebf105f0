// daxsim explore (daxlog.md §9): the verdict of every shipped scenario, the counterexamples
// replaying exactly, a planted bug found, the reductions sound, and the command spawned.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NO_GRACE_PERIOD } from './planted.ts';
import { SEEDS, expecting, generated } from './scenarios.ts';
import type { KernelProgram } from '../machines/kernel.ts';
import { counterexample } from '../src/cex.ts';
import { explore, randomSearch, type ExploreOptions, type ExploreResult } from '../src/explore.ts';
import { exploreParallel } from '../src/explore_parallel.ts';
import { LogError } from '../src/errors.ts';
import { replayText } from '../src/replay.ts';
import { parseScenario, type Scenario } from '../src/scenario.ts';

const DIR = 'traces/explore';
const scenario = (name: string): Scenario => {
  const s = parseScenario(readFileSync(join(DIR, name), 'utf8'), join(DIR, name));
  if (s instanceof LogError) throw s;
  return s;
};

/** The counterexample of a result replays exactly: no divergence, and its last step shows the violation. */
function replaysExactly(scn: Scenario, r: ExploreResult, program?: KernelProgram): ReturnType<typeof replayText> {
  const text = counterexample(scn, r.violation!, program);
  const rep = replayText(text, 'cex.jsonl', program === undefined ? { check: true } : { program, check: true });
  assert.is(rep.error, undefined, rep.error?.message);
  const lines = text.trim().split('\n');
  assert.match(JSON.parse(lines[0]!).note as string, new RegExp(`^counterexample of daxsim explore: ${r.violation!.kind}: `));
  assert.is(rep.results.length, r.violation!.path.length);
  const diverged = rep.results.filter((x) => x.diverged !== undefined);
  if (r.violation!.kind === 'invariant') {
    // A broken invariant shows as replay --check's divergence at the last step, and only there.
    assert.equal(diverged.map((x) => x.step.seq), [rep.results.length]);
    assert.is(diverged[0]!.diverged![0]!.key, 'invariant');
  } else assert.equal(diverged, [], 'the recorded expects hold');
  return rep;
}

const verdicts = suite('explore: the shipped scenarios');

verdicts('the race 2x2 and 3x2 (kernel-semantics §4): no interleaving oopses, WARNs, deadlocks or breaks an invariant', () => {
  for (const name of ['race-2x2.jsonl', 'race-3x2.jsonl']) {
    const r = explore(scenario(name));
    assert.is(r.verdict, 'no violation', `${name}: ${r.violation?.message}`);
    assert.ok(r.states > 1000 && r.finals > 1, `${name}: ${r.states} states, ${r.finals} finals`);
  }
});

verdicts('a put before the kill is found: the WARN of dax_destroy_inode; --allow-warn accepts it', () => {
  const scn = scenario('put-before-kill.jsonl');
  const r = explore(scn);
  assert.is(r.violation?.kind, 'warn');
  assert.match(r.violation!.message, /kill_dax\(\) must be called before final iput\(\)/);
  const rep = replaysExactly(scn, r);
  assert.equal(rep.results.at(-1)!.out.warn, ['kill_dax() must be called before final iput()']);
  assert.is(explore(scn, { allowWarn: ['before final iput'] }).verdict, 'no violation');
});

verdicts('a double put is found: the second put_dax is a use after free', () => {
  const scn = scenario('double-put.jsonl');
  const r = explore(scn);
  assert.is(r.violation?.kind, 'oops');
  const rep = replaysExactly(scn, r);
  assert.match(rep.results.at(-1)!.out.oops!, /put_dax\(\) on dax_device d after its final put/);
});

verdicts('the sysfs read racing unbind (scenario 52) is found as a deadlock; the replay leaves both tasks asleep', () => {
  const scn = scenario('sysfs-read-vs-unbind.jsonl');
  const r = explore(scn);
  assert.is(r.violation?.kind, 'deadlock');
  const rep = replaysExactly(scn, r);
  assert.equal(rep.summary!.blocked.map((b) => [b.task, b.where]).sort(), [['S', 'device_lock(pfn0)'], ['U', 'kernfs_drain(pfn0/dax_region)']]);
});

verdicts("the seed's NULL return under minor exhaustion is found: the probe's expect fails in the order where the alloc wins", () => {
  const scn = scenario('null-return-minors-exhausted.jsonl');
  const r = explore(scn);
  assert.is(r.violation?.kind, 'expect');
  assert.match(r.violation!.message, /state\.dax0\.0: expected "registered", got null/);
  const rep = replaysExactly(scn, r);
  assert.equal(rep.results.at(-1)!.out.ret, 0, 'the probe "succeeds"');
});

verdicts.run();

const planted = suite('explore: a planted bug');

planted('a kill_dax that skips synchronize_srcu is found in the race: the kill completes while a reader that entered before it is inside', () => {
  const scn = scenario('race-2x2.jsonl');
  const r = explore(scn, { program: NO_GRACE_PERIOD });
  assert.is(r.violation?.kind, 'invariant');
  assert.match(r.violation!.message, /kill: kill_dax of dax0\.0\/dax_dev completed within one step while task F\d was still inside a dax_srcu read section it entered before/);
  replaysExactly(scn, r, NO_GRACE_PERIOD);
  // In the true model the same log cannot get there: the unregister waits for the reader.
  const text = counterexample(scn, r.violation!, NO_GRACE_PERIOD);
  const honest = replayText(text, 'cex.jsonl');
  assert.ok(honest.results.some((x) => x.diverged !== undefined), 'the true model diverges from the counterexample');
});

planted('raising the preemption bound from 0 gives the counterexample with the fewest preemptions, and a shorter one', () => {
  const scn = scenario('race-2x2.jsonl');
  const plain = explore(scn, { program: NO_GRACE_PERIOD });
  let r = explore(scn, { program: NO_GRACE_PERIOD, preemptions: 0 });
  let k = 0;
  while (r.verdict !== 'violation') r = explore(scn, { program: NO_GRACE_PERIOD, preemptions: ++k });
  assert.ok(k <= 1, `found with ${k} preemptions`);
  assert.ok(r.violation!.path.length <= plain.violation!.path.length);
  replaysExactly(scn, r, NO_GRACE_PERIOD);
});

planted('random schedules (PCT) find it too, and the printed seed runs the same schedule again', () => {
  const scn = scenario('race-3x2.jsonl');
  const r = randomSearch(scn, { program: NO_GRACE_PERIOD, runs: 200, seed: 1, depth: 3 });
  assert.is(r.verdict, 'violation');
  const seed = Number(/schedule seed (\d+)/.exec(r.violation!.message)![1]);
  const again = randomSearch(scn, { program: NO_GRACE_PERIOD, runs: 1, seed, depth: 3 });
  assert.equal(again.violation!.path, r.violation!.path);
  assert.is(randomSearch(scn, { runs: 50, seed: 1, depth: 3 }).verdict, 'no violation', 'the true model');
});

planted.run();

const sound = suite('explore: reductions are sound');

/** The verdict, and the distinct final states when the whole space was searched. */
function outcome(scn: Scenario, opts: ExploreOptions): { verdict: string; kind?: string; finals: string[] } {
  const finals: string[] = [];
  const r = explore(scn, { ...opts, onFinal: (h) => finals.push(h) });
  return { verdict: r.verdict, ...(r.violation === undefined ? {} : { kind: r.violation.kind }), finals: r.verdict === 'violation' ? [] : finals.sort() };
}

sound('on every shipped scenario small enough, sleep sets give the verdict and the final states of the plain search', () => {
  const names = readdirSync(DIR).filter((f) => f.endsWith('.jsonl') && !f.includes('.cex.') && !f.includes('4x3'));
  assert.ok(names.length >= 6);
  for (const name of names) {
    const scn = scenario(name);
    const plain = outcome(scn, { reduce: false });
    const reduced = outcome(scn, { reduce: true });
    assert.equal(reduced, plain, name);
  }
  // And on the race with the planted bug, where the violation is found either way.
  const scn = scenario('race-2x2.jsonl');
  assert.equal(outcome(scn, { program: NO_GRACE_PERIOD, reduce: true }).kind, outcome(scn, { program: NO_GRACE_PERIOD, reduce: false }).kind);
});

sound(`on ${SEEDS.length} generated scenarios, with and without expects, sleep sets give the verdict and the final states of the plain search`, () => {
  let pruned = 0;
  for (const seed of SEEDS) {
    for (const scn of [generated(seed), expecting(generated(seed))]) {
      assert.equal(outcome(scn, { reduce: true }), outcome(scn, { reduce: false }), `seed ${seed}`);
      pruned += explore(scn).pruned;
    }
  }
  assert.ok(pruned > 1000, `${pruned} moves pruned`);
});

sound('the reduced search takes fewer transitions to the same states', () => {
  const scn = scenario('race-2x2.jsonl');
  const plain = explore(scn, { reduce: false });
  const reduced = explore(scn);
  assert.is(reduced.states, plain.states);
  assert.ok(reduced.transitions < plain.transitions && reduced.pruned > 0, `${reduced.transitions} vs ${plain.transitions}`);
});

sound.run();

const parallel = suite('explore --workers');

parallel('two workers sharing one visited set reach the verdict and the distinct final states of one', async () => {
  for (const name of ['race-2x2.jsonl', 'race-3x2.jsonl']) {
    const scn = scenario(name);
    const one = explore(scn);
    const two = await exploreParallel(scn, {}, 2);
    assert.is(two.verdict, 'no violation', name);
    assert.is(two.finals, one.finals, name);
    // A state two workers store at the same moment may be counted twice, never missed.
    assert.ok(two.states >= one.states && two.states < one.states * 1.01, `${name}: ${two.states} vs ${one.states}`);
  }
});

parallel('a violation found by either worker stops both, and its counterexample replays exactly', async () => {
  for (const [name, kind] of [['double-put.jsonl', 'oops'], ['sysfs-read-vs-unbind.jsonl', 'deadlock'], ['null-return-minors-exhausted.jsonl', 'expect']] as const) {
    const scn = scenario(name);
    const r = await exploreParallel(scn, {}, 2);
    assert.is(r.violation?.kind, kind, name);
    replaysExactly(scn, r);
  }
});

parallel.run();

const cli = suite('daxsim explore');
const BIN = resolve('bin/daxsim.js');
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

cli('exit 0 and a summary when no violation is found', () => {
  const dir = mkdtempSync(join(tmpdir(), 'daxsim-explore-'));
  const r = run(['explore', join(DIR, 'race-2x2.jsonl'), '-o', join(dir, 'x.cex.jsonl')]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /race-2x2\.jsonl: no violation\n {2}\d+ distinct states, \d+ transitions, \d+ pruned by sleep sets, 0 orders skipped, depth 17, \d+ final states\n {2}[\d.]+ s, \d+ states\/s, peak memory \d+ MB\n$/);
  assert.not.ok(existsSync(join(dir, 'x.cex.jsonl')), 'no counterexample without a violation');
});

cli('exit 1 and a counterexample that daxsim verify verifies and replay shows; --json gives one object', () => {
  const dir = mkdtempSync(join(tmpdir(), 'daxsim-explore-'));
  const cex = join(dir, 'deadlock.cex.jsonl');
  const r = run(['explore', join(DIR, 'sysfs-read-vs-unbind.jsonl'), '-o', cex, '--json']);
  assert.is(r.code, 1, r.err);
  const o = JSON.parse(r.out) as { verdict: string; violation: { kind: string; counterexample: string; steps: number }; states: number; statesPerSecond: number };
  assert.is(o.verdict, 'violation');
  assert.equal([o.violation.kind, o.violation.counterexample, o.violation.steps], ['deadlock', cex, 5]);
  const v = run(['verify', cex]);
  assert.is(v.code, 0, v.out);
  assert.match(v.out, /task S left blocked in sysfs_kf_seq_show/);
  const rep = run(['replay', cex, '--json']);
  const summary = JSON.parse(rep.out.trim().split('\n').at(-1)!) as { summary: { blocked: { task: string }[] } };
  assert.equal(summary.summary.blocked.map((b) => b.task).sort(), ['S', 'U']);
});

cli('--workers 2 runs the search on two threads and says so', () => {
  const r = run(['explore', join(DIR, 'race-2x2.jsonl'), '--workers', '2']);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /no violation\n.*\n {2}[\d.]+ s on 2 workers, /);
  assert.is(run(['explore', join(DIR, 'race-2x2.jsonl'), '--workers', '0']).code, 2);
});

cli('the counterexample goes beside the scenario by default, as SCENARIO.cex.jsonl', () => {
  const dir = mkdtempSync(join(tmpdir(), 'daxsim-explore-'));
  const copy = join(dir, 'double.jsonl');
  spawnSync('cp', [join(DIR, 'double-put.jsonl'), copy]);
  const r = run(['explore', copy]);
  assert.is(r.code, 1, r.err);
  assert.ok(existsSync(join(dir, 'double.cex.jsonl')));
  assert.match(r.out, /counterexample: .*double\.cex\.jsonl \(4 steps\)/);
});

cli('a log error is exit 2 with file:line:column', () => {
  const dir = mkdtempSync(join(tmpdir(), 'daxsim-explore-'));
  const bad = join(dir, 'bad.jsonl');
  spawnSync('sh', ['-c', `printf '{"daxlog":1}\\n{"event":{"type":"dax.kill","dax":"nobody"}}\\n' > ${bad}`]);
  const r = run(['explore', bad]);
  assert.is(r.code, 2);
  assert.match(r.err, /bad\.jsonl:2:\d*:? ?.*no dax_device was created under the handle "nobody"/);
});

cli.run();
