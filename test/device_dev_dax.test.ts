// devm_create_dev_dax and dax_pmem_probe: every branch of kernel-semantics.md §7, with the region
// kref accounting of §1 made visible through unbind and close (§6). Expected values come from the
// spec and daxlog.md, not from the engine's output.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { call } from './helpers.ts';
import { access, close, create, expecting, mmap, open, probe, probeR1G, region, run, S, sysfs, unbind } from './fixtures/device/steps.ts';

const WHOLE = [{ start: S, size: '4M' }];
const LOW = [{ start: S, size: '2M' }];
const HIGH = [{ start: '0x100200000', size: '2M' }];
/** 256 dax.alloc steps: with nr_dax 256 every minor is then taken (scenario 7). */
const ALL_MINORS = Array.from({ length: 256 }, (_, i) => call('dax.alloc', { dax: `d${i}` }));

// ---------------------------------------------------------------------------------------------
const devm_create_dev_dax = suite('devm_create_dev_dax');

devm_create_dev_dax('returns dax<region id>.<id> with the lowest free minor; the dev_dax is registered and its dax_device alive', () => {
  const o = run([region(), create(WHOLE), expecting(sysfs('dax0.0/size'), { ret: '4194304\n' }), expecting(open(), { ret: 0 })]);
  assert.equal(o[1], { ret: 'dax0.0', state: { 'dax0.0': 'registered', 'dax0.0/dax_dev': 'alive' }, minor: 0 });
});

devm_create_dev_dax('a second device on the region takes the next id and minor (dax0.1); the name carries the region id', () => {
  const o = run([region(), create(LOW), create(HIGH)]);
  assert.equal(o[2], { ret: 'dax0.1', state: { 'dax0.1': 'registered', 'dax0.1/dax_dev': 'alive' }, minor: 1 });
  const r7 = run([region({ id: 7 }), create(WHOLE), expecting(open('f1', 'dax7.0'), { ret: 0 })]);
  assert.is(r7[1]!.ret, 'dax7.0');
});

devm_create_dev_dax('returns -EINVAL when any resource start or size is not a multiple of align; no id or minor is consumed', () => {
  for (const res of [[{ start: '0x100100000', size: '2M' }], [...LOW, { start: '0x100200000', size: '1M' }]]) {
    const o = run([region(), expecting(create(res), { state: { 'dax0.0': null } }), create(WHOLE)]);
    assert.equal(o[1], { ret: '-EINVAL', state: {} });
    assert.equal([o[2]!.ret, o[2]!.minor], ['dax0.0', 0]);
  }
});

devm_create_dev_dax('returns -ENOMEM when kzalloc fails and -ENOSPC when the region IDA fails; nothing is held', () => {
  const o = run([region(), create(WHOLE, { fail: ['kzalloc'] }), create(WHOLE, { fail: ['ida'] }), create(WHOLE)]);
  assert.equal(o[1], { ret: '-ENOMEM', state: {} });
  assert.equal(o[2], { ret: '-ENOSPC', state: {} });
  assert.equal([o[3]!.ret, o[3]!.minor], ['dax0.0', 0]);
});

devm_create_dev_dax('returns NULL (rc never set) when alloc_dax fails; the dev_dax id is given back', () => {
  const o = run([region(), expecting(create(WHOLE, { fail: ['alloc_dax'] }), { state: { 'dax0.0': null } }), create(WHOLE)]);
  assert.is(o[1]!.ret, 'NULL');
  assert.is(o[1]!.minor, undefined);
  assert.is(o[1]!.warn, undefined);
  assert.equal([o[2]!.ret, o[2]!.minor], ['dax0.0', 0]);
});

devm_create_dev_dax('returns NULL when every minor is taken; a minor freed by a grace period is then used', () => {
  const o = run(
    [
      ...ALL_MINORS,
      region(),
      create(WHOLE),
      call('dax.kill', { dax: 'd17' }),
      call('dax.put', { dax: 'd17' }),
      call('rcu.grace_period'),
      create(WHOLE),
    ],
    { nr_dax: 256 },
  );
  assert.is(o[257]!.ret, 'NULL');
  assert.is(o[257]!.minor, undefined);
  assert.equal([o[261]!.ret, o[261]!.minor], ['dax0.0', 17]);
});

