// dev_dax_huge_fault (a direct vma.fault) and the core-mm fault cascade PUD → PMD → PTE
// (vma.access), kernel-semantics.md §4, §5 and scenarios 22-42. Page-table slots follow v4.12
// __handle_mm_fault: a PUD slot gets a PMD table once the cascade passes the PUD stage, a PMD slot
// gets a PTE table when a PTE is inserted, and zapping frees no tables. Values are worked out by
// hand from the spec; none is copied from engine output.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { call, type StepInput } from './helpers.ts';
import { access, assertLog, create, entry, fault, logAt, mmap, open, probeR1G, probeR2M, probeR4K, region, run, S } from './fixtures/device/steps.ts';

// The first mapping of each device shape (daxlog.md allocator, kernel-semantics.md §5 rules):
// R2M 4 MiB at 0x7effffa00000, R4K 4 MiB at 0x7effffbff000, R1G 2 GiB at 0x7eff40000000.
const R2M = [probeR2M(), open(), mmap('4M')];
const R4K = [probeR4K(), open(), mmap('4M')];
const R1G = [probeR1G(), open(), mmap('2G')];
const V2M = ['0x7effffa00000', '0x7effffe00000'] as const;
const V4K = ['0x7effffbff000', '0x7efffffff000'] as const;
const V1G = ['0x7eff40000000', '0x7effc0000000'] as const;
const dbg = (msg: string) => `debug: dax dax0.0: ${msg}`;
const FB = 'VM_FAULT_FALLBACK';
const NOPAGE = 'VM_FAULT_NOPAGE';
const SIGBUS = 'VM_FAULT_SIGBUS';

/** A 4 KiB-aligned region with the given pfn_flags and one dev_dax over it, mapped 4 MiB. */
const flagged = (pfn_flags: string): StepInput[] => [region({ align: '4K', pfn_flags }), create([{ start: S, size: '4M' }]), open(), mmap('4M')];

// ---------------------------------------------------------------------------------------------
const dev_dax_huge_fault = suite('dev_dax_huge_fault');

dev_dax_huge_fault('PTE on a 2 MiB device: SIGBUS with dev_dbg "alignment (0x200000) > fault size (0x1000)" (scenario 25)', () => {
  const o = run([...R2M, fault('0x0', 'PTE')]);
  assert.equal(o[3], {
    ret: SIGBUS,
    state: {},
    log: [entry('main', 'read', ...V2M, 0), dbg('__dev_dax_pte_fault: alignment (0x200000) > fault size (0x1000)')],
  });
});

dev_dax_huge_fault('PMD and PTE on a 1 GiB device: SIGBUS, "alignment (0x40000000) > fault size" 0x200000 and 0x1000 (scenario 28)', () => {
  const o = run([...R1G, fault('0x0', 'PMD'), fault('0x0', 'PTE')]);
  assert.equal(o[3]!.ret, SIGBUS);
  assert.equal(o[3]!.log, [entry('main', 'read', ...V1G, 1), dbg('__dev_dax_pmd_fault: alignment (0x40000000) > fault size (0x200000)')]);
  assert.equal(o[4]!.ret, SIGBUS);
  assert.equal(o[4]!.log, [entry('main', 'read', ...V1G, 0), dbg('__dev_dax_pte_fault: alignment (0x40000000) > fault size (0x1000)')]);
});

dev_dax_huge_fault('a fault of the device\'s own size maps it: PMD on 2 MiB, PTE on 4 KiB, PUD on 1 GiB', () => {
  const pmd = run([...R2M, fault('0x0', 'PMD'), access('0x1fffff')]);
  assert.equal(pmd[3], { ret: NOPAGE, state: {}, log: [entry('main', 'read', ...V2M, 1)] });
  assert.equal(pmd[4], { ret: 0, state: {}, map: 'PMD', phys: '0x1001fffff', attempts: [] });
  const pte = run([...R4K, fault('0x5000', 'PTE'), access('0x5010')]);
  assert.is(pte[3]!.ret, NOPAGE);
  assert.equal(pte[4], { ret: 0, state: {}, map: 'PTE', phys: '0x100005010', attempts: [] });
  const pud = run([...R1G, fault('0x40001000', 'PUD'), access('0x7fffffff')]);
  assert.is(pud[3]!.ret, NOPAGE);
  assert.equal(pud[4], { ret: 0, state: {}, map: 'PUD', phys: '0x17fffffff', attempts: [] });
});

