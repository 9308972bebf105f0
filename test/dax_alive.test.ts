import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { call, outcomes } from './helpers.ts';

const dax_alive = suite('dax_alive');
const lock = (t?: string) => call('dax_srcu.read_lock', {}, t);

dax_alive('is true for a live device under the read lock, with no warning', () => {
  const o = outcomes([call('dax.alloc', { dax: 'a' }), lock(), call('dax.alive', { dax: 'a' })]);
  assert.equal(o[2], { ret: true, state: {} });
});

dax_alive('is false once kill_dax stored alive = false, even before its grace period ends', () => {
  const o = outcomes([call('dax.alloc', { dax: 'a' }), lock('A'), call('dax.kill', { dax: 'a' }, 'B'), call('dax.alive', { dax: 'a' }, 'A')]);
  assert.is(o[3]!.ret, false);
});

dax_alive('warns (lockdep_assert_held) when the calling task holds no dax_read_lock', () => {
  const o = outcomes([call('dax.alloc', { dax: 'a' }), lock('A'), call('dax.alive', { dax: 'a' }, 'B')]);
  assert.is(o[2]!.ret, true);
  assert.is(o[2]!.warn!.length, 1);
  assert.match(o[2]!.warn![0]!, /dax_alive.*lockdep_assert_held\(&dax_srcu\)/);
});

dax_alive('stays true on a device put while alive (the flag is not the state)', () => {
  const o = outcomes([call('dax.alloc', { dax: 'a' }), call('dax.put', { dax: 'a' }), lock(), call('dax.alive', { dax: 'a' })]);
  assert.is(o[3]!.ret, true);
});

dax_alive('of NULL is a NULL pointer dereference', () => {
  const o = outcomes([call('dax.alloc', { dax: 'n', fail: ['ida'] }), lock(), call('dax.alive', { dax: 'n' })]);
  assert.match(o[2]!.oops!, /^NULL pointer dereference: dax_alive\(\)/);
});

dax_alive.run();

const dax_get_private = suite('dax_get_private');

dax_get_private('returns private while alive and while kill_dax waits, NULL once killed', () => {
  const o = outcomes([
    call('dax.alloc', { dax: 'a', private: 'p' }),
    call('dax.get_private', { dax: 'a' }),
    lock('A'),
    call('dax.kill', { dax: 'a' }, 'B'),
    call('dax.get_private', { dax: 'a' }, 'C'),
    call('dax_srcu.read_unlock', {}, 'A'),
    call('dax.get_private', { dax: 'a' }, 'C'),
  ]);
  assert.equal([o[1]!.ret, o[4]!.ret, o[6]!.ret], ['p', 'p', null]);
});

dax_get_private('after the device was freed is a use after free', () => {
  const o = outcomes([call('dax.alloc', { dax: 'a' }), call('dax.kill', { dax: 'a' }), call('dax.put', { dax: 'a' }), call('rcu.grace_period'), call('dax.get_private', { dax: 'a' })]);
  assert.match(o[4]!.oops!, /^use after free/);
});

dax_get_private.run();