devm_create_dev_dax('cdev_device_add failure: -EBUSY after kill_dev_dax and dev_dax_release (id, region ref, put_dax without WARN); the minor waits for a grace period', () => {
  const o = run([
    region(),
    create(WHOLE, { fail: ['cdev_device_add'] }),
    expecting(open(), { ret: '-ENOENT' }),
    call('dax.alloc', { dax: 'd' }),
    call('rcu.grace_period'),
    call('dax.alloc', { dax: 'e' }),
  ]);
  assert.is(o[1]!.ret, '-EBUSY');
  assert.is(o[1]!.minor, 0, 'a dax_device was created');
  assert.is(o[1]!.state['dax0.0/dax_dev'], 'destroyed');
  assert.is(o[1]!.warn, undefined, 'killed before the final put_dax');
  assert.is(o[3]!.ret, 1, 'minor 0 is held until the RCU callback');
  assert.equal(o[4], { ret: 1, state: { 'dax0.0/dax_dev': 'freed' } });
  assert.is(o[5]!.ret, 0);
  // The id and the region reference came back: the next create is dax0.0 again, and after it
  // is gone, the caller's put and unbind are the last two references.
  const r = run([
    region(),
    create(WHOLE, { fail: ['cdev_device_add'] }),
    create(WHOLE),
    call('dev_dax.unregister', { dev: 'dax0.0' }),
    expecting(call('dax_region.put', { parent: 'pfn0' }), { state: { pfn0: 'active' } }),
    expecting(unbind(), { ret: 0, state: { pfn0: 'freed' } }),
  ]);
  assert.equal(r[2], { ret: 'dax0.0', state: { 'dax0.0': 'registered', 'dax0.0/dax_dev': 'alive' }, minor: 1 });
});

devm_create_dev_dax('devm_add_action failure: unregister_dev_dax runs at once (full teardown) and -ENOMEM is returned', () => {
  const o = run([
    region(),
    create(WHOLE, { fail: ['devm_add_action'] }),
    expecting(open(), { ret: '-ENOENT' }),
    expecting(sysfs('dax0.0/size'), { ret: '-ENOENT' }),
    expecting(call('dax_region.put', { parent: 'pfn0' }), { state: { pfn0: 'active' } }),
    unbind(),
  ]);
  assert.is(o[1]!.ret, '-ENOMEM');
  assert.is(o[1]!.minor, 0);
  assert.is(o[1]!.state['dax0.0/dax_dev'], 'destroyed');
  assert.is(o[1]!.warn, undefined);
  assert.ok((o[1]!.log ?? []).includes('debug: dax dax0.0: unregister_dev_dax'), JSON.stringify(o[1]!.log));
  assert.equal(o[5]!.state, { pfn0: 'freed' }, 'only dax_region_unregister was registered');
  assert.is((o[5]!.log ?? []).filter((l) => l.includes('unregister_dev_dax')).length, 0);
});

devm_create_dev_dax('on a parent whose driver was unbound it crashes reading parent->driver, after taking a dev_dax id and a dax_device', () => {
  const o = run([
    region(),
    expecting(unbind(), { state: { pfn0: 'unregistered' } }),
    create(WHOLE),
    expecting(call('dax.alloc', { dax: 'd' }), { ret: 1 }),
    expecting(call('dax_region.put', { parent: 'pfn0' }), { state: { pfn0: 'freed' } }),
  ]);
  assert.match(o[2]!.oops!, /parent->driver->owner/);
  assert.is(o[2]!.ret, undefined);
  assert.equal(o[2]!.state, { 'dax0.0/dax_dev': 'alive' }, 'alloc_dax ran before the crash (daxlog ruling 14)');
  assert.is(o[2]!.minor, 0);
});

