// daxsim replay --check and --at (daxlog.md §9), spawned as a user runs them.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [resolve('bin/daxsim.js'), ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const RACE = 'traces/device/race-fault-vs-unregister.jsonl';

const check = suite('replay --check');

check('a log that keeps every invariant replays as without --check', () => {
  const plain = run(['replay', RACE, '--json']);
  const checked = run(['replay', RACE, '--json', '--check']);
  assert.is(checked.code, 0, checked.err);
  assert.is(checked.out, plain.out);
});

check('a broken invariant is reported like a divergence, once, at the step that broke it: exit 1', () => {
  const r = run(['replay', 'traces/errors/region.jsonl', '--check', '--json']);
  assert.is(r.code, 1, r.err);
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as { seq?: number; diverged?: { key: string; expected: string; actual: string }[] });
  const broken = lines.filter((l) => l.diverged?.some((d) => d.key === 'invariant'));
  assert.equal(broken.map((l) => l.seq), [13, 15]);
  assert.equal(broken[0]!.diverged![0], {
    key: 'invariant',
    expected: 'region',
    actual: 'region bus2 was freed while its devm action dax_region_unregister is still registered on bus2 (no unbind yet)',
  });
  const human = run(['replay', 'traces/errors/region.jsonl', '--check']);
  assert.match(human.out, /✗ invariant region broken: region bus2 was freed while its devm action/);
});

check.run();

const at = suite('replay --at');

at('prints every object with its state and context, dax_srcu, the page tables and the blocked tasks after step N', () => {
  const r = run(['replay', RACE, '--at', '6']);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^after step 6 \(line 7\)\n/);
  assert.match(r.out, /dax0\.0\/dax_dev\s+dax_device\s+killing\s+minor=0 private=dax0\.0 alive=false/);
  assert.match(r.out, /v\s+mapping\s+mapped\s+start=0x7effffa00000 end=0x7effffe00000/);
  assert.match(r.out, /page tables\n {2}v {2}PMD 0x7effffc00000-0x7effffe00000 -> 0x100200000 writable/);
  assert.match(r.out, /blocked\n {2}B {2}dev_dax\.unregister \(line 7\), sleeping in synchronize_srcu/);
});

at('--json gives one object: what the viewer shows, for scripts', () => {
  const r = run(['replay', RACE, '--at', '8', '--json']);
  assert.is(r.code, 0, r.err);
  const o = JSON.parse(r.out) as { step: number; objects: { label: string; state: string }[]; page_tables: unknown[]; blocked: unknown[]; dax_srcu: { state: string } };
  assert.is(o.step, 8);
  assert.equal(o.objects.find((x) => x.label === 'dax0.0')!.state, 'unregistered');
  assert.equal(o.page_tables, [], 'the unregister zapped the PMD and the SIGBUS installed nothing');
  assert.equal(o.blocked, []);
  assert.is(o.dax_srcu.state, 'idle');
});

at('an N past the end, or not a step number, is an error with exit 2', () => {
  const past = run(['replay', RACE, '--at', '9']);
  assert.is(past.code, 2);
  assert.match(past.err, /--at 9: the log has 8 steps/);
  assert.is(run(['replay', RACE, '--at', '0']).code, 2);
});

at.run();
