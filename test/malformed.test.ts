// Malformed input, as a user meets it: each kind of broken log is written to a file and given
// to the command, which must exit 2 with one line "daxsim: file:line:column: what was expected,
// what was found", and never a stack trace. record must leave its input, an existing output and
// the directory as they were. The logs are written here, not kept as fixtures: some are
// megabytes, some are not UTF-8.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const BIN = resolve('bin', 'daxsim.js');
const DIR = mkdtempSync(join(tmpdir(), 'daxsim-malformed-'));
const dirs = [DIR];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'daxsim-record-'));
  dirs.push(d);
  return d;
};
const HEADER = '{"daxlog": 1}';
const ALLOC = '{"event": {"type": "dax.alloc", "dax": "a"}}';

function daxsim(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: DIR, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Writes name with content and replays it; asserts exit 2 and the one-line message. */
function rejected(name: string, content: string | Buffer, message: RegExp | string): string {
  writeFileSync(join(DIR, name), content);
  const r = daxsim(['replay', name]);
  assert.is(r.code, 2, r.err);
  assert.not.match(r.err, /\n\s+at |Error:|node:internal|\n./, `one line, no stack trace: ${r.err.slice(0, 400)}`);
  if (typeof message === 'string') assert.is(r.err, `daxsim: ${name}:${message}\n`);
  else assert.match(r.err, message);
  return r.out;
}

/** More logs of a kind already replayed above: checked together by one verify at the end. */
const batch: [string, string][] = [];
function alsoRejected(name: string, content: string | Buffer, message: string): void {
  writeFileSync(join(DIR, name), content);
  batch.push([name, message]);
}

const lines = (...ls: string[]) => ls.join('\n') + '\n';
const U64 = 'expected an unsigned 64-bit integer (a number, or a string such as "4096", "0x1000" or "2M")';

const malformed = suite('malformed logs');

malformed('torn JSON: the column where the object stops, and what JSON expected there', () => {
  rejected('torn.jsonl', lines(HEADER, '{"event": {"type": "dax.alloc", "dax": "a"', ALLOC), '2:43: bad JSON: expected close brace, found the end of the line');
  alsoRejected('torn-string.jsonl', lines(HEADER, '{"event": {"type": "dax.al'), '2:20: bad JSON: unexpected end of string, found "\\"dax.al"');
});

malformed('unknown keys in the step, the event, the header and its config, with the keys allowed there', () => {
  rejected('typo.jsonl', lines(HEADER, '{"event": {"type": "dax.alloc", "dax": "a"}, "expcet": {}}'), '2:46: expcet: unknown key; expected one of "seq", "task", "event", "expect", "note"');
  alsoRejected('event-key.jsonl', lines(HEADER, '{"event": {"type": "dax.kill", "dax": "a", "now": true}}'), '2:44: event.now: unknown key; expected one of "type", "dax", "fail"');
  alsoRejected('config-key.jsonl', lines('{"daxlog": 1, "config": {"thp": "never", "numa": 2}}'), '1:42: config.numa: unknown key; expected one of "nr_dax", "thp", "pud", "fs_dax", "mmap_base"');
  alsoRejected('header-key.jsonl', lines('{"daxlog": 1, "version": 2}'), '1:15: version: unknown key; expected one of "daxlog", "kernel", "config", "note"');
});

malformed('an unknown event type, with the types there are', () => {
  rejected('type.jsonl', lines(HEADER, '{"event": {"type": "dax.frob", "dax": "a"}}'), /^daxsim: type.jsonl:2:20: event.type: expected one of "dax.alloc", "dax.kill", .*"vma.access", found "dax.frob"\n$/);
});

malformed('wrong field types: what the field takes and what it held', () => {
  rejected('handle-number.jsonl', lines(HEADER, '{"event": {"type": "dax.alloc", "dax": 7}}'), '2:40: event.dax: expected a handle (1 to 64 characters of [A-Za-z0-9_.:/-]), found 7');
  alsoRejected('bool.jsonl', lines(HEADER, '{"event": {"type": "vma.access", "vma": "v", "off": 0, "write": "yes"}}'), '2:65: event.write: expected true or false, found "yes"');
  alsoRejected('negative.jsonl', lines(HEADER, '{"event": {"type": "vma.fault", "vma": "v", "off": -4096, "size": "PMD"}}'), `2:52: event.off: ${U64}, found -4096`);
  alsoRejected('res.jsonl', lines(HEADER, '{"event": {"type": "dev_dax.create", "parent": "p", "res": {"start": 0}}}'), '2:60: event.res: expected a list of resources, found {"start":0}');
  alsoRejected('missing.jsonl', lines(HEADER, '{"event": {"type": "dax.kill"}}'), '2:11: event.dax: expected a handle (1 to 64 characters of [A-Za-z0-9_.:/-]), found nothing');
  alsoRejected('not-object.jsonl', lines(HEADER, '[1, 2]'), '2:1: expected a JSON object, found [1,2]');
});

malformed('an unknown format version, or a header that is not one', () => {
  rejected('version.jsonl', lines('{"daxlog": 2}', ALLOC), '1:12: daxlog: expected format version 1, found 2');
  alsoRejected('kernel.jsonl', lines('{"daxlog": 1, "kernel": "v6.8"}'), '1:25: kernel: expected "7b6be8444e0f", the only kernel v1 knows, found "v6.8"');
});

malformed('a missing header: a step first, or nothing at all', () => {
  rejected('no-header.jsonl', lines(ALLOC), '1:1: expected the header {"daxlog": 1, …} before the first step, found a step');
  alsoRejected('empty.jsonl', '', '1:1: expected the header {"daxlog": 1, …}, found the end of the file');
  alsoRejected('comments-only.jsonl', lines('# a log', ''), '2:1: expected the header {"daxlog": 1, …}, found the end of the file');
});

malformed('seq out of order', () => {
  const out = rejected('seq.jsonl', lines(HEADER, '{"seq": 1, "event": {"type": "dax.alloc", "dax": "a"}}', '{"seq": 3, "event": {"type": "dax.alive", "dax": "a"}}'), "3:9: seq: expected 2 (this step's position), found 3");
  assert.match(out, /^#1 line 2 main alloc_dax\(dax=a\) = 0\n/, 'steps before the error are printed');
});

malformed('a step for a blocked task names the call it waits in', () => {
  const log = lines(HEADER, ALLOC, '{"task": "A", "event": {"type": "dax_srcu.read_lock"}}', '{"task": "B", "event": {"type": "dax.kill", "dax": "a"}}', '{"task": "B", "event": {"type": "dax.alive", "dax": "a"}}');
  rejected('blocked.jsonl', log, '5:10: task "B" is blocked in kill_dax (line 4) and cannot make another call until it is woken');
});

malformed('handles the log never created, or of another kind', () => {
  rejected('no-dax.jsonl', lines(HEADER, '{"event": {"type": "dax.kill", "dax": "zz"}}'), '2:39: event.dax: no dax_device was created under the handle "zz"');
  alsoRejected('no-fd.jsonl', lines(HEADER, '{"event": {"type": "file.close", "fd": "f9"}}'), '2:40: event.fd: no file was created under the handle "f9"');
  alsoRejected('no-parent.jsonl', lines(HEADER, '{"event": {"type": "driver.unbind", "parent": "pfn7"}}'), '2:47: event.parent: no region was ever set up on "pfn7"');
  alsoRejected('kind.jsonl', lines(HEADER, ALLOC, '{"event": {"type": "file.close", "fd": "a"}}'), '3:40: event.fd: "a" names a dax_device, expected a file');
});

malformed('integers beyond 64 bits, as numbers and as strings', () => {
  const probe = (start: string) => lines(HEADER, `{"event": {"type": "dax_pmem.probe", "parent": "p", "start": ${start}, "size": "4M"}}`);
  rejected('big-number.jsonl', probe('18446744073709551616'), '2:62: event.start: expected an unsigned 64-bit integer, found 18446744073709551616 (beyond 64 bits)');
  alsoRejected('big-hex.jsonl', probe('"0x10000000000000000"'), '2:62: event.start: expected an unsigned 64-bit integer, found "0x10000000000000000" (beyond 64 bits)');
  alsoRejected('big-unit.jsonl', probe('"17179869184G"'), '2:62: event.start: expected an unsigned 64-bit integer, found "17179869184G" (beyond 64 bits)');
  alsoRejected('fraction.jsonl', probe('4096.5'), `2:62: event.start: ${U64}, found 4096.5`);
});

malformed('a line of several megabytes fails at the 1 MiB limit, without reading it whole', () => {
  const note = 'x'.repeat(3 << 20);
  const limit = 'expected a line of at most 1048576 bytes (the limit for a daxlog line), found a longer one';
  rejected('long-line.jsonl', lines(HEADER, `{"event": {"type": "rcu.grace_period"}, "note": "${note}"}`, ALLOC), `2:1: ${limit}`);
  alsoRejected('long-last-line.jsonl', `${HEADER}\n{"note": "${note}"`, `2:1: ${limit}`);
  alsoRejected('no-newline-at-all.jsonl', Buffer.alloc(5 << 20, 0x41), `1:1: ${limit}`);
});

malformed('a file that is not UTF-8: the line, the column and the byte', () => {
  rejected('latin1.jsonl', Buffer.from(lines(HEADER, ALLOC, '{"event": {"type": "dax.alloc", "dax": "b", "private": "caf\xe9"}}'), 'latin1'), '3:60: expected UTF-8 text, found the byte 0xe9');
  alsoRejected('utf16.jsonl', Buffer.from('\ufeff' + lines(HEADER), 'utf16le'), '1:1: expected UTF-8 text, found the byte 0xff');
  alsoRejected('bom.jsonl', '\ufeff' + lines(HEADER), '1:1: bad JSON: invalid symbol, found "\\ufeff{\\"daxlog\\": "');
});

malformed('an unterminated last line: a whole object is a last line, a torn one is an error', () => {
  writeFileSync(join(DIR, 'last.jsonl'), `${HEADER}\n${ALLOC}`);
  const ok = daxsim(['replay', 'last.jsonl']);
  assert.is(ok.code, 0, ok.err);
  assert.match(ok.out, /^#1 line 2 main alloc_dax\(dax=a\) = 0\n/);
  rejected('torn-last.jsonl', `${HEADER}\n${ALLOC}\n{"event": {"type": "dax.ki`, '3:20: bad JSON: unexpected end of string, found "\\"dax.ki"');
  alsoRejected('torn-last-key.jsonl', `${HEADER}\n${ALLOC}\n{"event": {"type": "dax.kill", "dax": "a"}, "exp`, '3:45: bad JSON: unexpected end of string, found "\\"exp"');
});

malformed('verify reports each broken log with file:line:column and exits 2 (and the other logs of each kind above)', () => {
  const r = daxsim(['verify', 'torn.jsonl', 'last.jsonl', ...batch.map(([name]) => name)]);
  assert.is(r.code, 2);
  assert.is(r.err, '');
  const out = r.out.split('\n');
  assert.is(out[0], 'error  torn.jsonl:2:43: bad JSON: expected close brace, found the end of the line');
  assert.match(out[1]!, /^ok {5}last.jsonl \(1 steps?\)$/);
  batch.forEach(([name, message], i) => assert.is(out[i + 2], `error  ${name}:${message}`));
  assert.match(out[batch.length + 2]!, new RegExp(`^${batch.length + 2} logs, \\d+ steps: 1 verified, 0 diverged, ${batch.length + 1} log errors$`));
});

malformed.run();

// ---------------------------------------------------------------------------------------------
const record = suite('daxsim record on malformed input');

/** The files of DIR and their bytes. */
const snapshot = (dir: string) => Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));

record('a log error deep in a long log leaves the input, an existing output and the directory as they were', () => {
  const dir = tmp();
  const steps = Array.from({ length: 40000 }, (_, i) => `{"event": {"type": "rcu.grace_period"}, "note": "step ${i}"}`);
  writeFileSync(join(dir, 'in.jsonl'), lines(HEADER, ...steps, '{"event": {"type": "dax.kill", "dax": "nobody"}}'));
  writeFileSync(join(dir, 'out.jsonl'), 'the previous recording\n');
  const before = snapshot(dir);
  const r = spawnSync(process.execPath, [BIN, 'record', 'in.jsonl', '-o', 'out.jsonl'], { cwd: dir, encoding: 'utf8' });
  assert.is(r.status, 2);
  assert.is(r.stderr, 'daxsim: in.jsonl:40002:39: event.dax: no dax_device was created under the handle "nobody"\n');
  assert.equal(snapshot(dir), before, 'no temporary file left, nothing overwritten');
});

record('writes a new file and renames it over the old output', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'in.jsonl'), lines(HEADER, ALLOC));
  writeFileSync(join(dir, 'out.jsonl'), 'the previous recording\n');
  const inode = statSync(join(dir, 'out.jsonl')).ino;
  const r = spawnSync(process.execPath, [BIN, 'record', 'in.jsonl', '-o', 'out.jsonl'], { cwd: dir, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.is.not(statSync(join(dir, 'out.jsonl')).ino, inode, 'a new file, not the old one rewritten');
  assert.equal(readdirSync(dir).sort(), ['in.jsonl', 'out.jsonl']);
  assert.match(readFileSync(join(dir, 'out.jsonl'), 'utf8'), /^\{"daxlog": 1\}\n\{"event":\{"type":"dax.alloc","dax":"a"\},"expect":\{"ret":0,/);
});

record('a torn last line, a line past the limit or bytes that are not UTF-8: exit 2 and no output', () => {
  for (const name of ['torn-last.jsonl', 'long-last-line.jsonl', 'latin1.jsonl']) {
    const r = daxsim(['record', name, '-o', `${name}.rec`]);
    assert.is(r.code, 2, name);
    assert.match(r.err, new RegExp(`^daxsim: ${name.replace('.', '\\.')}:\\d+:\\d+: `));
    assert.not.ok(existsSync(join(DIR, `${name}.rec`)), name);
  }
  assert.not.ok(readdirSync(DIR).some((f) => f.endsWith('.tmp')), 'no temporary file left');
});

record.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

record.run();