devm_create_dev_dax('a kzalloc failure returns -ENOMEM before parent->driver is read (branch 1 comes first)', () => {
  const o = run([region(), unbind(), create(WHOLE, { fail: ['kzalloc'] })]);
  assert.is(o[2]!.ret, '-ENOMEM');
  assert.is(o[2]!.oops, undefined);
});

devm_create_dev_dax('an explicit dev handle names the dev_dax in the log; the kernel name stays dax0.0', () => {
  const o = run([
    region(),
    create(WHOLE, { dev: 'mine' }),
    expecting(sysfs('dax0.0/size'), { ret: '4194304\n' }),
    expecting(open('f1', 'dax0.0'), { ret: 0 }),
    close(),
    call('dev_dax.unregister', { dev: 'mine' }),
  ]);
  assert.equal(o[1], { ret: 'mine', state: { mine: 'registered', 'mine/dax_dev': 'alive' }, minor: 0 });
  assert.equal(o[5]!.state, { mine: 'released', 'mine/dax_dev': 'destroyed' });
});

devm_create_dev_dax('does not check count > 0: a device with no resources has size 0 and its faults SIGBUS', () => {
  const o = run([region(), create([]), sysfs('dax0.0/size'), open(), mmap('2M'), access('0x0')]);
  assert.is(o[1]!.ret, 'dax0.0');
  assert.is(o[2]!.ret, '0\n');
  assert.is(o[4]!.ret, '0x7effffc00000');
  assert.is(o[5]!.ret, 'VM_FAULT_SIGBUS');
});

devm_create_dev_dax.run();

// ---------------------------------------------------------------------------------------------
const dax_pmem_probe = suite('dax_pmem_probe');

dax_pmem_probe('returns 0 with one dev_dax over the whole range: region active, dax0.0 registered, minor 0', () => {
  const o = run([probe()]);
  assert.equal(o[0], { ret: 0, state: { pfn0: 'active', 'dax0.0': 'registered', 'dax0.0/dax_dev': 'alive' }, minor: 0 });
});

dax_pmem_probe('drops its own region reference (kref back to 2): unbind frees the region unless a file still holds the device', () => {
  const o = run([probe(), unbind()]);
  assert.equal(o[1]!.ret, 0);
  assert.equal(o[1]!.state, { pfn0: 'freed', 'dax0.0': 'released', 'dax0.0/dax_dev': 'destroyed' });
  // With a file open, the dev_dax reference keeps the region past unbind until the last close.
  const f = run([probe(), open(), unbind(), close()]);
  assert.equal(f[2]!.state, { pfn0: 'unregistered', 'dax0.0': 'unregistered', 'dax0.0/dax_dev': 'killed' });
  assert.equal(f[3]!.state, { f1: 'closed', pfn0: 'freed', 'dax0.0': 'released', 'dax0.0/dax_dev': 'destroyed' });
});

dax_pmem_probe('takes the region id and align from the caller (align defaults to 2 MiB)', () => {
  const o = run([
    call('dax_pmem.probe', { parent: 'nd4', id: 4, start: S, size: '4M' }),
    sysfs('nd4/dax_region/align'),
    sysfs('nd4/dax_region/id'),
    expecting(open('f1', 'dax4.0'), { ret: 0 }),
  ]);
  assert.equal(o[0], { ret: 0, state: { nd4: 'active', 'dax4.0': 'registered', 'dax4.0/dax_dev': 'alive' }, minor: 0 });
  assert.is(o[1]!.ret, '2097152\n');
  assert.is(o[2]!.ret, '4\n');
  const g = run([probeR1G(), sysfs('dax0.0/size')]);
  assert.equal([g[0]!.ret, g[1]!.ret], [0, '2147483648\n']);
});

dax_pmem_probe('dataoff moves res.start (res.end stays): a 2 MiB device starting at S+2M', () => {
  const o = run([probe({ dataoff: '2M' }), sysfs('pfn0/dax_region/size'), sysfs('dax0.0/size'), open(), mmap('2M'), access('0x10')]);
  assert.is(o[0]!.ret, 0);
  assert.is(o[1]!.ret, '2097152\n');
  assert.is(o[2]!.ret, '2097152\n');
  assert.is(o[4]!.ret, '0x7effffc00000');
  assert.is(o[5]!.phys, '0x100200010');
});

