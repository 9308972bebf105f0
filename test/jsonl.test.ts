// The replay command writes --json lines byte by byte into its output buffer (writeStep); they
// must be the very bytes stepJson builds as a string, JSON.stringify's, for every value a log
// can hold. (The fuzz test checks the same for thousands of mutants of the traces.)
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { stepJson, writeStep } from '../src/jsonl.ts';
import { replayText } from '../src/replay.ts';
import { traces, Written } from '../scripts/fuzz.ts';
import { call, daxlog } from './helpers.ts';

const jsonl = suite('replay --json bytes');

function same(text: string, name: string): number {
  const r = replayText(text, name);
  const w = new Written();
  let want = '';
  for (const s of r.results) {
    want += stepJson(s);
    writeStep(w.out, s);
  }
  assert.is(w.text(), want, name);
  return r.results.length;
}

jsonl('every trace: writeStep gives the bytes of stepJson', () => {
  let steps = 0;
  for (const [name, text] of traces()) steps += same(text, name);
  assert.ok(steps > 1000, `${steps} steps`);
});

jsonl('strings that need escapes or UTF-8, odd handles, big and JSON-number integers', () => {
  const text = daxlog([
    call('dax.alloc', { dax: '__proto__', private: 'quote " backslash \\ newline \n tab \t nul \u0000 del \u007f' }),
    call('dax.alloc', { dax: 'b', private: 'ünïcödé ✓ 𝔡𝔞𝔵 and a lone surrogate \ud800' }),
    call('dax.get_private', { dax: '__proto__' }),
    // One kind of awkward character each, so that each has to be handled on its own.
    ...['back\\slash', 'qu"ote', 'new\nline', 'del\u007f', 'é', '\u2028'].map((p, i) => call('dax.alloc', { dax: `k${i}`, private: p })),
    call('dax.get_private', { dax: 'b' }),
    call('dax.kill', { dax: 'b' }),
    call('dax.put', { dax: 'b' }),
    call('dax.put', { dax: 'b' }),
    call('dax_pmem.probe', { parent: 'p', id: 7, start: 4294967296, size: '1G', align: '0x200000', dev: 'd' }),
    call('file.open', { fd: 'f', dev: 'd' }),
    call('file.mmap', { fd: 'f', vma: 'v', len: '1G', flags: 'MAP_SHARED' }),
    call('vma.access', { vma: 'v', off: 123456789, write: true }),
    call('vma.fault', { vma: 'v', off: 0, size: 'PUD', fail: [] }),
    { event: { type: 'dev_dax.create', parent: 'p', res: [{ start: '0x1000', size: 4096 }], fail: ['kzalloc'] }, expect: { ret: 'NULL', state: { '2': null, a: null } }, note: 'n' },
  ]) +
    // Integers JSON.parse would round, and spellings with a fraction or an exponent.
    '{"event":{"type":"vma.access","vma":"v","off":18446744073709551615}}\n' +
    '{"event":{"type":"vma.access","vma":"v","off":1e3},"expect":{"ret":-0.0,"phys":12345678901234567890}}\n';
  const r = replayText(text, 'odd.jsonl');
  assert.is(r.error, undefined, r.error?.message);
  assert.is(same(text, 'odd.jsonl'), 21);
});

jsonl('events written out of order, with spaces, braces in strings, -0 and fractions', () => {
  // (A key written twice is a log error since ruling 15: test/hostile.test.ts.)
  const lines = [
    '{"daxlog":1}',
    '{"event":{"type":"dax.alloc","dax":"b"}}',
    '{"event":{"type":"dax.alloc","dax":"c","private":"x}y"}}',
    '{"event":{"type":"dax.alloc","dax":"d","private":"x}"}}',
    '{"event":{"type":"dax.alloc","dax":"e","private":"{\\"}"}}',
    '{"note":"{","event":{"type":"dax.alloc","dax":"f"}}',
    '{"event":{"type":"dax.alloc", "dax":"g"}}',
    '{"event":{"dax":"h","type":"dax.alloc"},"task":"T","seq":7}',
    '{"seq":8,"event":{"type":"dax_pmem.probe","parent":"p","id":1.0,"start":4294967296,"size":"1G","align":2097152}}',
    '{"event":{"type":"dax.alloc","dax":"i","private":"-0"},"expect":{"ret":-0}}',
    '{"event":{"type":"dax.alloc","dax":"j","private":"é\u00e9"}}',
    '{"event":{"type":"dax.kill","dax":"b"},"expect":{"state":{"b":"killed"}}}',
  ];
  assert.is(same(lines.join('\n') + '\n', 'echo.jsonl'), lines.length - 1);
});

jsonl('lines longer than the output buffer', () => {
  const long = 'x'.repeat(700_000);
  const steps = [];
  for (let i = 0; i < 6; i++) steps.push(call('dax.alloc', { dax: `d${i}`, private: long + i }));
  assert.is(same(daxlog(steps), 'long.jsonl'), 6);
});

jsonl.run();
