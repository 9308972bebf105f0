// alloc_dax_region, dax_region_put and the sysfs show functions (kernel-semantics.md §1, §2, §6,
// §7; daxlog.md §3). Expected values are derived from the spec, not recorded from the engine.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { call, replay } from './helpers.ts';
import { create, expecting, open, probe, probeR1G, region, run, S, sysfs, unbind } from './fixtures/device/steps.ts';

const SETUP_WARN = 'dax core failed to setup private data';

// ---------------------------------------------------------------------------------------------
const alloc_dax_region = suite('alloc_dax_region');

alloc_dax_region('returns the region (named by its parent) on an aligned range; the region is active', () => {
  const o = run([region(), expecting(sysfs('pfn0/dax_region/id'), { ret: '0\n' })]);
  assert.equal(o[0], { ret: 'pfn0', state: { pfn0: 'active' } });
});

alloc_dax_region('dev_WARNs "dax core failed to setup private data" and returns NULL when the parent already has drvdata', () => {
  const o = run([region(), expecting(region({ id: 7 }), { state: { pfn0: 'active' } }), sysfs('pfn0/dax_region/id')]);
  assert.is(o[1]!.ret, 'NULL');
  assert.is(o[1]!.warn!.length, 1);
  assert.ok(o[1]!.warn![0]!.includes(SETUP_WARN), o[1]!.warn![0]);
  assert.is(o[1]!.minor, undefined);
  assert.is(o[2]!.ret, '0\n', 'the first region keeps the parent');
});

alloc_dax_region('returns NULL silently, before drvdata is set, for a misaligned start or size and when kzalloc fails', () => {
  for (const bad of [region({ start: '0x100100000' }), region({ size: '3M' }), region({ fail: ['kzalloc'] })]) {
    const o = run([expecting(bad, { state: { pfn0: null } }), sysfs('pfn0/dax_region/id'), region()]);
    assert.equal(o[0], { ret: 'NULL', state: {} });
    assert.is(o[1]!.ret, '-ENOENT', 'no sysfs group was created');
    assert.is(o[2]!.ret, 'pfn0');
    assert.is(o[2]!.warn, undefined, 'the parent has no drvdata: no setup WARN');
  }
});

alloc_dax_region('returns NULL when sysfs_create_groups fails; drvdata still points at the freed region, so the next alloc on that parent WARNs', () => {
  const o = run([region({ fail: ['sysfs_create_groups'] }), sysfs('pfn0/dax_region/id'), region()]);
  assert.is(o[0]!.ret, 'NULL');
  assert.is(o[0]!.warn, undefined);
  assert.is(o[1]!.ret, '-ENOENT');
  assert.is(o[2]!.ret, 'NULL');
  assert.is(o[2]!.warn!.length, 1);
  assert.ok(o[2]!.warn![0]!.includes(SETUP_WARN), o[2]!.warn![0]);
});

alloc_dax_region('when devm_add_action fails the action runs at once: NULL, the group is removed and the region leaks unregistered', () => {
  const o = run([
    region({ fail: ['devm_add_action'] }),
    sysfs('pfn0/dax_region/id'),
    expecting(call('rcu.grace_period'), { ret: 0, state: { pfn0: 'unregistered' } }),
  ]);
  assert.equal(o[0], { ret: 'NULL', state: { pfn0: 'unregistered' } });
  assert.is(o[1]!.ret, '-ENOENT');
});

alloc_dax_region('a failure site the call never reaches (it returned NULL at the alignment check) is a log error', () => {
  const r = replay([region({ start: '0x100100000', fail: ['kzalloc'] })]);
  assert.ok(r.error !== undefined, 'kzalloc is never reached');
  assert.match(r.error!.message, /^test\.jsonl:2:\d+: /);
});

alloc_dax_region.run();

// ---------------------------------------------------------------------------------------------
const dax_region_put = suite('dax_region_put');

dax_region_put('frees the region at the last of the caller\'s and the devm reference, in either order', () => {
  run([
    region(),
    expecting(call('dax_region.put', { parent: 'pfn0' }), { ret: 0, state: { pfn0: 'active' } }),
    expecting(unbind(), { ret: 0, state: { pfn0: 'freed' } }),
  ]);
  run([
    region(),
    expecting(unbind(), { ret: 0, state: { pfn0: 'unregistered' } }),
    expecting(call('dax_region.put', { parent: 'pfn0' }), { ret: 0, state: { pfn0: 'freed' } }),
  ]);
});

dax_region_put.run();

// ---------------------------------------------------------------------------------------------
const sysfs_show = suite('sysfs_kf_seq_show');

sysfs_show('region id, size and align show "%d\\n", "%llu\\n" and "%u\\n"; the dev_dax size is its resource size', () => {
  const o = run([
    probe({ id: 3 }),
    sysfs('pfn0/dax_region/id'),
    sysfs('pfn0/dax_region/size'),
    sysfs('pfn0/dax_region/align'),
    sysfs('dax3.0/size'),
  ]);
  assert.equal(o.slice(1).map((x) => x.ret), ['3\n', '4194304\n', '2097152\n', '4194304\n']);
  const g = run([probeR1G(), sysfs('pfn0/dax_region/size'), sysfs('pfn0/dax_region/align'), sysfs('dax0.0/size')]);
  assert.equal(g.slice(1).map((x) => x.ret), ['2147483648\n', '1073741824\n', '2147483648\n']);
});

sysfs_show('the dev_dax size is the sum of its resources; the region size is the whole range', () => {
  const o = run([
    region({ size: '8G' }),
    create([
      { start: S, size: '2M' },
      { start: '0x200000000', size: '4M' },
    ]),
    sysfs('dax0.0/size'),
    sysfs('pfn0/dax_region/size'),
  ]);
  assert.is(o[2]!.ret, '6291456\n');
  assert.is(o[3]!.ret, '8589934592\n');
});

sysfs_show('returns -ENOENT for attributes never created, and for the device attribute once unregister_dev_dax ran', () => {
  const o = run([sysfs('pfn0/dax_region/id'), sysfs('dax0.0/size'), region(), sysfs('dax0.0/size'), sysfs('pfn1/dax_region/align')]);
  assert.equal(
    o.map((x) => x.ret),
    ['-ENOENT', '-ENOENT', 'pfn0', '-ENOENT', '-ENOENT'],
  );
  const u = run([probe(), call('dev_dax.unregister', { dev: 'dax0.0' }), sysfs('dax0.0/size'), sysfs('pfn0/dax_region/id')]);
  assert.equal([u[2]!.ret, u[3]!.ret], ['-ENOENT', '0\n'], 'the region group stays until unbind');
});

sysfs_show('returns -ENOENT after unbind removed the region group and the device, even while a file holds the device', () => {
  const o = run([
    probe(),
    open(),
    expecting(unbind(), { state: { pfn0: 'unregistered', 'dax0.0': 'unregistered' } }),
    sysfs('pfn0/dax_region/id'),
    sysfs('pfn0/dax_region/size'),
    sysfs('pfn0/dax_region/align'),
    sysfs('dax0.0/size'),
  ]);
  assert.equal(o.slice(3).map((x) => x.ret), ['-ENOENT', '-ENOENT', '-ENOENT', '-ENOENT']);
});

sysfs_show.run();
