// The daxsim command, spawned as a user runs it: exit codes, stdout, stderr.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = resolve('.');
const BIN = join(ROOT, 'bin', 'daxsim.js');
const TRACE = 'traces/srcu/kill-waits-for-reader.jsonl';

function daxsim(args: string[], opts: { cwd?: string; input?: string } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, input: opts.input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const tmp = () => mkdtempSync(join(tmpdir(), 'daxsim-'));

const replay = suite('daxsim replay');

replay('prints each step with its kernel function and exits 0 when all expectations hold', () => {
  const r = daxsim(['replay', TRACE]);
  assert.is(r.code, 0);
  assert.is(r.err, '');
  assert.match(r.out, /^#1 line 2 main alloc_dax\(dax=a private=p\) = 0\n {4}state {4}a: alive\n {4}minor {4}0\n/);
  assert.match(r.out, /#3 line 4 B kill_dax\(dax=a\) blocked\n/);
  assert.match(r.out, /woke {5}B kill_dax \(line 4\) = 0/);
  assert.match(r.out, /\n8 steps; no divergence; no task left blocked\n$/);
});

replay('gives the same bytes on every run and from any working directory', () => {
  const a = daxsim(['replay', TRACE]);
  const b = daxsim(['replay', join(ROOT, TRACE)], { cwd: tmp() });
  const c = daxsim(['replay', '--json', TRACE]);
  const d = daxsim(['replay', '--json', join(ROOT, TRACE)], { cwd: '/' });
  assert.is(a.out, b.out);
  assert.is(c.out, d.out);
});

replay('--json prints one JSON object per step with seq, line, task, event, expect and out', () => {
  const r = daxsim(['replay', '--json', TRACE]);
  const lines = r.out.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.is(lines.length, 9, 'eight steps and the summary');
  assert.equal(Object.keys(lines[2]), ['seq', 'line', 'task', 'event', 'expect', 'out']);
  assert.equal(lines[2].out, { state: { a: 'killing' }, blocked: true });
  assert.equal(lines[5].out.woke, [{ task: 'B', type: 'dax.kill', ret: 0, line: 4 }]);
});

replay('--json ends with one summary line: steps, divergences, and the tasks left blocked (ruling 16)', () => {
  const log = [
    '{"daxlog": 1}',
    '{"event": {"type": "dax.alloc", "dax": "a"}, "expect": {"ret": 1}}',
    '{"task": "A", "event": {"type": "dax_srcu.read_lock"}}',
    '# B waits for A, which never unlocks',
    '{"task": "B", "event": {"type": "dax.kill", "dax": "a"}}',
  ].join('\n');
  const r = daxsim(['replay', '--json', '-'], { input: log });
  assert.is(r.code, 1);
  const last = r.out.trimEnd().split('\n').at(-1)!;
  assert.is(last, '{"summary":{"steps":3,"diverged":1,"blocked":[{"task":"B","type":"dax.kill","line":5}]}}');
  assert.equal(Object.keys(JSON.parse(last).summary), ['steps', 'diverged', 'blocked']);
  assert.is(r.out.split('\n').filter((l) => l.includes('"summary"')).length, 1);
  const human = daxsim(['replay', '-'], { input: log });
  assert.match(human.out, /\n3 steps; 1 diverged; task B blocked in kill_dax \(line 5\), sleeping in synchronize_srcu\n$/, 'the human summary stays');
  const bad = daxsim(['replay', '--json', 'test/fixtures/bad-field.jsonl']);
  assert.is(bad.code, 2);
  assert.not.match(bad.out, /summary/, 'no summary for a log that could not be replayed');
});

replay('exits 1 and reports each divergence', () => {
  const r = daxsim(['replay', 'test/fixtures/diverges.jsonl']);
  assert.is(r.code, 1);
  assert.match(r.out, /✗ ret: expected 1, got 0/);
  assert.match(r.out, /✗ warn: expected \[\], got \["kill_dax\(\) must be called before final iput\(\)"\]/);
  const j = daxsim(['replay', '--json', 'test/fixtures/diverges.jsonl']);
  assert.is(j.code, 1);
  assert.equal(JSON.parse(j.out.split('\n')[0]!).diverged, [{ key: 'ret', expected: 1, actual: 0 }]);
});

replay('exits 2 on a log error with file:line:column and no stack trace', () => {
  const r = daxsim(['replay', 'test/fixtures/bad-field.jsonl']);
  assert.is(r.code, 2);
  assert.is(r.err, 'daxsim: test/fixtures/bad-field.jsonl:3:39: event.dax: expected a handle (1 to 64 characters of [A-Za-z0-9_.:/-]), found 7\n');
  assert.match(r.out, /^#1 line 2 main alloc_dax/, 'steps before the error are printed');
});

replay("reads standard input for '-'", () => {
  const r = daxsim(['replay', '-'], { input: readFileSync(TRACE, 'utf8') });
  assert.is(r.code, 0);
  assert.is(r.out, daxsim(['replay', TRACE]).out);
  const bad = daxsim(['replay', '-'], { input: '{"daxlog": 1}\n{"event": {"type": "nope"}}\n' });
  assert.is(bad.code, 2);
  assert.match(bad.err, /^daxsim: -:2:20: event.type: expected one of/);
});

replay('exits 2 for a missing file, a non-UTF-8 file and usage errors', () => {
  assert.match(daxsim(['replay', 'no/such.jsonl']).err, /^daxsim: no\/such.jsonl: cannot read: ENOENT/);
  assert.is(daxsim(['replay', 'no/such.jsonl']).code, 2);
  const dir = tmp();
  writeFileSync(join(dir, 'latin1.jsonl'), Buffer.from('{"daxlog": 1, "note": "caf\xe9"}\n', 'latin1'));
  const r = daxsim(['replay', join(dir, 'latin1.jsonl')]);
  assert.is(r.code, 2);
  assert.match(r.err, /latin1.jsonl:1:27: expected UTF-8 text, found the byte 0xe9/);
  assert.is(daxsim(['replay']).code, 2);
  assert.is(daxsim(['frobnicate']).code, 2);
  assert.is(daxsim(['replay', TRACE, '--jsno']).code, 2);
  assert.is(daxsim(['--help']).code, 0);
});

replay.run();

const verify = suite('daxsim verify');

verify('verifies every log under a directory, one line each, with a closing total', () => {
  const r = daxsim(['verify', 'traces/srcu']);
  assert.is(r.code, 0);
  const lines = r.out.trimEnd().split('\n');
  assert.match(lines[0]!, /^ok {5}traces\/srcu\/global-domain.jsonl \(7 steps\)$/);
  assert.match(r.out, /self-deadlock.jsonl \(6 steps; task A left blocked in kill_dax \(line 4\), sleeping in synchronize_srcu\)/);
  assert.match(lines.at(-1)!, /^9 logs, \d+ steps: 9 verified, 0 diverged, 0 log errors$/);
});

verify('exits 1 when a log diverges and 2 when any log has an error', () => {
  const d = daxsim(['verify', TRACE, 'test/fixtures/diverges.jsonl']);
  assert.is(d.code, 1);
  assert.match(d.out, /FAIL {3}test\/fixtures\/diverges.jsonl: 2 of 2 steps diverged; first at line 2: ret expected 1, got 0/);
  const e = daxsim(['verify', 'test/fixtures']);
  assert.is(e.code, 2);
  assert.match(e.out, /error {2}test\/fixtures\/bad-field.jsonl:3:39/);
  assert.match(e.out, /2 logs, 3 steps: 0 verified, 1 diverged, 1 log errors\n$/);
});

verify.run();

const record = suite('daxsim record');

record('writes the log back with expectations from the outcomes, which then verify', () => {
  const dir = tmp();
  const out = join(dir, 'rec.jsonl');
  const r = daxsim(['record', 'test/fixtures/diverges.jsonl', '-o', out]);
  assert.is(r.code, 0);
  assert.is(r.err, `recorded 2 steps to ${out}\n`);
  const lines = readFileSync(out, 'utf8').split('\n');
  assert.is(lines[0], '{"daxlog": 1, "note": "a log whose expectations are wrong on purpose (CLI tests)"}', 'the header line is kept as written');
  assert.is(lines[1], '{"event":{"type":"dax.alloc","dax":"a"},"expect":{"ret":0,"state":{"a":"alive"},"warn":[]}}');
  assert.is(daxsim(['verify', out]).code, 0);
});

record('records blocked steps and oopses', () => {
  const dir = tmp();
  const out = join(dir, 'rec.jsonl');
  assert.is(daxsim(['record', 'traces/lifecycle/use-after-free.jsonl', '-o', out]).code, 0);
  assert.match(readFileSync(out, 'utf8'), /"expect":\{"state":\{\},"warn":\[\],"oops":"use after free: put_dax\(\)/);
  assert.is(daxsim(['record', TRACE, '-o', out]).code, 0);
  assert.match(readFileSync(out, 'utf8'), /"expect":\{"state":\{"a":"killing"\},"warn":\[\],"blocked":true\}/);
  assert.is(daxsim(['verify', out]).code, 0);
});

record('never writes over its input, and writes nothing on a log error', () => {
  const dir = tmp();
  const log = join(dir, 'in.jsonl');
  const text = readFileSync(TRACE, 'utf8');
  writeFileSync(log, text);
  const r = daxsim(['record', log, '-o', log]);
  assert.is(r.code, 2);
  assert.match(r.err, /refusing to write the recorded log over its input/);
  assert.is(readFileSync(log, 'utf8'), text);
  const out = join(dir, 'out.jsonl');
  assert.is(daxsim(['record', 'test/fixtures/bad-field.jsonl', '-o', out]).code, 2);
  assert.not.ok(existsSync(out));
  assert.is(daxsim(['record', TRACE]).code, 2, '-o is required');
});

record.run();
