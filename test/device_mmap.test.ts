// The file side of device DAX: chrdev_open → dax_open, close (fput → dax_release), mmap with
// dax_get_unmapped_area and dax_mmap's check_vma, and munmap (kernel-semantics.md §5, §8,
// scenarios 12-21, 32, 43; daxlog.md §3 "Processes"). Addresses are worked out by hand from the
// top-down allocator below mmap_base 0x7f0000000000; nothing here is copied from engine output.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { call, replay } from './helpers.ts';
import { access, assertLog, close, create, expecting, logAt, mmap, open, probe, probeR1G, probeR4K, region, run, S, unbind } from './fixtures/device/steps.ts';

const OPENED = [probe(), open()];
const OPENED_R4K = [probeR4K(), open()];
const INFO = (msg: string, comm = 'main') => `info: dax dax0.0: ${comm}: dax_mmap: fail, ${msg}`;
const munmap = (fields: Record<string, unknown> = {}) => call('vma.munmap', { vma: 'v1', ...fields });

// ---------------------------------------------------------------------------------------------
const chrdev_open = suite('chrdev_open');

chrdev_open('returns -ENOENT when no node of that name exists (never created, or deleted)', () => {
  const o = run([
    expecting(open('f1', 'dax0.0'), { state: { f1: null } }),
    probe(),
    expecting(open('f2', 'dax0.1'), { state: { f2: null } }),
  ]);
  assert.is(o[0]!.ret, '-ENOENT');
  assert.is(o[2]!.ret, '-ENOENT');
  // unregister_dev_dax's device_del removes the node even while an older fd keeps the device.
  const u = run([probe(), open('f1'), call('dev_dax.unregister', { dev: 'dax0.0' }), expecting(open('f2'), { state: { f2: null } })]);
  assert.is(u[3]!.ret, '-ENOENT');
});

chrdev_open('opens a registered device: 0 and the file is open; a second open of the node also succeeds', () => {
  const o = run([probe(), open('f1'), open('f2')]);
  assert.equal([o[1]!.ret, o[1]!.state], [0, { f1: 'open' }]);
  assert.equal([o[2]!.ret, o[2]!.state], [0, { f2: 'open' }]);
});

chrdev_open('after dax.kill of the device\'s dax_device the open still returns 0; its mmap oopses on private_data NULL (scenario 43)', () => {
  const o = run([
    probe(),
    call('dax.kill', { dax: 'dax0.0/dax_dev' }),
    open('f2', 'dax0.0', 'P2'),
    expecting(mmap('4M', { fd: 'f2', vma: 'v2' }, 'P2'), { state: { v2: null, f2: 'open' } }),
  ]);
  assert.equal([o[2]!.ret, o[2]!.state], [0, { f2: 'open' }]);
  assert.type(o[3]!.oops, 'string');
  assert.is(o[3]!.ret, undefined);
});

chrdev_open.run();

// ---------------------------------------------------------------------------------------------
const fput = suite('fput');

fput('close returns 0 (the file closed, dax_release dev_dbgs, the device unaffected); a second close is -EBADF', () => {
  const o = run([...OPENED, expecting(close(), { state: { 'dax0.0': 'registered' } })]);
  assert.equal(o[2], { ret: 0, state: { f1: 'closed' }, log: ['debug: dax dax0.0: dax_release'] });
  assert.equal(run([...OPENED, close(), close()])[3], { ret: '-EBADF', state: {} });
});

fput('a mapping holds the file: it keeps working after close', () => {
  const o = run([...OPENED, mmap('4M'), close(), access('0x0')]);
  assert.equal([o[4]!.ret, o[4]!.map, o[4]!.phys], ['VM_FAULT_NOPAGE', 'PMD', '0x100000000']);
});

