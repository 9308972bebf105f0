// Parent unbind (device_release_driver running the devm actions) and unregister_dev_dax
// (kernel-semantics.md §4 "Ordering inside unregister_dev_dax", §6, scenarios 38, 44, 45, 46).
// Expected values come from the spec and daxlog.md, not from the engine's output.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { call } from './helpers.ts';
import { access, close, create, expecting, fault, mmap, open, probe, region, run, S, sysfs, unbind } from './fixtures/device/steps.ts';

const UNREGISTER = (dev: string) => `debug: dax ${dev}: unregister_dev_dax`;
const unregisterLines = (log: string[] | undefined) => (log ?? []).filter((l) => l.endsWith(': unregister_dev_dax'));
const unregister = (dev = 'dax0.0', task?: string) => call('dev_dax.unregister', { dev }, task);

// ---------------------------------------------------------------------------------------------
const device_release_driver = suite('device_release_driver');

device_release_driver('runs the devm actions last-registered first: the newest dev_dax, the older one, then dax_region_unregister', () => {
  const o = run([
    region(),
    create([{ start: S, size: '2M' }]),
    create([{ start: '0x100200000', size: '2M' }]),
    call('dax_region.put', { parent: 'pfn0' }),
    unbind(),
  ]);
  assert.is(o[4]!.ret, 0);
  assert.equal(unregisterLines(o[4]!.log), [UNREGISTER('dax0.1'), UNREGISTER('dax0.0')]);
  assert.equal(o[4]!.state, {
    'dax0.0': 'released',
    'dax0.0/dax_dev': 'destroyed',
    'dax0.1': 'released',
    'dax0.1/dax_dev': 'destroyed',
    pfn0: 'freed',
  });
  assert.is(o[4]!.warn, undefined, 'both dax_devices were killed before their final put');
});

device_release_driver('with no users (scenario 45): dev_dax released during unbind, region freed, minor freed one grace period later', () => {
  const o = run([
    probe(),
    unbind(),
    expecting(sysfs('pfn0/dax_region/size'), { ret: '-ENOENT' }),
    expecting(open(), { ret: '-ENOENT', state: { f1: null } }),
    call('dax.alloc', { dax: 'd' }),
    call('rcu.grace_period'),
    call('dax.alloc', { dax: 'e' }),
  ]);
  assert.equal(o[1], {
    ret: 0,
    state: { 'dax0.0': 'released', 'dax0.0/dax_dev': 'destroyed', pfn0: 'freed' },
    log: [UNREGISTER('dax0.0')],
  });
  assert.is(o[4]!.ret, 1);
  assert.equal(o[5], { ret: 1, state: { 'dax0.0/dax_dev': 'freed' } });
  assert.is(o[6]!.ret, 0);
});

device_release_driver('with a live fd and faulted mapping (scenario 44): the region outlives unbind and is freed at the munmap', () => {
  const o = run([
    probe(),
    open(),
    mmap('4M'),
    expecting(access('0x0'), { ret: 'VM_FAULT_NOPAGE', map: 'PMD' }),
    unbind(),
    access('0x0'),
    expecting(sysfs('pfn0/dax_region/id'), { ret: '-ENOENT' }),
    expecting(open('f2'), { ret: '-ENOENT' }),
    close(),
    call('vma.munmap', { vma: 'v1' }),
    call('dax.alloc', { dax: 'd1' }),
    call('rcu.grace_period'),
  ]);
  assert.is(o[4]!.ret, 0);
  assert.equal(o[4]!.state, { 'dax0.0': 'unregistered', 'dax0.0/dax_dev': 'killed', pfn0: 'unregistered' });
  assert.equal([o[5]!.ret, o[5]!.attempts], ['VM_FAULT_SIGBUS', [['PMD', 'VM_FAULT_SIGBUS']]]);
  assert.equal(o[8], { ret: 0, state: { f1: 'closed' } }, 'the vma still holds the file');
  assert.equal(o[9]!.state, { v1: 'unmapped', 'dax0.0': 'released', 'dax0.0/dax_dev': 'destroyed', pfn0: 'freed' });
  assert.is(o[9]!.warn, undefined);
  assert.is(o[10]!.ret, 1, 'minor 0 waits for the grace period');
  assert.equal(o[11], { ret: 1, state: { 'dax0.0/dax_dev': 'freed' } });
});

device_release_driver('blocks in kill_dax while a reader holds dax_read_lock, and finishes the teardown at its unlock', () => {
  const o = run([probe(), call('dax_srcu.read_lock', {}, 'A'), unbind('pfn0', 'B'), call('dax_srcu.read_unlock', {}, 'A')]);
  assert.equal(o[2], { state: { 'dax0.0/dax_dev': 'killing' }, log: [UNREGISTER('dax0.0')], blocked: true });
  assert.is(o[3]!.ret, 0);
  assert.equal(o[3]!.woke, [{ task: 'B', type: 'driver.unbind', ret: 0, line: 4 }]);
  assert.equal(o[3]!.state, { 'dax0.0/dax_dev': 'destroyed', 'dax0.0': 'released', pfn0: 'freed' });
});

device_release_driver('of a parent with no driver bound (unbound already, or its probe failed) returns 0 and changes nothing', () => {
  const o = run([probe(), unbind(), unbind()]);
  assert.equal(o[2], { ret: 0, state: {} });
  const f = run([probe({ fail: ['kzalloc'] }), unbind()]);
  assert.equal(f[1], { ret: 0, state: {} });
});

