// Engine bugs that generated logs (test/property.test.ts) and the fuzzer (scripts/fuzz.ts)
// found, each as the shrunk log that showed it, with what the spec says should happen.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { call, outcomes } from './helpers.ts';
import { close, mmap, open, probe, region, unbind } from './fixtures/device/steps.ts';

// ---------------------------------------------------------------------------------------------
const chrdev_open = suite('chrdev_open');

// Found as a log error on a valid generated log: "f3" still names a live file (state closed).
chrdev_open('may reuse the handle of a closed fd: closed is final for its handle (daxlog.md §2)', () => {
  const o = outcomes([probe(), open('f1'), close('f1'), open('f1'), close('f1')]);
  assert.equal(o[3], { ret: 0, state: { f1: 'open' }, log: ['debug: dax dax0.0: dax_open'] });
  assert.equal(o[4]!.state, { f1: 'closed' });
});

chrdev_open('may reuse it while a mapping still holds the closed file, which lives on unnamed', () => {
  const o = outcomes([probe(), open('f1'), mmap('4M'), close('f1'), open('f1'), call('vma.munmap', { vma: 'v1' }), unbind(), close('f1')]);
  assert.equal(o[4]!.state, { f1: 'open' });
  assert.equal(o[5]!.log, ['debug: dax dax0.0: dax_release'], 'the munmap releases the first file');
  assert.equal(o[7]!.state, { f1: 'closed', 'dax0.0': 'released', pfn0: 'freed', 'dax0.0/dax_dev': 'destroyed' });
});

chrdev_open.run();

// ---------------------------------------------------------------------------------------------
const unregister_dev_dax = suite('unregister_dev_dax');

// Found as a crash ("bug: x0 (released) has no transition for dev_dax.device_del"): a direct
// unregister that started while an unbind's unregister of the same device slept. Since daxlog
// v1.1 (ruling 4) the direct call is devm_release_action: the unbind already took the devres
// entry off the list, so the direct call finds none, WARNs and returns at once.
unregister_dev_dax('that starts while an unbind unregisters the device finds no devres entry: a WARN, no second run', () => {
  const o = outcomes([
    call('dax_srcu.read_lock'),
    probe(),
    unbind('pfn0', 'A'),
    call('dev_dax.unregister', { dev: 'dax0.0' }, 'B'),
    call('dax_srcu.read_unlock'),
  ]);
  assert.is(o[2]!.blocked, true);
  assert.is(o[3]!.blocked, undefined);
  assert.is(o[3]!.ret, 0);
  assert.match(o[3]!.warn![0]!, /devm_release_action/);
  assert.equal(o[4]!.woke, [{ task: 'A', type: 'driver.unbind', ret: 0, line: 4 }]);
  assert.equal(o[4]!.state, { 'dax0.0/dax_dev': 'destroyed', 'dax0.0': 'released', pfn0: 'freed' });
});

unregister_dev_dax('a second direct unregister while the first sleeps WARNs and returns; the first finishes alone', () => {
  const o = outcomes([
    probe(),
    open('f1'),
    call('dax_srcu.read_lock'),
    call('dev_dax.unregister', { dev: 'dax0.0' }, 'A'),
    call('dev_dax.unregister', { dev: 'dax0.0' }, 'B'),
    call('dax_srcu.read_unlock'),
  ]);
  assert.is(o[4]!.ret, 0);
  assert.equal(o[4]!.warn!.length, 1);
  assert.equal(o[5]!.woke, [{ task: 'A', type: 'dev_dax.unregister', ret: 0, line: 5 }]);
  assert.equal(o[5]!.state, { 'dax0.0/dax_dev': 'killed', 'dax0.0': 'unregistered' });
});

unregister_dev_dax.run();

// ---------------------------------------------------------------------------------------------
const dev_dax_release = suite('dev_dax_release');

// Found by the fuzzer as crashes ("bug: oops ... after the step changed state", "bug: pfn0
// (freed) has no transition for dax_region.unregister"): puts beyond the caller's own reference
// free an object that a later release still reaches. The kernel crashes there, midway through
// the call; the oops keeps what the call did up to the crash (README, "Readings of the spec").
dev_dax_release('meeting a region an extra dax_region_put freed oopses, after the device was released', () => {
  const o = outcomes([probe(), open('f1'), unbind(), call('dax_region.put', { parent: 'pfn0' }), close('f1')]);
  assert.equal(o[3]!.state, { pfn0: 'freed' });
  assert.equal(o[4], {
    state: { f1: 'closed', 'dax0.0': 'released' },
    log: ['debug: dax dax0.0: dax_release'],
    oops: 'use after free: dax_region_put() on region pfn0, already freed',
  });
});

dev_dax_release('meeting a dax_device the log put itself oopses in put_dax (iput of a cleared inode)', () => {
  const o = outcomes([probe(), call('dax.kill', { dax: 'dax0.0/dax_dev' }), call('dax.put', { dax: 'dax0.0/dax_dev' }), call('dev_dax.unregister', { dev: 'dax0.0' })]);
  assert.equal(o[3]!.state, { 'dax0.0': 'released' });
  assert.match(o[3]!.oops!, /^use after free: put_dax\(\) on dax_device dax0.0\/dax_dev after its final put/);
});

dev_dax_release.run();

// ---------------------------------------------------------------------------------------------
const dax_region_unregister = suite('dax_region_unregister');

dax_region_unregister('on a region that the release of its last device freed (after an extra put) is a use after free', () => {
  const o = outcomes([probe(), call('dax_region.put', { parent: 'pfn0' }), unbind()]);
  assert.equal(o[2]!.state, { 'dax0.0/dax_dev': 'destroyed', 'dax0.0': 'released', pfn0: 'freed' });
  assert.is(o[2]!.oops, 'use after free: dax_region_unregister() on region pfn0, already freed');
});

dax_region_unregister('so does a failed probe that runs it on a region two puts freed in earlier steps', () => {
  const put = call('dax_region.put', { parent: 'pfn0' });
  const o = outcomes([region(), put, put, probe()]);
  assert.equal(o[2]!.state, { pfn0: 'freed' });
  assert.equal(o[3]!.warn, ['dax_pmem pfn0: dax core failed to setup private data']);
  assert.is(o[3]!.oops, 'use after free: dax_region_unregister() on region pfn0, already freed');
});

dax_region_unregister.run();
