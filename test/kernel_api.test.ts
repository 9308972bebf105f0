// The Kernel class as a program embeds it: built from a partial config with every modelled
// call, without passing the call table by hand.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PROGRAM } from '../machines/calls.ts';
import { EVENT_TYPES } from '../machines/events.ts';
import { DEFAULT_CONFIG, Kernel, initialState } from '../machines/kernel.ts';

const kernel = suite('new Kernel');

kernel('takes the default config and the whole program when given nothing', () => {
  const k = new Kernel();
  assert.is(k.program, PROGRAM);
  assert.is(k.hash(), new Kernel(DEFAULT_CONFIG, PROGRAM).hash());
  for (const t of EVENT_TYPES) assert.ok(t in k.program.calls, t);
});

kernel('fills a partial config with the defaults; undefined keys are defaults too', () => {
  const k = new Kernel({ nr_dax: 300, thp: undefined });
  assert.equal(k.config, { ...initialState(DEFAULT_CONFIG).config, nr_dax: 300 });
  assert.is(k.s.nrDax, 300);
  assert.is(new Kernel({ nr_dax: 3 }).s.nrDax, 256, 'the bound is max(nr_dax, 256)');
});

kernel('runs the device calls without a program passed in: probe, open, mmap, fault', () => {
  const k = new Kernel();
  const probe = k.step('main', { type: 'dax_pmem.probe', parent: 'pfn0', start: 0x100000000n, size: 4n << 20n }, 2);
  assert.is(probe.ret, 0);
  assert.equal(probe.state, { pfn0: 'active', 'dax0.0/dax_dev': 'alive', 'dax0.0': 'registered' });
  assert.is(k.step('A', { type: 'file.open', fd: 'f', dev: 'dax0.0' }, 3).ret, 0);
  const mmap = k.step('A', { type: 'file.mmap', fd: 'f', vma: 'v', len: 4n << 20n, flags: 'MAP_SHARED' }, 4);
  assert.is(mmap.ret, '0x7effffa00000', 'where the race trace maps it');
  assert.equal(k.step('A', { type: 'vma.access', vma: 'v', off: 0n }, 5).attempts, [['PUD', 'VM_FAULT_FALLBACK'], ['PMD', 'VM_FAULT_NOPAGE']]);
});

kernel.run();