device_release_driver('does not run unregister_dev_dax again for a device unregistered by hand', () => {
  const o = run([probe(), unregister(), unbind()]);
  assert.equal(o[2], { ret: 0, state: { pfn0: 'freed' } });
});

device_release_driver('rebinding (scenario 46): a new region, dev_dax id 0 again, the lowest free minor', () => {
  const o = run([probe(), unbind(), probe(), call('rcu.grace_period'), unbind(), call('rcu.grace_period'), probe()]);
  assert.equal(o[2], { ret: 0, state: { pfn0: 'active', 'dax0.0': 'registered', 'dax0.0/dax_dev': 'alive' }, minor: 1 });
  assert.equal(o[3], { ret: 1, state: { 'dax0.0/dax_dev~1': 'freed' } });
  assert.equal([o[6]!.ret, o[6]!.minor], [0, 0], 'both old minors were freed by the grace periods');
});

device_release_driver.run();

// ---------------------------------------------------------------------------------------------
const unregister_dev_dax = suite('unregister_dev_dax');

unregister_dev_dax('kills the dax_device, zaps the mappings and deletes the node; with a file open the dev_dax stays unregistered', () => {
  const o = run([
    probe(),
    open(),
    mmap('4M'),
    expecting(access('0x0'), { ret: 'VM_FAULT_NOPAGE', map: 'PMD' }),
    unregister(),
    access('0x0'),
    access('0x200000'),
    open('f2'),
    expecting(sysfs('pfn0/dax_region/id'), { ret: '0\n', state: { pfn0: 'active' } }),
  ]);
  assert.is(o[4]!.ret, 0);
  assert.equal(o[4]!.state, { 'dax0.0': 'unregistered', 'dax0.0/dax_dev': 'killed' });
  assert.ok(o[4]!.log!.includes(UNREGISTER('dax0.0')));
  // The PUD slot keeps the PMD table (zapping frees no tables): the PMD attempt sees the kill.
  for (const a of [o[5]!, o[6]!]) {
    assert.is(a.ret, 'VM_FAULT_SIGBUS');
    assert.equal(a.attempts, [['PMD', 'VM_FAULT_SIGBUS']]);
    assert.is(a.map, undefined);
  }
  assert.is(o[7]!.ret, '-ENOENT');
});

unregister_dev_dax('a mapping never touched SIGBUSes at its first PUD attempt, silently (check_vma -ENXIO)', () => {
  const o = run([probe(), open(), mmap('4M'), unregister(), access('0x0')]);
  assert.equal([o[4]!.ret, o[4]!.attempts], ['VM_FAULT_SIGBUS', [['PUD', 'VM_FAULT_SIGBUS']]]);
  assert.equal((o[4]!.log ?? []).filter((l) => l.startsWith('info: ')), []);
});

unregister_dev_dax('the dev_dax is released when the last holder goes: close does nothing while the mapping holds the file, munmap releases', () => {
  const o = run([probe(), open(), mmap('4M'), unregister(), close(), call('vma.munmap', { vma: 'v1' })]);
  assert.equal(o[4], { ret: 0, state: { f1: 'closed' } });
  assert.equal(o[5]!.state, { v1: 'unmapped', 'dax0.0': 'released', 'dax0.0/dax_dev': 'destroyed' });
  assert.is(o[5]!.warn, undefined);
});

unregister_dev_dax('with no users the dev_dax is released at once; the region keeps its devm reference', () => {
  const o = run([probe(), expecting(unregister(), { state: { pfn0: 'active' } }), call('dax.alloc', { dax: 'd' })]);
  assert.equal(o[1], { ret: 0, state: { 'dax0.0': 'released', 'dax0.0/dax_dev': 'destroyed' }, log: [UNREGISTER('dax0.0')] });
  assert.is(o[2]!.ret, 1);
});

unregister_dev_dax('waits for a fault\'s read-side section (scenario 38): the fault maps, the unmap after the kill zaps it', () => {
  const o = run([
    probe(),
    open(),
    mmap('4M'),
    call('dax_srcu.read_lock', {}, 'A'),
    fault('0x0', 'PMD', {}, 'A'),
    unregister('dax0.0', 'B'),
    call('dax.get_private', { dax: 'dax0.0/dax_dev' }, 'A'),
    call('dax_srcu.read_unlock', {}, 'A'),
    access('0x0', {}, 'A'),
  ]);
  assert.is(o[4]!.ret, 'VM_FAULT_NOPAGE');
  assert.equal([o[5]!.blocked, o[5]!.state], [true, { 'dax0.0/dax_dev': 'killing' }]);
  assert.is(o[6]!.ret, 'dax0.0', 'private is cleared only after the grace period');
  assert.equal(o[7]!.woke, [{ task: 'B', type: 'dev_dax.unregister', ret: 0, line: 7 }]);
  assert.equal(o[7]!.state, { 'dax0.0/dax_dev': 'killed', 'dax0.0': 'unregistered' });
  assert.equal([o[8]!.ret, o[8]!.attempts], ['VM_FAULT_SIGBUS', [['PMD', 'VM_FAULT_SIGBUS']]]);
});

unregister_dev_dax.run();