dax_pmem_probe('returns -ENOMEM whenever alloc_dax_region fails: unaligned start after dataoff (no WARN), kzalloc, sysfs_create_groups, devm_add_action', () => {
  const o = run([
    expecting(probe({ dataoff: '1M' }), { state: { pfn0: null, 'dax0.0': null } }),
    expecting(sysfs('pfn0/dax_region/id'), { ret: '-ENOENT' }),
  ]);
  assert.equal([o[0]!.ret, o[0]!.warn, o[0]!.minor], ['-ENOMEM', undefined, undefined]);
  for (const site of ['kzalloc', 'sysfs_create_groups', 'devm_add_action']) {
    const f = run([probe({ fail: [site] }), call('dax.alloc', { dax: 'd' })]);
    assert.is(f[0]!.ret, '-ENOMEM', site);
    assert.is(f[0]!.minor, undefined, site);
    assert.is(f[1]!.ret, 0, `${site}: no minor was taken`);
  }
});

dax_pmem_probe('after a sysfs_create_groups failure the driver core clears drvdata: the next probe succeeds without a WARN', () => {
  const o = run([probe({ fail: ['sysfs_create_groups'] }), probe()]);
  assert.is(o[0]!.ret, '-ENOMEM');
  assert.equal(o[1], { ret: 0, state: { pfn0: 'active', 'dax0.0': 'registered', 'dax0.0/dax_dev': 'alive' }, minor: 0 });
});

dax_pmem_probe('a devm_add_action failure in alloc_dax_region leaks the region: unregistered for ever, group gone', () => {
  const o = run([
    probe({ fail: ['devm_add_action'] }),
    sysfs('pfn0/dax_region/id'),
    expecting(call('rcu.grace_period'), { ret: 0, state: { pfn0: 'unregistered' } }),
  ]);
  assert.is(o[0]!.ret, '-ENOMEM');
  assert.is(o[0]!.state.pfn0, 'unregistered');
  assert.is(o[1]!.ret, '-ENOENT');
});

dax_pmem_probe('returns 0 with no device when the minors run out; the region and its group stay until unbind', () => {
  const o = run(
    [
      ...ALL_MINORS,
      expecting(probe(), { state: { pfn0: 'active', 'dax0.0': null } }),
      sysfs('pfn0/dax_region/id'),
      open(),
      unbind(),
    ],
    { nr_dax: 256 },
  );
  assert.is(o[256]!.ret, 0);
  assert.is(o[256]!.minor, undefined);
  assert.is(o[257]!.ret, '0\n');
  assert.is(o[258]!.ret, '-ENOENT');
  assert.equal(o[259]!.state, { pfn0: 'freed' }, 'kref 2 - probe put - devm put = 0');
});

dax_pmem_probe('a failed probe (-EBUSY, -ENOSPC) returns the errno and releases its devres: region freed, group gone, parent probed again', () => {
  const o = run([
    probe({ fail: ['cdev_device_add'] }),
    expecting(sysfs('pfn0/dax_region/id'), { ret: '-ENOENT' }),
    probe(),
    call('rcu.grace_period'),
  ]);
  assert.is(o[0]!.ret, '-EBUSY');
  assert.is(o[0]!.minor, 0);
  assert.is(o[0]!.state.pfn0, 'freed');
  assert.is(o[0]!.state['dax0.0/dax_dev'], 'destroyed');
  assert.equal([o[2]!.ret, o[2]!.minor], [0, 1]);
  assert.equal(o[3], { ret: 1, state: { 'dax0.0/dax_dev~1': 'freed' } });
  const ida = run([probe({ fail: ['ida'] }), expecting(open(), { ret: '-ENOENT' })]);
  assert.equal([ida[0]!.ret, ida[0]!.minor, ida[0]!.state.pfn0], ['-ENOSPC', undefined, 'freed']);
});

dax_pmem_probe.run();
