// One test per ruling of daxlog v1.1 (docs/daxlog.md §8), numbered as the spec numbers them.
// Each replays the smallest log that shows the ruling and checks the outcome it prescribes. Some
// rulings have a fuller suite elsewhere (named in the test); this file is the index.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { atReport } from '../src/at.ts';
import { Replayer } from '../src/replay.ts';
import { call, daxlog, replay, type StepInput } from './helpers.ts';
import type { Outcome } from '../machines/outcome.ts';

const ruling = suite('daxlog v1.1 rulings');

const PROBE = { parent: 'pfn0', start: '0x100000000', size: '4M' };
const probe = (extra: Record<string, unknown> = {}) => call('dax_pmem.probe', { ...PROBE, ...extra });

/** Replays steps, asserts no log error and no divergence from their expects, returns the outcomes. */
function holds(steps: StepInput[], config?: Record<string, unknown>): Outcome[] {
  const r = replay(steps, config);
  assert.is(r.error, undefined, r.error?.message);
  const bad = r.results.filter((x) => x.diverged !== undefined).map((x) => `line ${x.step.line}: ${JSON.stringify(x.diverged)}`);
  assert.equal(bad, []);
  return r.results.map((x) => x.out);
}

/** The log error a replay of steps stops at. */
function logError(steps: StepInput[]): string {
  const r = replay(steps);
  assert.ok(r.error !== undefined, 'a log error');
  return r.error!.message;
}

/** The `replay --at` report after the last step. */
function after(steps: StepInput[]) {
  const rp = new Replayer('test.jsonl');
  const lines = daxlog(steps).trimEnd().split('\n');
  lines.forEach((t, i) => rp.feed(t, i + 1));
  return atReport(rp.model!, steps.length, lines.length);
}

const daxsim = (args: string[], input?: string) =>
  spawnSync(process.execPath, [resolve('bin/daxsim.js'), ...args], { encoding: 'utf8', input, env: { ...process.env, NO_COLOR: '1' } });

ruling('1: a creation that fails after its object exists leaves it on its failure path; one that fails earlier leaves null', () => {
  const o = holds([
    { ...probe({ fail: ['cdev_device_add'] }), expect: { state: { 'dax0.0': 'released', 'dax0.0/dax_dev': 'destroyed' } } },
    { event: { type: 'dax_pmem.probe', parent: 'pfn1', start: '0x200000000', size: '4M', fail: ['kzalloc'] }, expect: { ret: '-ENOMEM', state: { 'dax1.0': null } } },
    // The failed probe's dax_device is destroyed, its RCU callback pending: minor 0 is still taken.
    { event: { type: 'dax.alloc', dax: 'a' }, expect: { ret: 1, minor: 1, state: { a: 'alive' } } },
  ]);
  assert.is(o[0]!.minor, 0, 'the failed probe still reports the minor its dax_device took');
  assert.is(o[1]!.minor, undefined, 'no dax_device was made');
});

ruling('2: a forced name may be reused while the old object is unregistered but held; the old one becomes <handle>~1', () => {
  holds([
    probe(),
    call('file.open', { fd: 'f', dev: 'dax0.0' }),
    { ...call('driver.unbind', { parent: 'pfn0' }), expect: { state: { 'dax0.0': 'unregistered', pfn0: 'unregistered' } } },
    { ...probe(), expect: { ret: 0, state: { 'dax0.0': 'registered', 'dax0.0~1': 'unregistered', 'pfn0~1': 'unregistered', pfn0: 'active' } } },
  ]);
  // A handle whose object is live, not forced by the kernel's naming, may not be reused.
  assert.match(logError([call('dax.alloc', { dax: 'a' }), call('dax.alloc', { dax: 'a' })]), /a/);
});

ruling('3: expect.state compares states as exact strings; <handle>~n is listed like any handle', () => {
  // A spelling that names no state is an expectation like any other: it diverges, showing the real one.
  const r = replay([{ ...call('dax.alloc', { dax: 'a' }), expect: { state: { a: 'Alive' } } }, { ...call('dax.kill', { dax: 'a' }), expect: { state: { a: 'kill' } } }]);
  assert.is(r.error, undefined);
  assert.equal(r.results.map((x) => x.diverged), [[{ key: 'state.a', expected: 'Alive', actual: 'alive' }], [{ key: 'state.a', expected: 'kill', actual: 'killed' }]]);
  const held = replay([probe(), call('file.open', { fd: 'f', dev: 'dax0.0' }), call('driver.unbind', { parent: 'pfn0' }), { ...probe(), expect: { state: { 'dax0.0~1': 'registered' } } }]);
  assert.equal(held.results[3]!.diverged, [{ key: 'state.dax0.0~1', expected: 'registered', actual: 'unregistered' }]);
});