fput('the last close of an unregistered device releases it (dev_dax_release: region reference, final put_dax)', () => {
  const o = run([...OPENED, unbind(), close()]);
  assert.equal(o[3]!.state, { f1: 'closed', 'dax0.0': 'released', 'dax0.0/dax_dev': 'destroyed', pfn0: 'freed' });
  assert.is(o[3]!.warn, undefined);
});

fput.run();

// ---------------------------------------------------------------------------------------------
const do_mmap = suite('do_mmap');

do_mmap('places 4 MiB of a 2 MiB-aligned device at 0x7effffa00000 (len + align below mmap_base, rounded to align)', () => {
  const o = run([...OPENED, mmap('4M')]);
  assert.equal([o[2]!.ret, o[2]!.state], ['0x7effffa00000', { v1: 'mapped' }]);
  assert.equal(logAt(o[2]!, 'info'), []);
  // From an unaligned mmap_base the start is rounded up: 0x7effffb00000 → 0x7effffc00000.
  assert.is(run([...OPENED, mmap('4M')], { mmap_base: '0x7f0000100000' })[2]!.ret, '0x7effffc00000');
});

do_mmap('a second mapping goes in the highest gap that holds len + align: 0x7effff400000', () => {
  const o = run([...OPENED, mmap('4M'), mmap('4M', { vma: 'v2' })]);
  assert.is(o[3]!.ret, '0x7effff400000');
});

do_mmap('on a 4 KiB device the start is mmap_base - (len + 4K), on 1 GiB 2 GiB go at 0x7eff40000000; no size check (8 MiB of 4 MiB)', () => {
  assert.is(run([...OPENED_R4K, mmap('4M')])[2]!.ret, '0x7effffbff000');
  assert.is(run([probeR1G(), open(), mmap('2G')])[2]!.ret, '0x7eff40000000');
  // mmap does no size check: 8 MiB of the 4 MiB device.
  assert.is(run([...OPENED, mmap('8M')])[2]!.ret, '0x7effff600000');
});

do_mmap('MAP_PRIVATE: -EINVAL and the dev_info "<comm>: dax_mmap: fail, attempted private mapping"', () => {
  const o = run([...OPENED, mmap('4M', { flags: 'MAP_PRIVATE' }), open('f2', 'dax0.0', 'P2'), mmap('4M', { fd: 'f2', vma: 'v2', flags: 'MAP_PRIVATE' }, 'P2')]);
  assert.equal([o[2]!.ret, o[2]!.state], ['-EINVAL', {}]);
  assert.equal(logAt(o[2]!, 'info'), [INFO('attempted private mapping')]);
  assert.equal(logAt(o[4]!, 'info'), [INFO('attempted private mapping', 'P2')]);
  // Checked before alignment: a 3 MiB private mapping reports only the private mapping.
  const p3 = run([...OPENED, mmap('3M', { flags: 'MAP_PRIVATE' })]);
  assert.equal([p3[2]!.ret, logAt(p3[2]!, 'info')], ['-EINVAL', [INFO('attempted private mapping')]]);
});

do_mmap('MAP_FIXED at an unaligned address: -EINVAL, "unaligned vma (start - end, mask)" (scenario 15)', () => {
  const o = run([...OPENED, expecting(mmap('4M', { addr: '0x7f0000001000', flags: 'MAP_SHARED|MAP_FIXED' }), { state: { v1: null } })]);
  assert.is(o[2]!.ret, '-EINVAL');
  assert.equal(logAt(o[2]!, 'info'), [INFO('unaligned vma (0x7f0000001000 - 0x7f0000401000, 0x1fffff)')]);
});

