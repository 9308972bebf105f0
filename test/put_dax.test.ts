import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { call, outcomes } from './helpers.ts';

const put_dax = suite('put_dax');
const WARN = 'kill_dax() must be called before final iput()';

put_dax('after kill_dax destroys the device without a WARN and queues the RCU callback', () => {
  const o = outcomes([call('dax.alloc', { dax: 'a' }), call('dax.kill', { dax: 'a' }), call('dax.put', { dax: 'a' }), call('rcu.grace_period')]);
  assert.equal(o[2], { ret: 0, state: { a: 'destroyed' } });
  assert.equal(o[3], { ret: 1, state: { a: 'freed' } });
});

put_dax('warns when the final put comes before kill_dax, once per run', () => {
  const o = outcomes([call('dax.alloc', { dax: 'a' }), call('dax.alloc', { dax: 'b' }), call('dax.put', { dax: 'a' }), call('dax.put', { dax: 'b' })]);
  assert.equal(o[2]!.warn, [WARN]);
  assert.is(o[3]!.warn, undefined);
  assert.equal(o[3]!.state, { b: 'destroyed' });
});

put_dax('keeps the minor until the grace period after it', () => {
  const o = outcomes([
    call('dax.alloc', { dax: 'a' }),
    call('dax.kill', { dax: 'a' }),
    call('dax.put', { dax: 'a' }),
    call('dax.alloc', { dax: 'b' }),
    call('rcu.grace_period'),
    call('dax.alloc', { dax: 'c' }),
  ]);
  assert.is(o[3]!.ret, 1);
  assert.is(o[5]!.ret, 0);
});

put_dax('of NULL is a no-op', () => {
  assert.equal(outcomes([call('dax.alloc', { dax: 'n', fail: ['iget5_locked'] }), call('dax.put', { dax: 'n' })])[1], { ret: 0, state: {} });
});

put_dax('twice is a use after free (iput of a cleared inode) and changes nothing', () => {
  const o = outcomes([call('dax.alloc', { dax: 'a' }), call('dax.kill', { dax: 'a' }), call('dax.put', { dax: 'a' }), call('dax.put', { dax: 'a' }), call('rcu.grace_period')]);
  assert.match(o[3]!.oops!, /^use after free: put_dax\(\)/);
  assert.equal(o[3]!.state, {});
  assert.is(o[4]!.ret, 1, 'exactly one callback was queued');
});

put_dax('while kill_dax sleeps gives no WARN; the kill then completes on the destroyed device', () => {
  const o = outcomes([
    call('dax.alloc', { dax: 'a' }),
    call('dax_srcu.read_lock', {}, 'A'),
    call('dax.kill', { dax: 'a' }, 'B'),
    call('dax.put', { dax: 'a' }, 'C'),
    call('dax_srcu.read_unlock', {}, 'A'),
  ]);
  assert.equal(o[3], { ret: 0, state: { a: 'destroyed' } });
  assert.equal(o[4]!.woke, [{ task: 'B', type: 'dax.kill', ret: 0, line: 4 }]);
});

put_dax('a kill that wakes after the device was freed oopses in the woken call', () => {
  const o = outcomes([
    call('dax.alloc', { dax: 'a' }),
    call('dax_srcu.read_lock', {}, 'A'),
    call('dax.kill', { dax: 'a' }, 'B'),
    call('dax.put', { dax: 'a' }, 'C'),
    call('rcu.grace_period', {}, 'C'),
    call('dax_srcu.read_unlock', {}, 'A'),
  ]);
  const w = o[5]!.woke![0]!;
  assert.is(w.task, 'B');
  assert.is(w.ret, undefined);
  assert.match(w.oops!, /use after free/);
  assert.is(o[5]!.ret, 0);
});

put_dax.run();