ruling('4: dev_dax.unregister is devm_release_action: a second one WARNs and returns 0; on a released dev_dax it is a use after free', () => {
  const o = holds([
    probe(),
    call('file.open', { fd: 'f', dev: 'dax0.0' }),
    { ...call('dev_dax.unregister', { dev: 'dax0.0' }), expect: { ret: 0, state: { 'dax0.0': 'unregistered' } } },
    { ...call('dev_dax.unregister', { dev: 'dax0.0' }), expect: { ret: 0, state: {} } },
    // The unbind does not run the action again: the entry left the list with the first call.
    { ...call('driver.unbind', { parent: 'pfn0' }), expect: { ret: 0, state: { pfn0: 'unregistered' }, log: [] } },
    { ...call('file.close', { fd: 'f' }), expect: { state: { 'dax0.0': 'released' } } },
    { ...call('dev_dax.unregister', { dev: 'dax0.0' }), expect: { oops: 'use after free: devm_release_action() on dax0.0, already released' } },
  ]);
  assert.is(o[3]!.warn?.length, 1);
  assert.match(o[3]!.warn![0]!, /devm_release_action/);
});

ruling('5: a destroyed dax_device is still memory; a second put and every call on a freed one are oopses', () => {
  holds([
    call('dax.alloc', { dax: 'a' }),
    { ...call('dax.put', { dax: 'a' }), expect: { ret: 0, state: { a: 'destroyed' }, warn: ['kill_dax() must be called before final iput()'] } },
    { ...call('dax.kill', { dax: 'a' }), expect: { ret: 0, state: {}, warn: [], log: [] } },
    { task: 'A', event: { type: 'dax_srcu.read_lock' } },
    { task: 'A', ...call('dax.alive', { dax: 'a' }), expect: { ret: false, state: {}, warn: [] } },
    { task: 'A', ...call('dax.get_private', { dax: 'a' }), expect: { ret: null, state: {} } },
    { task: 'A', event: { type: 'dax_srcu.read_unlock' } },
    { ...call('dax.put', { dax: 'a' }), expect: { oops: 'use after free: put_dax() on dax_device a after its final put (kernel BUG in iput: the inode is already cleared)' } },
    { ...call('rcu.grace_period'), expect: { state: { a: 'freed' } } },
    { ...call('dax.kill', { dax: 'a' }), expect: { oops: 'use after free: kill_dax() on dax_device a, already freed by its RCU callback' } },
  ]);
});

ruling('6: "fail": ["alloc_dax"] on dax.alloc returns NULL, takes no minor and leaves the handle null; a site never reached is a log error', () => {
  const o = holds([
    { event: { type: 'dax.alloc', dax: 'a', fail: ['alloc_dax'] }, expect: { ret: 'NULL', state: { a: null } } },
    { event: { type: 'dax.alloc', dax: 'b' }, expect: { ret: 0, minor: 0 } },
  ]);
  assert.is(o[0]!.minor, undefined);
  assert.match(logError([{ event: { type: 'dax.alloc', dax: 'a', fail: ['kzalloc'] } }]), /never reaches the site "kzalloc"/);
});

ruling('7: read_lock returns srcu_idx & 1, which flips at every synchronize_srcu, waited for or not', () => {
  holds([
    call('dax.alloc', { dax: 'a' }),
    call('dax.alloc', { dax: 'b' }),
    { task: 'A', ...call('dax_srcu.read_lock'), expect: { ret: 0 } },
    { task: 'A', ...call('dax_srcu.read_unlock'), expect: { ret: 0 } },
    { ...call('dax.kill', { dax: 'a' }), expect: { ret: 0, state: { a: 'killed' } } },
    { task: 'A', ...call('dax_srcu.read_lock'), expect: { ret: 1 } },
    // kill_dax waits for exactly the readers that entered before it: A is one, B (later) is not.
    { task: 'C', ...call('dax.kill', { dax: 'b' }), expect: { blocked: true, state: { b: 'killing' } } },
    { task: 'B', ...call('dax_srcu.read_lock'), expect: { ret: 0 } },
    { task: 'A', ...call('dax_srcu.read_unlock'), expect: { ret: 0, state: { b: 'killed' }, woke: [{ task: 'C', type: 'dax.kill', ret: 0, line: 8 }] } },
  ]);
});

