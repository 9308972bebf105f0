// Generated logs (issue 4): thousands of random interleavings of every event type across
// several tasks, each replayed with every invariant of test/invariants.ts checked after every
// step. A failure is shrunk by fast-check and printed as a daxlog that replays it. A model with
// one rule broken on purpose must be caught, and its shrunk log must replay to the same failure.
//
// DAXSIM_SEED=n repeats a run; DAXSIM_RUNS=n changes how many logs the main property makes.
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cmdsArb, configArb } from './arbitraries.ts';
import { checkText, minimise, runGenerated, type Calls, type Checked } from './check.ts';
import { EVENT_TYPES } from '../machines/events.ts';
import { traces } from '../scripts/fuzz.ts';
import { PROGRAM } from '../machines/calls.ts';
import { dax_region_put } from '../machines/device.ts';
import { idaRemove } from '../machines/ida.ts';
import type { Kernel, KernelProgram } from '../machines/kernel.ts';
import type { Ret } from '../machines/outcome.ts';
import { rcu_grace_period } from '../machines/super.ts';

const property = suite('generated logs');
// A fixed seed by default, so that a run is repeatable; DAXSIM_SEED chooses another (the seed
// is printed with every failure).
const SEED = process.env['DAXSIM_SEED'] === undefined ? 20261207 : Number(process.env['DAXSIM_SEED']);
const RUNS = Number(process.env['DAXSIM_RUNS'] ?? 3000);
const MAX_STEPS = 60;

interface Found {
  run: Checked;
  /** Steps of the log fast-check shrank to, before line-by-line minimising. */
  shrunkSteps: number;
  shrinks: number;
  logs: number;
  steps: number;
}

/** Runs the property; the shrunk failing run, or the totals when every log held. */
function explore(numRuns: number, calls?: Calls): Found | { logs: number; steps: number } {
  let logs = 0;
  let steps = 0;
  const prop = fc.property(configArb, cmdsArb(MAX_STEPS), (config, cmds) => {
    const run = runGenerated(config, cmds, calls);
    logs++;
    steps += run.steps;
    return run.error === undefined && run.violation === undefined;
  });
  const details = fc.check(prop, { numRuns, seed: SEED });
  if (!details.failed) return { logs, steps };
  const [config, cmds] = details.counterexample!;
  const shrunk = runGenerated(config, cmds, calls);
  return { run: minimise(shrunk, calls), shrunkSteps: shrunk.steps, shrinks: details.numShrinks, logs, steps };
}

function report(f: Found): string {
  const what = f.run.error ?? `${f.run.violation!.invariant}: ${f.run.violation!.message}`;
  const how = `seed ${SEED}; fast-check shrank it ${f.shrinks} times to ${f.shrunkSteps} steps, then steps were dropped one by one to ${f.run.steps}`;
  return `${what}\n(${how}; this daxlog replays it)\n${f.run.text}`;
}

property(`${RUNS} generated logs replay without a throw or a log error, every invariant holding at every step`, () => {
  const t0 = Date.now();
  const r = explore(RUNS);
  if ('run' in r) assert.unreachable(report(r));
  assert.ok(r.logs >= RUNS, `${r.logs} logs`);
  if (process.env['DAXSIM_STATS'] === '1') console.log(`  ${r.logs} logs, ${r.steps} steps, ${Date.now() - t0} ms, seed ${SEED}`);
});

property('the generated logs reach every event type, blocking and waking, failure injection, oopses and mapped faults', () => {
  const seen = new Set<string>();
  for (const [config, cmds] of fc.sample(fc.tuple(configArb, cmdsArb(MAX_STEPS)), { numRuns: 400, seed: SEED })) {
    runGenerated(config, cmds, undefined, ({ step, out }) => {
      seen.add(step.event.type);
      if (out.blocked) seen.add('blocked');
      for (const w of out.woke ?? []) seen.add(`woke ${w.type}`);
      if (step.event.fail !== undefined) seen.add('fail');
      if (out.oops !== undefined) seen.add('oops');
      if (out.ret === 'VM_FAULT_NOPAGE') seen.add(`${step.event.type} NOPAGE`);
      for (const [size, r] of out.attempts ?? []) seen.add(`${size} ${r}`);
    });
  }
  const wanted = [
    ...EVENT_TYPES, 'blocked', 'woke dax.kill', 'woke dev_dax.unregister', 'woke driver.unbind', 'woke dax_pmem.probe', 'fail', 'oops',
    'vma.access NOPAGE', 'vma.fault NOPAGE', 'PUD VM_FAULT_NOPAGE', 'PMD VM_FAULT_NOPAGE', 'PTE VM_FAULT_NOPAGE', 'PMD VM_FAULT_SIGBUS',
  ];
  assert.equal(wanted.filter((w) => !seen.has(w)), []);
});

