import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { call, last, outcomes, replay } from './helpers.ts';

const alloc_dax = suite('alloc_dax');

alloc_dax('returns minor 0 on a fresh system, alive, with private as given', () => {
  const [a, p] = outcomes([call('dax.alloc', { dax: 'a', private: 'p' }), call('dax.get_private', { dax: 'a' })]);
  assert.equal(a, { ret: 0, state: { a: 'alive' }, minor: 0 });
  assert.is(p!.ret, 'p');
});

alloc_dax('private defaults to the handle', () => {
  assert.is(last([call('dax.alloc', { dax: 'dev7' }), call('dax.get_private', { dax: 'dev7' })]).ret, 'dev7');
});

alloc_dax('hands out the lowest free minor', () => {
  const o = outcomes(['a', 'b', 'c'].map((d) => call('dax.alloc', { dax: d })));
  assert.equal(o.map((x) => x.ret), [0, 1, 2]);
});

alloc_dax('bounds minors by max(nr_dax, 256) and returns NULL beyond', () => {
  const steps = Array.from({ length: 257 }, (_, i) => call('dax.alloc', { dax: `d${i}` }));
  for (const nr_dax of [1, 100, 256]) {
    const o = outcomes(steps, { nr_dax });
    assert.is(o[255]!.ret, 255);
    assert.equal(o[256], { ret: 'NULL', state: {} });
  }
  const o = outcomes(steps, { nr_dax: 300 });
  assert.is(o[256]!.ret, 256);
});

alloc_dax('returns NULL and gives the minor back when iget5_locked fails', () => {
  const o = outcomes([call('dax.alloc', { dax: 'a', fail: ['iget5_locked'] }), call('dax.alloc', { dax: 'b' })]);
  assert.equal(o[0], { ret: 'NULL', state: {} });
  assert.is(o[1]!.ret, 0);
});

alloc_dax('returns NULL when the minor IDA fails', () => {
  assert.equal(last([call('dax.alloc', { dax: 'a', fail: ['ida'] })]), { ret: 'NULL', state: {} });
});

alloc_dax('a failure site the call never reaches is a log error', () => {
  const steps = Array.from({ length: 256 }, (_, i) => call('dax.alloc', { dax: `d${i}` }));
  const r = replay([...steps, call('dax.alloc', { dax: 'x', fail: ['iget5_locked'] })], { nr_dax: 256 });
  assert.match(r.error!.message, /test.jsonl:258:\d+: event.fail: this call never reaches the site "iget5_locked"/);
  const r2 = replay([call('dax.alloc', { dax: 'x', fail: ['cdev_device_add'] })]);
  assert.match(r2.error!.message, /never reaches the site "cdev_device_add"/);
});

alloc_dax('reusing the handle of a live device is a log error', () => {
  const r = replay([call('dax.alloc', { dax: 'a' }), call('dax.kill', { dax: 'a' }), call('dax.put', { dax: 'a' }), call('dax.alloc', { dax: 'a' })]);
  assert.match(r.error!.message, /^test.jsonl:5:\d+: event.dax: "a" still names a live dax_device \(state destroyed\)/);
});

alloc_dax('a handle may be reused once its device is freed or its alloc returned NULL', () => {
  const o = outcomes([
    call('dax.alloc', { dax: 'a', fail: ['ida'] }),
    call('dax.alloc', { dax: 'a' }),
    call('dax.kill', { dax: 'a' }),
    call('dax.put', { dax: 'a' }),
    call('rcu.grace_period'),
    call('dax.alloc', { dax: 'a' }),
  ]);
  assert.equal(o[5], { ret: 0, state: { a: 'alive' }, minor: 0 });
});

alloc_dax.run();
