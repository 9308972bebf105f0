import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Outcome } from '../machines/outcome.ts';
import { diverges, sameValue } from '../src/expect.ts';

const match = suite('expect matching (daxlog.md §4)');
const none = () => null;
const keys = (e: object, o: Outcome, stateOf: (h: string) => null | 'alive' = none) => diverges(e, o, stateOf).map((d) => d.key);

match('compares integers by value whatever their spelling', () => {
  assert.ok(sameValue('0x10', 16));
  assert.ok(sameValue('4K', '4096'));
  assert.not.ok(sameValue('0\n', 0));
  assert.not.ok(sameValue('NULL', 0));
  assert.equal(keys({ ret: '0x7f0000000000' }, { ret: '0x7f0000000000', state: {} }), []);
  assert.equal(keys({ ret: 1 }, { ret: 0, state: {} }), ['ret']);
  assert.equal(keys({ ret: 0 }, { state: {}, blocked: true }), ['ret']);
});

match('checks listed states whether or not they changed, null for no object', () => {
  assert.equal(keys({ state: { a: 'alive' } }, { state: {} }, () => 'alive'), []);
  assert.equal(keys({ state: { a: null } }, { state: {} }), []);
  assert.equal(keys({ state: { a: 'alive' } }, { state: {} }), ['state.a']);
});

match('warn: as many as listed, in order, each a substring; [] for none', () => {
  const o: Outcome = { state: {}, warn: ['first warning', 'second warning'] };
  assert.equal(keys({ warn: ['first', 'second'] }, o), []);
  assert.equal(keys({ warn: ['second', 'first'] }, o), ['warn']);
  assert.equal(keys({ warn: ['first'] }, o), ['warn']);
  assert.equal(keys({ warn: [] }, { state: {} }), []);
});

match('log: each string in a distinct line, in order, other lines allowed', () => {
  const o: Outcome = { state: {}, log: ['debug: a', 'info: q x', 'info: q y'] };
  assert.equal(keys({ log: ['q', 'q'] }, o), []);
  assert.equal(keys({ log: ['q', 'q', 'q'] }, o), ['log']);
  assert.equal(keys({ log: ['x', 'a'] }, o), ['log']);
});

match('woke: same length, listed keys equal; oops by true, false or substring', () => {
  const o: Outcome = { state: {}, woke: [{ task: 'B', type: 'dax.kill', ret: 0, line: 4 }], oops: 'use after free: x' };
  assert.equal(keys({ woke: [{ task: 'B', line: '4' }] }, o), []);
  assert.equal(keys({ woke: [] }, o), ['woke']);
  assert.equal(keys({ oops: true }, o), []);
  assert.equal(keys({ oops: 'after free' }, o), []);
  assert.equal(keys({ oops: false }, o), ['oops']);
  assert.equal(keys({ oops: false }, { state: {} }), []);
});

match('map, phys, attempts, minor and blocked', () => {
  const o: Outcome = { ret: 0, state: {}, map: 'PMD', phys: '0x100200000', attempts: [['PUD', 'VM_FAULT_FALLBACK'], ['PMD', 'VM_FAULT_NOPAGE']], minor: 3 };
  assert.equal(keys({ map: 'PMD', phys: 4297064448, attempts: [['PUD', 'VM_FAULT_FALLBACK'], ['PMD', 'VM_FAULT_NOPAGE']], minor: '3', blocked: false }, o), []);
  assert.equal(keys({ map: 'PTE', phys: '0x0', attempts: [], minor: 4, blocked: true }, o), ['blocked', 'map', 'phys', 'attempts', 'minor']);
});

match.run();
