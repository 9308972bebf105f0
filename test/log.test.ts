import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LogError } from '../src/errors.ts';
import { parseLog, serialiseLog, type ParsedLog } from '../src/log.ts';
import { replayText } from '../src/replay.ts';

const H = '{"daxlog": 1}';
const err = (text: string): string => {
  const r = parseLog(text, 'x.jsonl');
  if (!(r instanceof LogError)) throw new Error('expected a log error');
  return r.message;
};
const ok = (text: string): ParsedLog => {
  const r = parseLog(text, 'x.jsonl');
  if (r instanceof LogError) throw new Error(r.message);
  return r;
};

const header = suite('daxlog header');

header('defaults the config as daxlog.md §1 gives it', () => {
  assert.equal(ok(H).header.config, { nr_dax: 32768, thp: 'always', pud: true, fs_dax: true, mmap_base: 0x7f0000000000n });
});

header('reads every config key', () => {
  const c = ok('{"daxlog":1,"kernel":"7b6be8444e0f","config":{"nr_dax":300,"thp":"never","pud":false,"fs_dax":false,"mmap_base":"0x10000000"},"note":"n"}').header;
  assert.equal(c.config, { nr_dax: 300, thp: 'never', pud: false, fs_dax: false, mmap_base: 0x10000000n });
  assert.is(c.note, 'n');
});

header('rejects a wrong version, an unknown kernel and unknown keys', () => {
  assert.is(err('{"daxlog": 2}'), 'x.jsonl:1:12: daxlog: expected format version 1, found 2');
  assert.match(err('{"daxlog": 1, "kernel": "v6.8"}'), /^x.jsonl:1:25: kernel: expected "7b6be8444e0f"/);
  assert.match(err('{"daxlog": 1, "config": {"nr_dev": 4}}'), /^x.jsonl:1:26: config.nr_dev: unknown key; expected one of "nr_dax", "thp"/);
  assert.match(err('{"daxlog": 1, "config": {"thp": "sometimes"}}'), /^x.jsonl:1:33: config.thp: expected "always", "madvise" or "never", found "sometimes"/);
});

header('must come first, and must exist', () => {
  assert.match(err('{"event": {"type": "rcu.grace_period"}}\n'), /^x.jsonl:1:1: expected the header \{"daxlog": 1, …\} before the first step, found a step/);
  assert.match(err(''), /^x.jsonl:1:1: expected the header/);
  assert.match(err('# only a comment\n\n'), /^x.jsonl:2:1: expected the header .* found the end of the file/);
});

header.run();

const steps = suite('daxlog steps');

steps('skip comments and blank lines but count them for line numbers', () => {
  const log = ok(`# c\n${H}\n\n   # indented comment\n{"event":{"type":"rcu.grace_period"}}\n`);
  assert.is(log.steps.length, 1);
  assert.equal([log.steps[0]!.seq, log.steps[0]!.line, log.steps[0]!.task], [1, 5, 'main']);
});

steps('reject bad JSON with the column of the fault', () => {
  const torn = '{"event": {"type": "dax.kill", "dax": }}';
  assert.is(err(`${H}\n${torn}`), `x.jsonl:2:${torn.indexOf(' }') + 2}: bad JSON: expected value, found "}}"`);
  assert.match(err(`${H}\n{"event": {"type": "dax.kill"`), /^x.jsonl:2:\d+: bad JSON/);
  assert.match(err(`${H}\n[1, 2]`), /^x.jsonl:2:1: expected a JSON object, found \[1,2\]/);
});

steps('reject an unknown event type, naming the known ones', () => {
  assert.match(err(`${H}\n{"event": {"type": "dax.free", "dax": "a"}}`), /^x.jsonl:2:20: event.type: expected one of "dax.alloc", "dax.kill", .*found "dax.free"/);
});

steps('reject event types that are names of Object.prototype members', () => {
  for (const t of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
    assert.match(err(`${H}\n{"event": {"type": "${t}"}}`), new RegExp(`^x.jsonl:2:20: event.type: expected one of "dax.alloc", .*found "${t}"`));
  }
});

steps('reject unknown keys in the envelope, the event and expect', () => {
  assert.match(err(`${H}\n{"event": {"type": "rcu.grace_period"}, "expcet": {}}`), /^x.jsonl:2:41: expcet: unknown key; expected one of "seq", "task", "event", "expect", "note"/);
  assert.match(err(`${H}\n{"event": {"type": "dax.kill", "dax": "a", "force": true}}`), /^x.jsonl:2:44: event.force: unknown key; expected one of "type", "dax", "fail"/);
  assert.match(err(`${H}\n{"event": {"type": "rcu.grace_period"}, "expect": {"rets": 0}}`), /^x.jsonl:2:52: expect.rets: unknown key/);
});

