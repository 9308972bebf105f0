import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { call, outcomes } from './helpers.ts';

const dax_read_lock = suite('dax_read_lock');

dax_read_lock('returns SRCU index 0 on a fresh domain, and nests', () => {
  const o = outcomes([call('dax_srcu.read_lock'), call('dax_srcu.read_lock'), call('dax_srcu.read_unlock'), call('dax_srcu.read_unlock')]);
  assert.equal(o.map((x) => x.ret), [0, 0, 0, 0]);
  assert.equal(o.map((x) => x.warn), [undefined, undefined, undefined, undefined]);
});

dax_read_lock('returns the flipped index after each synchronize_srcu', () => {
  const o = outcomes([
    call('dax.alloc', { dax: 'a' }),
    call('dax.kill', { dax: 'a' }),
    call('dax_srcu.read_lock'),
    call('dax_srcu.read_unlock'),
    call('dax.kill', { dax: 'a' }),
    call('dax_srcu.read_lock'),
  ]);
  assert.equal([o[2]!.ret, o[5]!.ret], [1, 0]);
});

dax_read_lock.run();

const dax_read_unlock = suite('dax_read_unlock');

dax_read_unlock('ends only the innermost section of the calling task', () => {
  const o = outcomes([
    call('dax.alloc', { dax: 'a' }),
    call('dax_srcu.read_lock', {}, 'A'),
    call('dax_srcu.read_lock', {}, 'A'),
    call('dax.kill', { dax: 'a' }, 'B'),
    call('dax_srcu.read_unlock', {}, 'A'),
    call('dax_srcu.read_unlock', {}, 'A'),
  ]);
  assert.is(o[4]!.woke, undefined);
  assert.equal(o[5]!.woke!.map((w) => w.task), ['B']);
});

dax_read_unlock('with no lock held reports an unlock imbalance and changes nothing', () => {
  const o = outcomes([call('dax_srcu.read_lock', {}, 'A'), call('dax_srcu.read_unlock', {}, 'B'), call('dax.alloc', { dax: 'a' }), call('dax.kill', { dax: 'a' }, 'C')]);
  assert.match(o[1]!.warn![0]!, /^bad unlock balance detected! B is trying to release lock \(dax_srcu\)/);
  assert.is(o[3]!.blocked, true, "A's section is still open");
});

dax_read_unlock.run();

const rcu_grace_period = suite('rcu_grace_period');

rcu_grace_period('runs every callback queued before it and returns how many ran', () => {
  const o = outcomes([
    call('rcu.grace_period'),
    call('dax.alloc', { dax: 'a' }),
    call('dax.alloc', { dax: 'b' }),
    call('dax.kill', { dax: 'a' }),
    call('dax.put', { dax: 'a' }),
    call('dax.kill', { dax: 'b' }),
    call('dax.put', { dax: 'b' }),
    call('rcu.grace_period'),
    call('rcu.grace_period'),
  ]);
  assert.equal(o[0], { ret: 0, state: {} });
  assert.equal(o[7], { ret: 2, state: { a: 'freed', b: 'freed' } });
  assert.equal(o[8], { ret: 0, state: {} });
});

rcu_grace_period('does not wait for SRCU readers', () => {
  const o = outcomes([call('dax.alloc', { dax: 'a' }), call('dax.kill', { dax: 'a' }), call('dax.put', { dax: 'a' }), call('dax_srcu.read_lock', {}, 'A'), call('rcu.grace_period')]);
  assert.equal(o[4]!.state, { a: 'freed' });
});

rcu_grace_period.run();