ruling('8: lockdep: alive without the lock WARNs, an unbalanced unlock WARNs and returns 0, a kill in its own read section WARNs and blocks for ever', () => {
  const o = holds([
    call('dax.alloc', { dax: 'a' }),
    { ...call('dax.alive', { dax: 'a' }), expect: { ret: true } },
    { ...call('dax_srcu.read_unlock'), expect: { ret: 0 } },
    call('dax_srcu.read_lock'),
    { ...call('dax.kill', { dax: 'a' }), expect: { blocked: true } },
  ]);
  assert.match(o[1]!.warn![0]!, /lockdep_assert_held/);
  assert.match(o[2]!.warn![0]!, /bad unlock balance/);
  assert.match(o[4]!.warn![0]!, /Illegal synchronize_srcu\(\)/);
  const r = replay([call('dax.alloc', { dax: 'a' }), call('dax_srcu.read_lock'), call('dax.kill', { dax: 'a' })]);
  assert.equal(r.summary!.blocked.map((b) => b.type), ['dax.kill'], 'still blocked at the end');
});

ruling('9: /dev/ and /sys/class/dax/ spellings, -ENOENT for an unknown attribute, a path of neither shape is a log error listing the shapes', () => {
  holds([
    probe(),
    { ...call('file.open', { fd: 'f', dev: '/dev/dax0.0' }), expect: { ret: 0, state: { f: 'open' } } },
    { ...call('sysfs.read', { path: 'pfn0/dax_region/align' }), expect: { ret: '2097152\n' } },
    { ...call('sysfs.read', { path: '/sys/class/dax/dax0.0/size' }), expect: { ret: '4194304\n' } },
    { ...call('sysfs.read', { path: 'dax0.0/nope' }), expect: { ret: '-ENOENT' } },
  ]);
  const e = logError([probe(), call('sysfs.read', { path: 'nothing/here/at/all' })]);
  assert.match(e, /"<parent>\/dax_region\/<attr>", "<dev>\/<attr>" or "\/sys\/class\/dax\/<dev>\/<attr>"/);
});

ruling('10: len rounds up to a page; top-down first fit below mmap_base; a MAP_FIXED that would split a live vma is a log error', () => {
  // dax_get_unmapped_area asks the allocator for len + align and rounds the start up: with a 4K
  // align each mapping sits one page below the top of the gap it was cut from.
  const steps: StepInput[] = [
    probe({ align: '4K' }),
    call('file.open', { fd: 'f', dev: 'dax0.0' }),
    { ...call('file.mmap', { fd: 'f', vma: 'v', len: 1, flags: 'MAP_SHARED' }), expect: { ret: '0x7effffffe000' } },
    { ...call('file.mmap', { fd: 'f', vma: 'w', len: '12K', flags: 'MAP_SHARED' }), expect: { ret: '0x7effffffa000' } },
  ];
  holds(steps);
  const v = after(steps).objects.find((o) => o.label === 'v')!.context!;
  assert.is(BigInt(v['end'] as string) - BigInt(v['start'] as string), 4096n);
  const split = { event: { type: 'file.mmap', fd: 'f', vma: 'x', len: '4K', addr: '0x7effffffb000', flags: 'MAP_SHARED|MAP_FIXED' } };
  assert.match(logError([...steps, split]), /split/);
});

ruling('11: munmap of a whole vma frees its page tables; a partial munmap frees none', () => {
  const steps: StepInput[] = [
    probe(),
    call('file.open', { fd: 'f', dev: 'dax0.0' }),
    call('file.mmap', { fd: 'f', vma: 'v', len: '4M', flags: 'MAP_SHARED' }),
    { ...call('vma.access', { vma: 'v', off: 0 }), expect: { map: 'PMD' } },
    { ...call('vma.access', { vma: 'v', off: '2M' }), expect: { map: 'PMD' } },
  ];
  assert.is(after(steps).page_tables.length, 2);
  const cut = [...steps, { ...call('vma.munmap', { vma: 'v', off: '2M', len: '2M' }), expect: { ret: 0, state: {} } }];
  holds(cut);
  const left = after(cut).page_tables;
  assert.is(left.length, 1, 'the entry under the cut is cleared, the other stays');
  assert.is(left[0]!.phys, '0x100000000');
  assert.equal(after([...cut, call('vma.munmap', { vma: 'v' })]).page_tables, []);
});

ruling('12: a write to a huge entry a read installed faults again (write-protect) and reports that fault', () => {
  holds([
    probe(),
    call('file.open', { fd: 'f', dev: 'dax0.0' }),
    call('file.mmap', { fd: 'f', vma: 'v', len: '4M', flags: 'MAP_SHARED' }),
    { ...call('vma.access', { vma: 'v', off: 0 }), expect: { attempts: [['PUD', 'VM_FAULT_FALLBACK'], ['PMD', 'VM_FAULT_NOPAGE']] } },
    { ...call('vma.access', { vma: 'v', off: 16, write: true }), expect: { ret: 'VM_FAULT_NOPAGE', attempts: [['PMD', 'VM_FAULT_NOPAGE']] } },
    { ...call('vma.access', { vma: 'v', off: 32, write: true }), expect: { attempts: [] } },
  ]);
});