dev_dax_huge_fault('a fault larger than align falls back: PUD on 2 MiB (scenario 27), PMD and PUD on 4 KiB (scenario 26)', () => {
  const o2 = run([...R2M, fault('0x0', 'PUD')]);
  assert.equal(o2[3], { ret: FB, state: {}, log: [entry('main', 'read', ...V2M, 2)] });
  const o4 = run([...R4K, fault('0x0', 'PMD'), fault('0x0', 'PUD')]);
  assert.equal([o4[3]!.ret, o4[4]!.ret], [FB, FB]);
});

dev_dax_huge_fault('on a device aligned below 4 KiB (nothing checks align) PTE is SIGBUS with no handler message; PMD falls back', () => {
  const o = run([
    region({ align: '0x800' }),
    create([{ start: S, size: '4M' }]),
    open(),
    mmap('4M', { addr: '0x7e0000000000', flags: 'MAP_SHARED|MAP_FIXED' }),
    fault('0x0', 'PTE'),
    fault('0x0', 'PMD'),
  ]);
  assert.is(o[3]!.ret, '0x7e0000000000');
  assert.equal(o[4], { ret: SIGBUS, state: {}, log: [entry('main', 'read', '0x7e0000000000', '0x7e0000400000', 0)] });
  assert.is(o[5]!.ret, FB);
});

dev_dax_huge_fault('a region without both devmap flags SIGBUSes PMD and PUD ("region lacks devmap flags") but serves PTE (scenario 30)', () => {
  for (const flags of ['', 'PFN_MAP']) {
    const o = run([...flagged(flags), fault('0x0', 'PUD'), fault('0x0', 'PMD'), fault('0x0', 'PTE')]);
    assert.equal(o[4]!.ret, SIGBUS, flags);
    assert.equal(o[4]!.log, [entry('main', 'read', ...V4K, 2), dbg('__dev_dax_pud_fault: region lacks devmap flags')]);
    assert.equal(o[5]!.ret, SIGBUS, flags);
    assert.equal(o[5]!.log, [entry('main', 'read', ...V4K, 1), dbg('__dev_dax_pmd_fault: region lacks devmap flags')]);
    assert.equal(o[6]!.ret, NOPAGE, flags);
  }
});

dev_dax_huge_fault('pgoff_to_phys failing past the device end: SIGBUS with the caller\'s pgoff in each handler\'s dev_dbg', () => {
  // 8 MiB of R2M at 0x7effff600000; 8 MiB of R4K at 0x7effff7ff000; 4 GiB of R1G at 0x7efec0000000.
  const pmd = run([probeR2M(), open(), mmap('8M'), fault('0x600000', 'PMD'), fault('0x200000', 'PMD')]);
  assert.equal(pmd[3]!.log, [entry('main', 'read', '0x7effff600000', '0x7effffe00000', 1), dbg('__dev_dax_pmd_fault: pgoff_to_phys(0x600) failed')]);
  assert.equal([pmd[3]!.ret, pmd[4]!.ret], [SIGBUS, NOPAGE]);
  const pte = run([probeR4K(), open(), mmap('8M'), fault('0x400000', 'PTE')]);
  assert.equal(pte[3]!.ret, SIGBUS);
  assert.equal(pte[3]!.log, [entry('main', 'read', '0x7effff7ff000', '0x7efffffff000', 0), dbg('__dev_dax_pte_fault: pgoff_to_phys(0x400) failed')]);
  const pud = run([probeR1G(), open(), mmap('4G'), fault('0x80000000', 'PUD')]);
  assert.equal(pud[3]!.ret, SIGBUS);
  assert.equal(pud[3]!.log, [entry('main', 'read', '0x7efec0000000', '0x7effc0000000', 2), dbg('__dev_dax_pud_fault: pgoff_to_phys(0x80000) failed')]);
});

dev_dax_huge_fault('an unknown pe_size 3 is SIGBUS with only the entry dev_dbg "size = 3"; a raw 1 is the PMD handler (scenario 31)', () => {
  const o = run([...R2M, fault('0x0', 3), fault('0x0', 1)]);
  assert.equal(o[3], { ret: SIGBUS, state: {}, log: [entry('main', 'read', ...V2M, 3)] });
  assert.equal(o[4], { ret: NOPAGE, state: {}, log: [entry('main', 'read', ...V2M, 1)] });
  // The entry dev_dbg names the task and says "write" for a write fault.
  assert.equal(run([...R2M, fault('0x0', 'PMD', { write: true }, 'B')])[3]!.log, [entry('B', 'write', ...V2M, 1)]);
});

