// Engine bugs that generated logs (test/property.test.ts) and the fuzzer (scripts/fuzz.ts)
// found, each as the shrunk log that showed it, with what the spec says should happen.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { call, outcomes } from './helpers.ts';
import { close, mmap, open, probe, unbind } from './fixtures/device/steps.ts';

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