do_mmap('MAP_FIXED at an aligned address is used as given; a plain hint goes to the default allocator unaligned', () => {
  const o = run([
    ...OPENED,
    mmap('4M', { addr: '0x7e0000000000', flags: 'MAP_SHARED|MAP_FIXED' }),
    mmap('4M', { vma: 'v2', addr: '0x600000000000' }),
    mmap('4M', { vma: 'v3', addr: '0x600000500000' }),
  ]);
  assert.is(o[2]!.ret, '0x7e0000000000');
  assert.is(o[3]!.ret, '0x600000000000');
  assert.is(o[4]!.ret, '-EINVAL');
  assert.equal(logAt(o[4]!, 'info'), [INFO('unaligned vma (0x600000500000 - 0x600000900000, 0x1fffff)')]);
});

do_mmap('a hint that collides is replaced by a top-down search for len alone (no len + align)', () => {
  const o = run([...OPENED, mmap('4M', { addr: '0x7e0000000000', flags: 'MAP_SHARED|MAP_FIXED' }), mmap('4M', { vma: 'v2', addr: '0x7e0000100000' })]);
  assert.is(o[3]!.ret, '0x7effffc00000');
});

do_mmap('3 MiB (aligned start, unaligned end) and 1 MiB (default address) on a 2 MiB device: -EINVAL (scenarios 16, 17)', () => {
  const o = run([...OPENED, mmap('3M')]);
  assert.is(o[2]!.ret, '-EINVAL');
  assert.equal(logAt(o[2]!, 'info'), [INFO('unaligned vma (0x7effffc00000 - 0x7efffff00000, 0x1fffff)')]);
  // 1 MiB: no aligned search (1 MiB < align), the default address, never an aligned end.
  const s = run([...OPENED, mmap('1M')]);
  assert.is(s[2]!.ret, '-EINVAL');
  assert.equal(logAt(s[2]!, 'info'), [INFO('unaligned vma (0x7efffff00000 - 0x7f0000000000, 0x1fffff)')]);
});

do_mmap('3 MiB and 1 MiB on a 4 KiB device succeed (scenario 18)', () => {
  const o = run([...OPENED_R4K, mmap('3M'), mmap('1M', { vma: 'v2' })]);
  assert.is(o[2]!.ret, '0x7effffcff000');
  assert.is(o[3]!.ret, '0x7effffbfe000');
});

do_mmap('the start is congruent to the file offset: pgoff 0x100 on a 2 MiB device gives a start check_vma rejects', () => {
  const o = run([...OPENED, mmap('4M', { pgoff: '0x100' })]);
  assert.is(o[2]!.ret, '-EINVAL');
  assert.equal(logAt(o[2]!, 'info'), [INFO('unaligned vma (0x7effffb00000 - 0x7efffff00000, 0x1fffff)')]);
});

do_mmap('with fs_dax false every mmap fails: "vma is not DAX capable" (scenario 21)', () => {
  const o = run([...OPENED, mmap('4M')], { fs_dax: false });
  assert.is(o[2]!.ret, '-EINVAL');
  assert.equal(logAt(o[2]!, 'info'), [INFO('vma is not DAX capable')]);
});

do_mmap('a PFN_DEV-only region can never be mapped: "dax range requires MADV_DONTFORK" (scenario 20); PFN_MAP-only and no flags pass', () => {
  const steps = (pfn_flags: string) => [region({ pfn_flags }), create([{ start: S, size: '4M' }]), open(), mmap('4M')];
  const dev = run(steps('PFN_DEV'));
  assert.is(dev[3]!.ret, '-EINVAL');
  assert.equal(logAt(dev[3]!, 'info'), [INFO('dax range requires MADV_DONTFORK')]);
  assert.is(run(steps('PFN_MAP'))[3]!.ret, '0x7effffa00000');
  assert.is(run(steps(''))[3]!.ret, '0x7effffa00000');
});