steps('report a wrongly typed field with what was expected and found', () => {
  const line = '{"event": {"type": "vma.fault", "vma": "v", "off": 0, "size": "HUGE"}}';
  assert.is(err(`${H}\n${line}`), `x.jsonl:2:${line.indexOf('"HUGE"') + 1}: event.size: expected "PTE", "PMD", "PUD" or an integer, found "HUGE"`);
  assert.match(err(`${H}\n{"event": {"type": "dax.kill"}}`), /^x.jsonl:2:11: event.dax: expected a handle .*, found nothing/);
  assert.match(err(`${H}\n{"event": {"type": "dax.kill", "dax": "a b"}}`), /event.dax: expected a handle \(1 to 64 characters of \[A-Za-z0-9_.:\/-\]\), found "a b"/);
  assert.match(err(`${H}\n{"task": "this-name-is-too-long", "event": {"type": "rcu.grace_period"}}`), /^x.jsonl:2:10: task: expected a task name/);
  assert.match(err(`${H}\n{"event": {"type": "dax.kill", "dax": "a", "fail": ["vmalloc"]}}`), /event.fail.0: expected a failure site/);
  assert.match(err(`${H}\n{"event": {"type": "rcu.grace_period"}, "expect": {"state": {"a": 5}}}`), /expect.state.a: expected a state \("alive", .*found 5/);
  // A string that names no state is not a log error: states compare as exact strings (ruling 3),
  // so it is a divergence (test/rulings.test.ts).
});

steps('check seq against the step position', () => {
  assert.match(err(`${H}\n{"seq": 1, "event": {"type": "rcu.grace_period"}}\n{"seq": 3, "event": {"type": "rcu.grace_period"}}`), /^x.jsonl:3:9: seq: expected 2 \(this step's position\), found 3/);
});

steps('read integers of every spelling exactly, beyond 2^53', () => {
  const ev = (v: string) => (ok(`${H}\n{"event": {"type": "vma.access", "vma": "v", "off": ${v}}}`).steps[0]!.event as { off: bigint }).off;
  assert.is(ev('4096'), 4096n);
  assert.is(ev('"4096"'), 4096n);
  assert.is(ev('"0x1000"'), 4096n);
  assert.is(ev('"4K"'), 4096n);
  assert.is(ev('"2M"'), 0x200000n);
  assert.is(ev('"1G"'), 0x40000000n);
  assert.is(ev('18446744073709551615'), 0xffffffffffffffffn);
  assert.is(ev('9007199254740993'), 9007199254740993n);
  assert.is(ev('"0xFFFFFFFFFFFFFFFF"'), 0xffffffffffffffffn);
  assert.is(ev('4.096e3'), 4096n);
  assert.match(err(`${H}\n{"event": {"type": "vma.access", "vma": "v", "off": 18446744073709551616}}`), /event.off: expected an unsigned 64-bit integer, found 18446744073709551616 \(beyond 64 bits\)/);
  assert.match(err(`${H}\n{"event": {"type": "vma.access", "vma": "v", "off": "0x10000000000000000"}}`), /beyond 64 bits/);
  assert.match(err(`${H}\n{"event": {"type": "vma.access", "vma": "v", "off": -1}}`), /event.off: expected an unsigned 64-bit integer/);
  assert.match(err(`${H}\n{"event": {"type": "vma.access", "vma": "v", "off": "4KB"}}`), /event.off: expected an unsigned 64-bit integer/);
});

steps.run();

const roundTrip = suite('serialiseLog');

roundTrip('parse(serialise(x)) equals x for every trace', () => {
  const dir = 'traces';
  const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.jsonl'));
  assert.ok(files.length > 10);
  for (const f of files) {
    const x = ok(readFileSync(join(dir, f), 'utf8'));
    const y = ok(serialiseLog(x));
    const strip = (l: ParsedLog) => ({ header: l.header, steps: l.steps.map(({ line: _line, ...s }) => s) });
    assert.equal(strip(y), strip(x), f);
  }
});

roundTrip('keeps integers above 2^53 exact through a round trip', () => {
  const x = ok(`${H}\n{"event": {"type": "vma.access", "vma": "v", "off": 18446744073709551615}}`);
  assert.match(serialiseLog(x), /"off":18446744073709551615\}/);
  assert.is((ok(serialiseLog(x)).steps[0]!.event as { off: bigint }).off, 0xffffffffffffffffn);
});

roundTrip.run();

const handles = suite('handles at replay');

handles('a handle no event created is a log error naming its field', () => {
  const line = '{"event": {"type": "dax.kill", "dax": "ghost"}}';
  const r = replayText(`${H}\n${line}`, 'x.jsonl');
  assert.is(r.error!.message, `x.jsonl:2:${line.indexOf('"ghost"') + 1}: event.dax: no dax_device was created under the handle "ghost"`);
});

handles('any handle the pattern allows works, "__proto__" and "constructor" included', () => {
  const r = replayText(`${H}\n{"event": {"type": "dax.alloc", "dax": "__proto__"}, "expect": {"state": {"__proto__": "alive"}}}\n{"event": {"type": "dax.alloc", "dax": "constructor"}, "expect": {"state": {"constructor": "alive", "__proto__": "alive"}}}\n{"event": {"type": "dax.kill", "dax": "toString"}}`, 'x.jsonl');
  assert.is(r.results.length, 2);
  assert.equal(r.results.map((x) => x.diverged), [undefined, undefined]);
  assert.equal(Object.entries(r.results[0]!.out.state), [['__proto__', 'alive']]);
  assert.match(r.error!.message, /no dax_device was created under the handle "toString"/);
});

handles('the steps before a log error are replayed and returned', () => {
  const r = replayText(`${H}\n{"event": {"type": "dax.alloc", "dax": "a"}}\n{"event": {"type": "dax.put", "dax": "b"}}`, 'x.jsonl');
  assert.is(r.results.length, 1);
  assert.is(r.error!.line, 3);
});

handles.run();