dev_dax_huge_fault('after dax.kill every handler SIGBUSes silently (check_vma -ENXIO comes first)', () => {
  const o = run([...R2M, call('dax.kill', { dax: 'dax0.0/dax_dev' }), fault('0x0', 'PMD'), fault('0x0', 'PUD'), fault('0x0', 'PTE')]);
  assert.equal(o[4], { ret: SIGBUS, state: {}, log: [entry('main', 'read', ...V2M, 1)] });
  assert.equal(o[5], { ret: SIGBUS, state: {}, log: [entry('main', 'read', ...V2M, 2)] });
  assert.equal(o[6], { ret: SIGBUS, state: {}, log: [entry('main', 'read', ...V2M, 0)] });
});

dev_dax_huge_fault('on a vma left unaligned by munmap the handler\'s check_vma reports it, before the alignment check', () => {
  const o = run([...R2M, call('vma.munmap', { vma: 'v1', off: '3M' }), fault('0x0', 'PMD'), fault('0x0', 'PTE')]);
  assert.is(o[4]!.ret, SIGBUS);
  assert.equal(logAt(o[4]!, 'info'), ['info: dax dax0.0: main: __dev_dax_pmd_fault: fail, unaligned vma (0x7effffa00000 - 0x7effffd00000, 0x1fffff)']);
  assert.is(o[5]!.ret, SIGBUS);
  assert.equal(o[5]!.log, [
    entry('main', 'read', '0x7effffa00000', '0x7effffd00000', 0),
    'info: dax dax0.0: main: __dev_dax_pte_fault: fail, unaligned vma (0x7effffa00000 - 0x7effffd00000, 0x1fffff)',
  ]);
});

dev_dax_huge_fault('without arch PUD support the PUD handler is a stub: FALLBACK on 1 GiB, even after a kill (no check_vma)', () => {
  const o = run([...R1G, fault('0x0', 'PUD'), call('dax.kill', { dax: 'dax0.0/dax_dev' }), fault('0x0', 'PUD')], { pud: false });
  assert.equal(o[3], { ret: FB, state: {}, log: [entry('main', 'read', ...V1G, 2)] });
  assert.is(o[5]!.ret, FB);
});

dev_dax_huge_fault('racing PTE faults on one page both return NOPAGE (the loser\'s -EBUSY is NOPAGE) (scenario 37)', () => {
  const o = run([
    ...R4K,
    call('dax_srcu.read_lock', {}, 'A'),
    fault('0x5000', 'PTE', {}, 'A'),
    fault('0x5000', 'PTE', {}, 'B'),
    call('dax_srcu.read_unlock', {}, 'A'),
    access('0x5000'),
  ]);
  assert.equal([o[4]!.ret, o[5]!.ret], [NOPAGE, NOPAGE]);
  assert.equal(o[7], { ret: 0, state: {}, map: 'PTE', phys: '0x100005000', attempts: [] });
});

dev_dax_huge_fault('an unaligned vm_pgoff is not checked: a PMD at pgoff 1 maps S+0x1000; at pgoff 0x201 it does not fit (scenario 35)', () => {
  const at = (pgoff: string) => [probeR2M(), open(), mmap('2M', { pgoff, addr: '0x7e0000000000', flags: 'MAP_SHARED|MAP_FIXED' }), fault('0x0', 'PMD'), access('0x0')];
  const ok = run(at('0x1'));
  assert.equal([ok[2]!.ret, ok[3]!.ret], ['0x7e0000000000', NOPAGE]);
  assert.equal([ok[4]!.map, ok[4]!.phys], ['PMD', '0x100001000']);
  const bad = run(at('0x201'));
  assert.is(bad[3]!.ret, SIGBUS);
  assertLog(bad[3]!, [dbg('__dev_dax_pmd_fault: pgoff_to_phys(0x201) failed')]);
});

dev_dax_huge_fault.run();

// ---------------------------------------------------------------------------------------------
const handle_mm_fault = suite('handle_mm_fault');

