// daxsim coverage: kernel branches, WARNs, oopses, machine states and transitions.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BRANCH_IDS } from '../machines/branches.ts';
import { daxDeviceMachine } from '../machines/dax_device.ts';
import { devDaxMachine } from '../machines/dev_dax.ts';
import { Coverage, MACHINES, structure } from '../src/coverage.ts';
import { replayText } from '../src/replay.ts';
import { call, daxlog } from './helpers.ts';

const run = (args: string[]) => spawnSync(process.execPath, [resolve('bin/daxsim.js'), ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

function cover(steps: Parameters<typeof daxlog>[0], config?: Record<string, unknown>): Coverage {
  const cov = new Coverage();
  const r = replayText(daxlog(steps, config), 'c.jsonl', { hooks: cov.hooks });
  assert.is(r.error, undefined);
  for (const s of r.results) cov.step(s);
  cov.logs++;
  return cov;
}

const coverage = suite('daxsim coverage');

coverage('the bundled traces reach every kernel branch, machine state and transition', () => {
  const r = run(['coverage', 'traces', '--strict']);
  assert.is(r.status, 0, r.stdout);
  assert.match(r.stdout, new RegExp(`kernel branches: ${BRANCH_IDS.length} of ${BRANCH_IDS.length} reached`));
  for (const m of MACHINES) {
    const { states, transitions } = structure(m);
    assert.match(r.stdout, new RegExp(`machine ${m.id}: states ${states.length} of ${states.length}, transitions ${transitions.length} of ${transitions.length}`));
  }
});

coverage('counts the branches a log takes and lists the ones it misses', () => {
  const cov = cover([call('dax.alloc', { dax: 'a' }), call('dax.put', { dax: 'a' }), call('rcu.grace_period'), call('rcu.grace_period')]);
  assert.is(cov.branches.get('alloc_dax:ok'), 1);
  assert.is(cov.branches.get('dax_destroy_inode:alive_warn_once'), 1);
  assert.is(cov.branches.get('rcu:callbacks'), 1);
  assert.is(cov.branches.get('rcu:no_callbacks'), 1);
  assert.is(cov.branches.get('kill_dax:alive'), 0);
  const report = cov.report();
  assert.match(report, /^1 logs, 4 steps\n/);
  assert.match(report, /\n {7}0 {2}kill_dax:alive +kill_dax of a live device\n/);
  assert.match(report, /WARNs: 1 fired, 1 kinds\n {7}1 {2}kill_dax\(\) must be called before final iput\(\)\n/);
  assert.not.ok(cov.complete);
});

coverage('sees the states and transitions each actor takes', () => {
  const cov = cover([call('dax.alloc', { dax: 'a' }), call('dax.kill', { dax: 'a' }), call('dax.put', { dax: 'a' }), call('rcu.grace_period')]);
  const dev = cov.states.get('dax_device')!;
  assert.equal([...dev.entries()], [['alive', 1], ['killing', 1], ['killed', 1], ['destroyed', 1], ['freed', 1]]);
  assert.is(cov.transitions.get('dax_device: alive --dax.kill--> killing'), 1);
  assert.is(cov.transitions.get('dax_device: killing --dax.kill_synchronized--> killed'), 1);
  assert.is(cov.transitions.get('dax_device: alive --dax.put--> destroyed'), 0);
  assert.is(cov.states.get('dax_srcu')!.get('idle'), 2, 'initially, and after the grace period the kill asked for');
  assert.is(cov.transitions.get('dax_srcu: idle --dax_srcu.synchronize--> idle'), 1);
});

coverage('derives each machine structure from its definition, root transitions as "*"', () => {
  const d = structure(daxDeviceMachine);
  assert.equal(d.states, ['alive', 'killing', 'killed', 'destroyed', 'freed']);
  assert.ok(d.transitions.some((t) => t.from === 'destroyed' && t.event === 'rcu.callback' && t.to === 'freed'));
  const dev = structure(devDaxMachine);
  assert.ok(dev.transitions.some((t) => t.from === '*' && t.event === 'dev_dax.put_device' && t.to === 'released'));
  assert.ok(dev.transitions.some((t) => t.from === '*' && t.event === 'dev_dax.cdev_get' && t.to === '(same)'));
});

coverage('exits 1 under --strict when something is missed, 2 on a log error', () => {
  const partial = run(['coverage', 'traces/core/01-alloc-fresh.jsonl', '--strict']);
  assert.is(partial.status, 1);
  assert.match(partial.stdout, /kernel branches: \d+ of \d+ reached/);
  assert.is(run(['coverage', 'traces/core/01-alloc-fresh.jsonl']).status, 0);
  const bad = run(['coverage', 'test/fixtures/bad-field.jsonl']);
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /bad-field.jsonl:3:39:/);
});

coverage('listening changes no outcome', () => {
  const text = daxlog([call('dax.alloc', { dax: 'a' }), call('dax_srcu.read_lock', {}, 'A'), call('dax.kill', { dax: 'a' }, 'B'), call('dax_srcu.read_unlock', {}, 'A')]);
  const plain = replayText(text).results.map((r) => r.out);
  const cov = new Coverage();
  const watched = replayText(text, 'x', { hooks: cov.hooks }).results.map((r) => r.out);
  assert.equal(watched, plain);
});

coverage.run();