do_mmap('after a kill (dax.kill or unregister_dev_dax) with the fd still open: -ENXIO with no dev_info, even for MAP_PRIVATE (scenario 19)', () => {
  const o = run([
    ...OPENED,
    call('dax.kill', { dax: 'dax0.0/dax_dev' }),
    expecting(mmap('4M'), { state: { v1: null } }),
    mmap('4M', { vma: 'v2', flags: 'MAP_PRIVATE' }),
  ]);
  for (const x of [o[3]!, o[4]!]) {
    assert.is(x.ret, '-ENXIO');
    assert.equal(logAt(x, 'info'), []);
  }
  assert.is(run([...OPENED, call('dev_dax.unregister', { dev: 'dax0.0' }), mmap('4M')])[3]!.ret, '-ENXIO');
});

do_mmap.run();

// ---------------------------------------------------------------------------------------------
const do_munmap = suite('do_munmap');

do_munmap('cutting the head keeps the handle and advances vm_pgoff: offset 0 is now file offset 2 MiB', () => {
  const o = run([...OPENED, mmap('4M'), expecting(munmap({ off: '0x0', len: '2M' }), { state: { v1: 'mapped' } }), access('0x0'), access('0x200000')]);
  assert.is(o[3]!.ret, 0);
  assert.equal([o[4]!.ret, o[4]!.map, o[4]!.phys], ['VM_FAULT_NOPAGE', 'PMD', '0x100200000']);
  assert.equal(o[4]!.attempts, [['PUD', 'VM_FAULT_FALLBACK'], ['PMD', 'VM_FAULT_NOPAGE']]);
  assert.is(o[5]!.ret, 'SIGSEGV');
});

do_munmap('an entry installed before a head cut keeps mapping the same physical page', () => {
  const o = run([...OPENED, mmap('4M'), access('0x200000'), munmap({ off: '0x0', len: '2M' }), access('0x10')]);
  assert.equal(o[5], { ret: 0, state: {}, map: 'PMD', phys: '0x100200010', attempts: [] });
});

do_munmap('cutting the tail keeps the start; an access past the new end is SIGSEGV', () => {
  const o = run([...OPENED, mmap('4M'), expecting(munmap({ off: '2M' }), { state: { v1: 'mapped' } }), access('0x10'), access('0x200000')]);
  assert.equal([o[4]!.ret, o[4]!.phys], ['VM_FAULT_NOPAGE', '0x100000010']);
  assert.is(o[5]!.ret, 'SIGSEGV');
});

do_munmap('a 1 MiB tail cut leaves an unaligned vma: a first touch SIGBUSes in the PUD handler with "unaligned vma" (scenario 32)', () => {
  const o = run([...OPENED, mmap('4M'), munmap({ off: '3M', len: '1M' }), access('0x10')]);
  assert.equal([o[4]!.ret, o[4]!.attempts], ['VM_FAULT_SIGBUS', [['PUD', 'VM_FAULT_SIGBUS']]]);
  assertLog(o[4]!, ['info: dax dax0.0: main: __dev_dax_pud_fault: fail, unaligned vma (0x7effffa00000 - 0x7effffd00000, 0x1fffff)']);
});

do_munmap('the whole mapping: unmapped, later accesses and faults are SIGSEGV, the file stays open and the range is reused', () => {
  const o = run([
    ...OPENED,
    mmap('4M'),
    access('0x0'),
    munmap(),
    access('0x0'),
    call('vma.fault', { vma: 'v1', off: '0x0', size: 'PMD' }),
    expecting(mmap('4M', { vma: 'v2' }), { state: { f1: 'open' } }),
  ]);
  assert.equal(o[4], { ret: 0, state: { v1: 'unmapped' } });
  assert.is(o[5]!.ret, 'SIGSEGV');
  assert.is(o[6]!.ret, 'SIGSEGV');
  assert.is(o[7]!.ret, '0x7effffa00000');
});

do_munmap('a middle cut would split the vma: a log error in daxlog v1', () => {
  const r = replay([...OPENED, mmap('4M'), munmap({ off: '1M', len: '1M' })]);
  assert.ok(r.error !== undefined);
  assert.match(r.error!.message, /^test\.jsonl:5:\d+: /);
});

do_munmap.run();