property('every golden trace holds the invariants, but those that put a region beyond its own reference', () => {
  // These two logs over-put a region on purpose, to reach the kernel's use-after-free paths.
  const overPut: Record<string, string> = {
    'traces/errors/region.jsonl': 'line 14: region bus2 was freed while its devm action dax_region_unregister is still registered on bus2 (no unbind yet)',
    'traces/errors/oops-midway.jsonl': 'line 11: region bus1 was freed while its dax_region/ sysfs group is still on bus1',
    'traces/regressions/unbind-crashes-midway.jsonl': 'line 6: region bus0 was freed while its devm action dax_region_unregister is still registered on bus0 (no unbind yet)',
  };
  for (const [name, text] of traces()) {
    const c = checkText(text);
    assert.is(c.error, undefined, `${name}: ${c.error}`);
    assert.is(c.violation?.message, overPut[name], `${name}: ${c.violation?.message}`);
  }
});

/**
 * A broken rule must be caught and shrunk to a few steps, none of which can go, and the printed
 * log must replay to the same failure.
 */
function catches(name: string, invariant: string, calls: Calls, maxSteps: number) {
  property(`catches and shrinks a model that ${name}`, () => {
    const r = explore(5000, calls);
    assert.ok('run' in r, `no counterexample in ${r.logs} logs`);
    const f = r as Found;
    assert.is(f.run.error, undefined, f.run.error);
    assert.is(f.run.violation!.invariant, invariant, report(f));
    assert.ok(f.run.steps <= maxSteps, `shrunk to ${f.run.steps} steps:\n${report(f)}`);
    const again = checkText(f.run.text, calls);
    assert.equal(again.violation, f.run.violation, 'the printed daxlog replays to the same failure');
    const ls = f.run.text.trimEnd().split('\n');
    for (let i = 1; i < ls.length; i++) {
      const without = checkText([...ls.slice(0, i), ...ls.slice(i + 1)].join('\n') + '\n', calls);
      assert.is.not(without.violation?.invariant, invariant, `line ${i + 1} of the printed log is not needed:\n${report(f)}`);
    }
    assert.equal(checkText(f.run.text).violation, undefined, 'the true model holds on the same log');
    if (process.env['DAXSIM_STATS'] === '1') console.log(`\n${report(f)}`);
  });
}

/** The model's program with some calls or sleeping functions replaced. */
function broken(calls: Partial<KernelProgram['calls']>, sleepers: KernelProgram['sleepers'] = {}): KernelProgram {
  return { calls: { ...PROGRAM.calls, ...calls } as KernelProgram['calls'], sleepers: { ...PROGRAM.sleepers, ...sleepers } };
}
const run = <T extends keyof KernelProgram['calls']>(t: T) => (PROGRAM.calls[t] as { run: (k: Kernel, e: unknown) => Ret }).run;

// put_dax gives the minor back at once instead of in dax_i_callback after a grace period.
catches('frees the minor before the RCU callback', 'minors', broken({
  'dax.put': {
    run: (k, e) => {
      const b = k.s.handles[e.dax];
      const ret = run('dax.put')(k, e);
      const d = typeof b === 'number' ? k.obj(b, 'dax_device') : undefined;
      if (d !== undefined && d.value === 'destroyed') idaRemove(k.minorsW(), d.context.minor);
      return ret;
    },
  },
}), 6);

// kill_dax stores alive = false and clears private without waiting for the grace period.
catches('kills without waiting for readers', 'kill', broken({}, {
  kill_dax: (k, f) => {
    const dax = f.l['dax'] as number | null;
    if (dax === null || k.obj(dax, 'dax_device').value === 'freed') return { ret: 0 };
    k.send(dax, { type: 'dax.kill' });
    k.send(dax, { type: 'dax.kill_synchronized' });
    return { ret: 0 };
  },
}), 6);

// put_dax runs the RCU callbacks at once: the device is freed with no grace period after its destroy.
catches('frees a dax_device without a grace period', 'free', broken({
  'dax.put': {
    run: (k, e) => {
      const ret = run('dax.put')(k, e);
      rcu_grace_period(k);
      return ret;
    },
  },
}), 6);

// dax_region_put drops two references: the region goes while its devm action still holds one.
catches('puts a region twice', 'region', broken({
  'dax_region.put': {
    run: (k, e) => {
      const b = k.s.handles[e.parent];
      for (let i = 0; i < 2; i++) if (typeof b === 'number' && k.obj(b).value !== 'freed') dax_region_put(k, b);
      return 0;
    },
  },
}), 6);

property.run();