ruling('13: woke lists calls in the order their tasks went to sleep, each with the line of its step', () => {
  holds([
    call('dax.alloc', { dax: 'a' }),
    { task: 'A', event: { type: 'dax_srcu.read_lock' } },
    { task: 'C', ...call('dax.kill', { dax: 'a' }) },
    { task: 'B', ...call('dax.kill', { dax: 'a' }) },
    {
      task: 'A',
      ...call('dax_srcu.read_unlock'),
      expect: { woke: [{ task: 'C', type: 'dax.kill', ret: 0, line: 4 }, { task: 'B', type: 'dax.kill', ret: 0, line: 5 }] },
    },
  ]);
});

ruling('14: an oops leaves the model as it was, except a crash met midway, which keeps what the call did (fuller: traces/errors/oops-midway.jsonl)', () => {
  holds([
    call('dax.alloc', { dax: 'a' }),
    call('dax.kill', { dax: 'a' }),
    call('dax.put', { dax: 'a' }),
    { ...call('dax.put', { dax: 'a' }), expect: { oops: 'use after free: put_dax() on dax_device a after its final put (kernel BUG in iput: the inode is already cleared)', state: {} } },
    { ...call('rcu.grace_period'), expect: { ret: 1, state: { a: 'freed' } }, note: 'the oops changed nothing: the callback is still pending' },
  ]);
  // Midway: the region over-put, then unbind runs unregister_dev_dax before dev_dax_release's put crashes.
  const o = holds([
    call('dax_region.alloc', { parent: 'bus1', id: 1, start: '0x200000000', size: '4M', align: '2M' }),
    call('dev_dax.create', { parent: 'bus1', res: [{ start: '0x200000000', size: '4M' }] }),
    call('dax_region.put', { parent: 'bus1' }),
    call('dax_region.put', { parent: 'bus1' }),
    { ...call('driver.unbind', { parent: 'bus1' }), expect: { state: { 'dax1.0': 'released', 'dax1.0/dax_dev': 'destroyed', bus1: 'freed' } } },
  ]);
  assert.match(o[4]!.oops!, /use after free: dax_region_unregister\(\) on region bus1/);
});

ruling('15: a key written twice is a log error at the second key (fuller: test/hostile.test.ts)', () => {
  const r = replay([]);
  assert.is(r.error, undefined);
  const bad = daxsim(['replay', '-'], '{"daxlog": 1, "daxlog": 1}\n');
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /^daxsim: -:1:15: /);
  assert.match(bad.stderr, /"daxlog"/);
});

ruling('16: replay --json ends with one summary line naming the tasks left blocked', () => {
  const text = daxlog([call('dax.alloc', { dax: 'a' }), { task: 'A', event: { type: 'dax_srcu.read_lock' } }, { task: 'B', ...call('dax.kill', { dax: 'a' }) }]);
  const r = daxsim(['replay', '--json', '-'], text);
  assert.is(r.status, 0);
  const last = JSON.parse(r.stdout.trimEnd().split('\n').at(-1)!);
  assert.equal(last, { summary: { steps: 3, diverged: 0, blocked: [{ task: 'B', type: 'dax.kill', line: 4 }] } });
});

ruling('17: -o refuses the log being read (here on standard input) and leaves it as it was (fuller: test/hostile.test.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'daxsim-ruling17-'));
  const log = join(dir, 'x.jsonl');
  const text = daxlog([call('dax.alloc', { dax: 'a' })]);
  writeFileSync(log, text);
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${resolve('bin/daxsim.js')}" record - -o "${log}" < "${log}"`], { encoding: 'utf8' });
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /x\.jsonl/);
  assert.is(readFileSync(log, 'utf8'), text);
});

ruling('18: a handle a failed creation left null may still be used, as a program ignoring the error would', () => {
  holds([
    probe(),
    { ...call('file.open', { fd: 'f', dev: 'dax9.9' }), expect: { ret: '-ENOENT', state: { f: null } } },
    { ...call('file.mmap', { fd: 'f', vma: 'v', len: '4K', flags: 'MAP_SHARED' }), expect: { ret: '-EBADF', state: { v: null } } },
    { ...call('vma.access', { vma: 'v', off: 0 }), expect: { ret: 'SIGSEGV' } },
    { ...call('vma.fault', { vma: 'v', off: 0, size: 'PTE' }), expect: { ret: 'SIGSEGV' } },
    { ...call('vma.munmap', { vma: 'v' }), expect: { ret: '-EINVAL' } },
    { ...call('file.close', { fd: 'f' }), expect: { ret: '-EBADF' } },
  ]);
  assert.match(logError([call('file.close', { fd: 'never' })]), /never/);
});

ruling.run();
