import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { call, last, outcomes, replay } from './helpers.ts';

const kill_dax = suite('kill_dax');
const alloc = call('dax.alloc', { dax: 'a', private: 'p' });

kill_dax('with no reader completes at once: killed, private NULL, minor kept', () => {
  const o = outcomes([alloc, call('dax.kill', { dax: 'a' }), call('dax.get_private', { dax: 'a' }), call('dax.alloc', { dax: 'b' })]);
  assert.equal(o[1], { ret: 0, state: { a: 'killed' } });
  assert.is(o[2]!.ret, null);
  assert.is(o[3]!.ret, 1);
});

kill_dax('blocks while a reader that entered before it is inside, and wakes at its unlock', () => {
  const o = outcomes([
    alloc,
    call('dax_srcu.read_lock', {}, 'A'),
    call('dax.kill', { dax: 'a' }, 'B'),
    call('dax.get_private', { dax: 'a' }, 'A'),
    call('dax_srcu.read_unlock', {}, 'A'),
  ]);
  assert.equal(o[2], { state: { a: 'killing' }, blocked: true });
  assert.is(o[3]!.ret, 'p', 'private is cleared only after the grace period');
  assert.equal(o[4], { ret: 0, state: { a: 'killed' }, woke: [{ task: 'B', type: 'dax.kill', ret: 0, line: 4 }] });
});

kill_dax('stores alive = false before it waits', () => {
  const o = outcomes([alloc, call('dax_srcu.read_lock', {}, 'A'), call('dax.kill', { dax: 'a' }, 'B'), call('dax.alive', { dax: 'a' }, 'A')]);
  assert.is(o[3]!.ret, false);
});

kill_dax('does not wait for readers that enter after it', () => {
  const o = outcomes([
    alloc,
    call('dax_srcu.read_lock', {}, 'A'),
    call('dax.kill', { dax: 'a' }, 'B'),
    call('dax_srcu.read_lock', {}, 'C'),
    call('dax_srcu.read_unlock', {}, 'A'),
  ]);
  assert.equal(o[4]!.woke, [{ task: 'B', type: 'dax.kill', ret: 0, line: 4 }]);
});

kill_dax('waits for readers of any device (one global SRCU domain)', () => {
  const o = outcomes([alloc, call('dax.alloc', { dax: 'b' }), call('dax_srcu.read_lock', {}, 'A'), call('dax.alive', { dax: 'b' }, 'A'), call('dax.kill', { dax: 'a' }, 'B')]);
  assert.is(o[4]!.blocked, true);
});

kill_dax('of NULL is a no-op', () => {
  assert.equal(last([call('dax.alloc', { dax: 'n', fail: ['ida'] }), call('dax.kill', { dax: 'n' })]), { ret: 0, state: {} });
});

kill_dax('is idempotent on a killed device', () => {
  assert.equal(last([alloc, call('dax.kill', { dax: 'a' }), call('dax.kill', { dax: 'a' })]), { ret: 0, state: {} });
});

kill_dax('after the device was freed is a use-after-free oops that changes nothing', () => {
  const o = outcomes([alloc, call('dax.kill', { dax: 'a' }), call('dax.put', { dax: 'a' }), call('rcu.grace_period'), call('dax.kill', { dax: 'a' }), call('dax.alloc', { dax: 'b' })]);
  assert.match(o[4]!.oops!, /^use after free: kill_dax\(\)/);
  assert.is(o[4]!.ret, undefined);
  assert.is(o[5]!.ret, 0);
});

kill_dax('inside the caller\'s own read section deadlocks with a lockdep RCU warning', () => {
  const r = replay([alloc, call('dax_srcu.read_lock', {}, 'A'), call('dax.kill', { dax: 'a' }, 'A')]);
  assert.equal(r.results[2]!.out.warn, ['suspicious RCU usage: Illegal synchronize_srcu() in same-type SRCU (or in RCU) read-side critical section']);
  assert.equal(r.summary!.blocked, [{ task: 'A', type: 'dax.kill', line: 4, where: 'synchronize_srcu' }]);
});

kill_dax('a blocked task cannot make another call (log error)', () => {
  const r = replay([alloc, call('dax_srcu.read_lock', {}, 'A'), call('dax.kill', { dax: 'a' }, 'B'), call('dax.put', { dax: 'a' }, 'B')]);
  assert.match(r.error!.message, /^test.jsonl:5:\d+: task "B" is blocked in kill_dax \(line 4\)/);
});

kill_dax('woken kills finish in the order they started waiting', () => {
  const o = outcomes([
    alloc,
    call('dax.alloc', { dax: 'b' }),
    call('dax_srcu.read_lock', {}, 'R'),
    call('dax.kill', { dax: 'b' }, 'K1'),
    call('dax.kill', { dax: 'a' }, 'K2'),
    call('dax_srcu.read_unlock', {}, 'R'),
  ]);
  assert.equal(o[5]!.woke!.map((w) => w.task), ['K1', 'K2']);
  assert.equal(o[5]!.state, { b: 'killed', a: 'killed' });
});

kill_dax.run();