handle_mm_fault('first touch on a 4 KiB device: PUD and PMD fall back, PTE maps S+0x5000 (scenario 22)', () => {
  const o = run([...R4K, access('0x5000')]);
  assert.equal([o[3]!.ret, o[3]!.map, o[3]!.phys], [NOPAGE, 'PTE', '0x100005000']);
  assert.equal(o[3]!.attempts, [['PUD', FB], ['PMD', FB], ['PTE', NOPAGE]]);
  assert.equal(o[3]!.log, [entry('main', 'read', ...V4K, 2), entry('main', 'read', ...V4K, 1), entry('main', 'read', ...V4K, 0)]);
});

handle_mm_fault('after a PTE insert the same 2 MiB goes straight to PTE; another 2 MiB of the same GiB starts at PMD; a mapped address does not fault', () => {
  const o = run([...R4K, access('0x5000'), access('0x6000'), access('0x300000'), access('0x5010')]);
  assert.equal([o[4]!.attempts, o[4]!.phys], [[['PTE', NOPAGE]], '0x100006000']);
  assert.equal([o[5]!.attempts, o[5]!.phys], [[['PMD', FB], ['PTE', NOPAGE]], '0x100300000']);
  assert.equal(o[6], { ret: 0, state: {}, map: 'PTE', phys: '0x100005010', attempts: [] });
});

handle_mm_fault('first touch on a 2 MiB device: PUD falls back, PMD maps; the accessed byte is S+0x234567 (scenario 23)', () => {
  const o = run([...R2M, access('0x234567'), access('0x3fffff'), access('0x10')]);
  assert.equal([o[3]!.ret, o[3]!.map, o[3]!.phys], [NOPAGE, 'PMD', '0x100234567']);
  assert.equal(o[3]!.attempts, [['PUD', FB], ['PMD', NOPAGE]]);
  assert.equal(o[3]!.log, [entry('main', 'read', ...V2M, 2), entry('main', 'read', ...V2M, 1)]);
  assert.equal(o[4], { ret: 0, state: {}, map: 'PMD', phys: '0x1003fffff', attempts: [] });
  assert.equal([o[5]!.attempts, o[5]!.phys], [[['PMD', NOPAGE]], '0x100000010']);
});

handle_mm_fault('first touch on a 1 GiB device: the PUD attempt maps at once, in each GiB (scenario 24)', () => {
  const o = run([...R1G, access('0x40001000'), access('0x10')]);
  assert.equal([o[3]!.ret, o[3]!.map, o[3]!.phys, o[3]!.attempts], [NOPAGE, 'PUD', '0x140001000', [['PUD', NOPAGE]]]);
  assert.equal([o[4]!.map, o[4]!.phys, o[4]!.attempts], ['PUD', '0x100000010', [['PUD', NOPAGE]]]);
});

handle_mm_fault('THP "never": only the PTE handler runs, so 4 KiB maps and 2 MiB SIGBUSes; "madvise" acts as "always"', () => {
  const r4 = run([...R4K, access('0x5000')], { thp: 'never' });
  assert.equal([r4[3]!.ret, r4[3]!.map, r4[3]!.attempts], [NOPAGE, 'PTE', [['PTE', NOPAGE]]]);
  const r2 = run([...R2M, access('0x0')], { thp: 'never' });
  assert.equal([r2[3]!.ret, r2[3]!.attempts], [SIGBUS, [['PTE', SIGBUS]]]);
  assertLog(r2[3]!, [dbg('__dev_dax_pte_fault: alignment (0x200000) > fault size (0x1000)')]);
  const m = run([...R2M, access('0x0')], { thp: 'madvise' });
  assert.equal(m[3]!.attempts, [['PUD', FB], ['PMD', NOPAGE]]);
});

handle_mm_fault('without arch PUD support: 2 MiB still maps through PMD; 1 GiB falls back at PUD and SIGBUSes at PMD (scenario 29)', () => {
  const r2 = run([...R2M, access('0x0')], { pud: false });
  assert.equal([r2[3]!.ret, r2[3]!.map, r2[3]!.attempts], [NOPAGE, 'PMD', [['PUD', FB], ['PMD', NOPAGE]]]);
  const r1 = run([...R1G, access('0x0')], { pud: false });
  assert.equal([r1[3]!.ret, r1[3]!.attempts], [SIGBUS, [['PUD', FB], ['PMD', SIGBUS]]]);
  assertLog(r1[3]!, [dbg('__dev_dax_pmd_fault: alignment (0x40000000) > fault size (0x200000)')]);
});

handle_mm_fault('no devmap flags: every first touch SIGBUSes at PUD, though a direct PTE fault maps and its 2 MiB then works (scenario 30)', () => {
  const o = run([...flagged(''), access('0x0'), access('0x200000'), fault('0x5000', 'PTE'), access('0x6000')]);
  for (const a of [o[4]!, o[5]!]) assert.equal([a.ret, a.attempts], [SIGBUS, [['PUD', SIGBUS]]]);
  assertLog(o[4]!, [dbg('__dev_dax_pud_fault: region lacks devmap flags')]);
  assert.is(o[6]!.ret, NOPAGE);
  assert.equal([o[7]!.ret, o[7]!.attempts, o[7]!.phys], [NOPAGE, [['PTE', NOPAGE]], '0x100006000']);
});

handle_mm_fault('two resources, PMD faults: pgoff_to_phys walks them as one range (scenario 34)', () => {
  const two = [region({ size: '8G' }), create([{ start: S, size: '2M' }, { start: '0x200000000', size: '4M' }]), open()];
  const o = run([...two, mmap('6M'), access('0x300000'), access('0x500000'), access('0x123')]);
  assert.is(o[3]!.ret, '0x7effff800000');
  assert.equal([o[4]!.phys, o[4]!.attempts], ['0x200100000', [['PUD', FB], ['PMD', NOPAGE]]]);
  assert.equal([o[5]!.phys, o[5]!.attempts], ['0x200300000', [['PMD', NOPAGE]]]);
  assert.equal([o[6]!.phys, o[6]!.attempts], ['0x100000123', [['PMD', NOPAGE]]]);
  const past = run([...two, mmap('8M'), access('0x600000')]);
  assert.equal([past[4]!.ret, past[4]!.attempts], [SIGBUS, [['PUD', FB], ['PMD', SIGBUS]]]);
  assertLog(past[4]!, [dbg('__dev_dax_pmd_fault: pgoff_to_phys(0x600) failed')]);
});

handle_mm_fault('two resources, PTE faults: pgoff 2 is the second resource; pgoff 4 is past both (scenario 36)', () => {
  const two = [region({ align: '4K' }), create([{ start: S, size: '8K' }, { start: '0x100100000', size: '8K' }]), open()];
  const o = run([...two, mmap('16K'), access('0x2000')]);
  assert.is(o[3]!.ret, '0x7effffffb000');
  assert.equal([o[4]!.ret, o[4]!.phys, o[4]!.attempts], [NOPAGE, '0x100100000', [['PUD', FB], ['PMD', FB], ['PTE', NOPAGE]]]);
  const past = run([...two, mmap('20K'), access('0x4000')]);
  assert.equal([past[3]!.ret, past[4]!.ret], ['0x7effffffa000', SIGBUS]);
  assert.equal(past[4]!.attempts, [['PUD', FB], ['PMD', FB], ['PTE', SIGBUS]]);
  assertLog(past[4]!, [dbg('__dev_dax_pte_fault: pgoff_to_phys(0x4) failed')]);
});

handle_mm_fault('a mapping longer than the device: past the device SIGBUSes at PMD, inside it maps, past the vma is SIGSEGV (scenario 33)', () => {
  const o = run([probeR2M(), open(), mmap('8M'), access('0x600000'), access('0x200000'), access('0x800000')]);
  assert.equal([o[3]!.ret, o[3]!.attempts], [SIGBUS, [['PUD', FB], ['PMD', SIGBUS]]]);
  assert.equal([o[4]!.ret, o[4]!.phys, o[4]!.attempts], [NOPAGE, '0x100200000', [['PMD', NOPAGE]]]);
  assert.is(o[5]!.ret, 'SIGSEGV');
  assert.is(o[5]!.log, undefined, 'no fault handler ran');
});

handle_mm_fault('after dax.kill (no unmap): an installed PMD still works, an untouched range SIGBUSes silently (scenarios 39, 42)', () => {
  const o = run([...R2M, access('0x0'), call('dax.kill', { dax: 'dax0.0/dax_dev' }), access('0x10'), access('0x200000')]);
  assert.equal(o[5], { ret: 0, state: {}, map: 'PMD', phys: '0x100000010', attempts: [] });
  assert.equal([o[6]!.ret, o[6]!.attempts], [SIGBUS, [['PMD', SIGBUS]]]);
  assert.equal(logAt(o[6]!, 'info'), []);
});

handle_mm_fault.run();
