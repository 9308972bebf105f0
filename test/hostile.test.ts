// Hostile input and the user's files, as a user meets them through the command: nesting deep
// enough to overflow a recursive parser, keys written twice (ruling 15), numbers JSON.parse
// cannot hold, control characters aimed at the terminal, and -o pointed at things that must
// not be replaced or cannot be written (ruling 17), and interrupts mid-way. Each must end in
// exit 2 (130 / 143 for an interrupt) with one clear line, never a stack trace, and leave the
// user's files as they were. The logs are written here: some are megabytes.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const BIN = resolve('bin', 'daxsim.js');
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'daxsim-hostile-'));
  dirs.push(d);
  return d;
};
const DIR = tmp();
const HEADER = '{"daxlog": 1}';
const ALLOC = '{"event": {"type": "dax.alloc", "dax": "a"}}';
const lines = (...ls: string[]) => ls.join('\n') + '\n';

function daxsim(args: string[], opts: { cwd?: string; input?: string | Buffer; shell?: string } = {}) {
  // Under a file size limit (shell), tsx must not write its cache: only daxsim's output may fail.
  const env = { ...process.env, NO_COLOR: '1', ...(opts.shell === undefined ? {} : { TSX_DISABLE_CACHE: '1' }) };
  const r =
    opts.shell === undefined
      ? spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? DIR, input: opts.input, encoding: 'utf8', env })
      : spawnSync('sh', ['-c', `${opts.shell}; exec "$0" "$@"`, process.execPath, BIN, ...args], { cwd: opts.cwd ?? DIR, encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** One line on stderr, no stack trace. */
function oneLine(err: string): void {
  assert.not.match(err, /\n\s+at |Error:|node:internal|RangeError|\n./, `one line, no stack trace: ${err.slice(0, 400)}`);
}

/** Writes name with content, replays it, and expects exit 2 with exactly this message. */
function rejected(name: string, content: string, message: string): void {
  writeFileSync(join(DIR, name), content);
  const r = daxsim(['replay', name]);
  oneLine(r.err);
  assert.is(r.err, `daxsim: ${name}:${message}\n`);
  assert.is(r.code, 2);
}

/**
 * More logs of a kind one of which `rejected` replayed: written now, and checked together by
 * one `verify` (checkBatch), which reports each with the same message (a process each would
 * make this file several times slower).
 */
let batch: [string, string][] = [];
function alsoRejected(name: string, content: string, message: string): void {
  writeFileSync(join(DIR, name), content);
  batch.push([name, `error  ${name}:${message}`]);
}

/** Verifies the batch (and `ok` logs given as [name, line]); expects each line as listed. */
function checkBatch(): void {
  const r = daxsim(['verify', ...batch.map(([name]) => name)]);
  oneLine(r.err);
  const out = r.out.trimEnd().split('\n');
  batch.forEach(([name, line], i) => assert.is(out[i], line, name));
  assert.is(out.length, batch.length + 1);
  assert.is(r.code, 2);
  batch = [];
}

/** The files of a directory and their bytes (symbolic links as their targets' names). */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir).map((f) => {
      const p = join(dir, f);
      const st = lstatSync(p);
      return [f, st.isSymbolicLink() ? `-> ${readlinkSync(p)}` : st.isFile() ? readFileSync(p).toString('base64') : `mode ${st.mode}`];
    }),
  );
}
const isRoot = process.getuid?.() === 0;

// ---------------------------------------------------------------------------------------------
const deep = suite('deep nesting');

const DEPTH = 'expected at most 64 levels of nested objects and lists, found a 65th';
/** A header whose note holds `open` nested n times around `inner`; column 86 opens the 65th level. */
const nested = (n: number, inner: string, open = '[', close = ']') => `{"daxlog": 1, "note": ${open.repeat(n)}${inner}${close.repeat(n)}}`;
const AT_65 = 22 + 63 + 1;

deep('3,000 levels with a fraction (the exact-number path): exit 2 at the 65th level', () => {
  rejected('deep-3k.jsonl', lines(nested(3000, '1.5'), ALLOC), `1:${AT_65}: ${DEPTH}`);
});

deep('100,000 levels of lists and of objects (jsonc-parser\'s depth), valid and torn', () => {
  alsoRejected('deep-100k.jsonl', lines(nested(100_000, '1')), `1:${AT_65}: ${DEPTH}`);
  alsoRejected('deep-100k-objects.jsonl', lines(nested(100_000, '1', '{"k": ', '}')), `1:${22 + 63 * 6 + 1}: ${DEPTH}`);
  alsoRejected('deep-100k-torn.jsonl', lines(`{"daxlog": 1, "note": ${'['.repeat(100_000)}`), `1:${AT_65}: ${DEPTH}`);
});

deep('about a million levels, as deep as a 1 MiB line goes: balanced, and opened only', () => {
  alsoRejected('deep-500k.jsonl', lines(nested(524_000, '1')), `1:${AT_65}: ${DEPTH}`);
  alsoRejected('deep-1m.jsonl', lines(`{"daxlog": 1, "note": ${'['.repeat(1_040_000)}`), `1:${AT_65}: ${DEPTH}`);
});

deep('a syntax error before the deep part is reported, not the depth', () => {
  alsoRejected('deep-after-error.jsonl', lines(`{"daxlog" 1, "note": ${'['.repeat(100_000)}`), '1:11: bad JSON: expected colon, found "1, \\"note\\": ["');
});

// The step, its expect, and 62 lists around the expected ret: 64 levels.
const RET_64 = `${'['.repeat(62)}0${']'.repeat(62)}`;

deep('64 levels pass the depth check (and meet the schema), 65 do not', () => {
  const step = (ret: string) => lines(HEADER, `{"event": {"type": "dax.alloc", "dax": "a"}, "expect": {"ret": ${ret}}}`);
  alsoRejected('deep-64.jsonl', step(RET_64), '2:64: expect.ret: expected a number, string, boolean or null, found [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[...');
  alsoRejected('deep-65.jsonl', step(`[${RET_64}]`), `2:${64 + 62}: ${DEPTH}`);
});

deep('verify reports each deep log and goes on with the others (and the logs above)', () => {
  writeFileSync(join(DIR, 'fine.jsonl'), lines(HEADER, ALLOC));
  batch.splice(2, 0, ['fine.jsonl', 'ok     fine.jsonl (1 steps)']);
  batch.unshift(['deep-3k.jsonl', `error  deep-3k.jsonl:1:${AT_65}: ${DEPTH}`]);
  checkBatch();
});

deep.run();

// ---------------------------------------------------------------------------------------------
const twice = suite('a key written twice (ruling 15)');

const TWICE = (name: string, key: string, first: number) => `${name}: expected each key once in an object, found "${key}" again (first at column ${first})`;

twice('in the header: the second key, whatever the values', () => {
  rejected('twice-header.jsonl', lines('{"daxlog":1,"daxlog":2}'), `1:13: ${TWICE('daxlog', 'daxlog', 2)}`);
  alsoRejected('twice-header-same.jsonl', lines('{"daxlog": 1, "note": "x", "daxlog": 1}'), `1:28: ${TWICE('daxlog', 'daxlog', 2)}`);
  alsoRejected('twice-config.jsonl', lines('{"daxlog": 1, "config": {"thp": "never", "thp": "always"}}'), `1:42: ${TWICE('config.thp', 'thp', 26)}`);
});

twice('in the envelope, the event, expect, and lists of objects', () => {
  alsoRejected('twice-envelope.jsonl', lines(HEADER, '{"task": "A", "event": {"type": "dax.alloc", "dax": "a"}, "task": "B"}'), `2:59: ${TWICE('task', 'task', 2)}`);
  alsoRejected('twice-event.jsonl', lines(HEADER, '{"event": {"type": "dax.alloc", "dax": "a", "dax": "b"}}'), `2:45: ${TWICE('event.dax', 'dax', 33)}`);
  alsoRejected('twice-expect.jsonl', lines(HEADER, '{"event": {"type": "dax.alloc", "dax": "a"}, "expect": {"ret": 0, "ret": 1}}'), `2:67: ${TWICE('expect.ret', 'ret', 57)}`);
  alsoRejected('twice-state.jsonl', lines(HEADER, '{"event": {"type": "dax.alloc", "dax": "a"}, "expect": {"state": {"a": "alive", "a": "freed"}}}'), `2:81: ${TWICE('expect.state.a', 'a', 67)}`);
  alsoRejected(
    'twice-res.jsonl',
    lines(HEADER, '{"event": {"type": "dev_dax.create", "parent": "p", "res": [{"start": 0, "size": "2M", "start": 4096}]}}'),
    `2:88: ${TWICE('event.res.0.start', 'start', 62)}`,
  );
});

twice('the first repeat in the line is the one reported, however deep', () => {
  alsoRejected('twice-two.jsonl', lines(HEADER, '{"event": {"type": "dax.alloc", "dax": "a", "dax": "b"}, "event": {}}'), `2:45: ${TWICE('event.dax', 'dax', 33)}`);
  alsoRejected('twice-proto.jsonl', lines(HEADER, '{"event": {"type": "dax.alloc", "dax": "a"}, "expect": {"state": {"__proto__": null, "__proto__": null}}}'), `2:86: ${TWICE('expect.state.__proto__', '__proto__', 67)}`);
  checkBatch();
});

twice('keys that only look alike, and colons inside strings, are not repeats', () => {
  writeFileSync(
    join(DIR, 'not-twice.jsonl'),
    lines('{"daxlog": 1, "note": "a: b: c"}', '{"event": {"type": "dax.alloc", "dax": "a:b", "private": "\\":\\" dax: \\\\"}, "note": "dax"}', '{"event": {"type": "dax.alloc", "dax": "b"}, "expect": {"state": {"a:b": "alive", "b": "alive"}}}'),
  );
  const r = daxsim(['replay', 'not-twice.jsonl']);
  assert.is(r.code, 0, r.err);
});

twice.run();

// ---------------------------------------------------------------------------------------------
const said = suite('what the messages say and where they point');

said('a number that overflows a double is shown as written, not as null', () => {
  const fault = (off: string) => lines(HEADER, `{"event": {"type": "vma.fault", "vma": "v", "off": ${off}, "size": "PMD"}}`);
  const U64 = 'expected an unsigned 64-bit integer (a number, or a string such as "4096", "0x1000" or "2M")';
  rejected('overflow.jsonl', fault('1e100000000'), `2:52: event.off: ${U64}, found 1e100000000`);
  alsoRejected('overflow-negative.jsonl', fault('-1e400'), `2:52: event.off: ${U64}, found -1e400`);
  alsoRejected('overflow-seq.jsonl', lines(HEADER, `{"seq": 1e400, ${ALLOC.slice(1)}`), '2:9: seq: expected the step number, found 1e400');
  alsoRejected('overflow-line.jsonl', lines(HEADER, '  1e999'), '2:3: expected a JSON object, found 1e999');
});

said('a control character in a string: the column of the character, not of the string', () => {
  rejected('nul.jsonl', lines(HEADER, '{"event": {"type": "dax.alloc", "dax": "a", "private": "abc\u0000def"}}'), '2:60: bad JSON: invalid character, found "\\u0000def\\"}}"');
  alsoRejected('tab.jsonl', lines(HEADER, '{"event": {"type": "dax.alloc", "dax": "a", "private": "abcdef\t"}}'), '2:63: bad JSON: invalid character, found "\\t\\"}}"');
  alsoRejected('escape.jsonl', lines(HEADER, '{"event": {"type": "dax.alloc", "dax": "a", "private": "ab\\n\\x41"}}'), '2:61: bad JSON: invalid escape character, found "\\\\x41\\"}}"');
  alsoRejected('unicode.jsonl', lines(HEADER, '{"event": {"type": "dax.alloc", "dax": "a", "private": "\\u00e9\\u12G4"}}'), '2:63: bad JSON: invalid unicode, found "\\\\u12G4\\"}}"');
  checkBatch();
});

said.run();

// ---------------------------------------------------------------------------------------------
const escapes = suite('terminal escapes in log text');

const TITLE = '\u001b]0;TITLE\u0007\u001b[2J';
/** Anything a terminal acts on: ESC, BEL, CSI (C1), other C0 controls, a direction override. */
const ACTIVE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/;

escapes('replay shows a log\'s strings with control characters escaped', () => {
  const log = lines(
    HEADER,
    JSON.stringify({ task: 'A', event: { type: 'dax.alloc', dax: 'a', private: `${TITLE}\u009b31m\u202eevil\nforged line` } }),
    JSON.stringify({ event: { type: 'dax.get_private', dax: 'a' }, expect: { ret: `x${TITLE}` } }),
  );
  writeFileSync(join(DIR, 'title.jsonl'), log);
  const r = daxsim(['replay', 'title.jsonl']);
  assert.is(r.code, 1, r.err);
  assert.not.match(r.out, ACTIVE);
  assert.ok(r.out.includes('private=\\u001b]0;TITLE\\u0007\\u001b[2J\\u009b31m\\u202eevil\\u000aforged line) = 0'), r.out);
  assert.ok(r.out.includes('✗ ret: expected x\\u001b]0;TITLE\\u0007\\u001b[2J, got \\u001b]0;TITLE'), r.out);
  const v = daxsim(['verify', 'title.jsonl']);
  assert.not.match(v.out, ACTIVE);
  assert.match(v.out, /ret expected "x\\u001b\]0;TITLE\\u0007\\u001b\[2J", got "\\u001b/);
});

escapes('error messages escape what they quote: file names, keys, values', () => {
  const name = `\u001b[2J${'\u0007'}.jsonl`;
  writeFileSync(join(DIR, name), lines(HEADER, JSON.stringify({ event: { type: 'dax.alloc', dax: 'a', [`k${TITLE}`]: 1 } })));
  const r = daxsim(['replay', name]);
  assert.is(r.code, 2);
  assert.not.match(r.err, ACTIVE);
  assert.is(
    r.err,
    'daxsim: \\u001b[2J\\u0007.jsonl:2:40: event.k\\u001b]0;TITLE\\u0007\\u001b[2J: unknown key; expected one of "type", "dax", "private", "fail"\n',
  );
  const v = daxsim(['verify', name, 'no\u001bsuch.jsonl']);
  assert.not.match(v.out, ACTIVE);
  assert.match(v.out, /error {2}no\\u001bsuch.jsonl: cannot read: ENOENT/);
  // A raw C0 character is bad JSON; the C1 one after it is quoted escaped too.
  rejected('c1.jsonl', lines(HEADER, '{"event": {"type": "dax.alloc", "dax": "a\u0001\u009b"}}'), '2:42: bad JSON: invalid character, found "\\u0001\\u009b\\"}}"');
});

escapes('record and view echo the output\'s name escaped', () => {
  writeFileSync(join(DIR, 'ok.jsonl'), lines(HEADER, ALLOC));
  const out = `out\u001b[2J.jsonl`;
  const r = daxsim(['record', 'ok.jsonl', '-o', out]);
  assert.is(r.code, 0, r.err);
  assert.is(r.err, 'recorded 1 steps to out\\u001b[2J.jsonl\n');
  const v = daxsim(['view', 'ok.jsonl', '-o', `page\u0007.html`]);
  assert.is(v.code, 0, v.err);
  assert.is(v.err, 'wrote page\\u0007.html (1 steps)\n');
});

escapes.run();

// ---------------------------------------------------------------------------------------------
const unwritable = suite('-o where nothing can be written');

/** Runs command (record or view) on a good log to -o out; expects "cannot write" and nothing left behind. */
function cannotWrite(command: string, out: string, reason: RegExp, opts: { shell?: string } = {}): void {
  const dir = tmp();
  writeFileSync(join(dir, 'in.jsonl'), lines(HEADER, ALLOC));
  const before = snapshot(dir);
  const r = daxsim([command, 'in.jsonl', '-o', out], { cwd: dir, ...opts });
  oneLine(r.err);
  assert.match(r.err, new RegExp(`^daxsim: ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot write: ${reason.source}\n$`));
  assert.is(r.code, 2);
  assert.equal(snapshot(dir), before, 'no temporary file, nothing else changed');
}

for (const command of ['record', 'view']) {
  unwritable(`${command}: a directory that does not exist, or a file used as one`, () => {
    cannotWrite(command, 'no/such/dir/out', /ENOENT: no such file or directory/);
    if (command === 'record') cannotWrite(command, 'in.jsonl/out', /ENOTDIR: not a directory/);
  });

  unwritable(`${command}: a directory it may not write in`, () => {
    if (isRoot) {
      // Root writes in any directory whatever its mode; sysfs refuses it all the same (and
      // /proc, with ENOENT).
      cannotWrite(command, '/sys/daxsim-out', /(?:EACCES: permission denied|EROFS: read-only file system)/);
    } else {
      const dir = tmp();
      chmodSync(dir, 0o555);
      cannotWrite(command, join(dir, 'out'), /EACCES: permission denied/);
    }
  });

}

// A full disk cannot be made without privileges; a file size limit (ulimit -f, in blocks of
// 512 bytes or 1 KiB depending on the shell) fails a write half-way in the same manner, EFBIG for
// ENOSPC. (Checked by hand on a 64 KiB tmpfs: "cannot write: ENOSPC: no space left on device".)
unwritable('view: a write that fails half-way: the page is some hundreds of KiB, the limit 4 blocks', () => {
  cannotWrite('view', 'out.html', /EFBIG: file too large/, { shell: 'ulimit -f 4' });
});

unwritable('record: a write that fails half-way through a long log, with the previous output kept', () => {
  const dir = tmp();
  const steps = Array.from({ length: 50000 }, (_, i) => `{"event": {"type": "rcu.grace_period"}, "note": "step ${i}"}`);
  writeFileSync(join(dir, 'in.jsonl'), lines(HEADER, ...steps));
  writeFileSync(join(dir, 'out.jsonl'), 'the previous recording\n');
  const before = snapshot(dir);
  const r = daxsim(['record', 'in.jsonl', '-o', 'out.jsonl'], { cwd: dir, shell: 'ulimit -f 2048' });
  assert.is(r.err, 'daxsim: out.jsonl: cannot write: EFBIG: file too large\n');
  assert.is(r.code, 2);
  assert.equal(snapshot(dir), before);
});

unwritable('diagram: a missing directory, a directory, a device: exit 2, no stack trace', () => {
  const dir = tmp();
  mkdirSync(join(dir, 'sub'));
  symlinkSync('/dev/null', join(dir, 'null'));
  const before = snapshot(dir);
  const cases: [string, string][] = [
    ['no/such/dir.md', 'no/such/dir.md: cannot write: ENOENT: no such file or directory'],
    ['sub', 'sub: refusing to write the diagram over a directory; choose another -o'],
    ['null', 'null: refusing to write the diagram over a device; choose another -o'],
  ];
  for (const [out, message] of cases) {
    const r = daxsim(['diagram', 'dax_device', '-o', out], { cwd: dir });
    assert.is(r.err, `daxsim: ${message}\n`);
    assert.is(r.code, 2);
  }
  assert.equal(snapshot(dir), before);
  assert.is(daxsim(['diagram', 'dax_device', '-o', 'd.md'], { cwd: dir }).code, 0);
  assert.match(readFileSync(join(dir, 'd.md'), 'utf8'), /^stateDiagram-v2\n/);
});

unwritable.run();

// ---------------------------------------------------------------------------------------------
const refused = suite('-o that must not be replaced (ruling 17)');

/** A directory holding in.jsonl (a good log) and out.jsonl (an older output). */
function workspace(): string {
  const dir = tmp();
  writeFileSync(join(dir, 'in.jsonl'), lines(HEADER, ALLOC));
  writeFileSync(join(dir, 'out.jsonl'), 'the previous output\n');
  return dir;
}

function refusedFor(dir: string, args: string[], message: string, input?: Buffer): void {
  const before = snapshot(dir);
  const r = daxsim(args, { cwd: dir, ...(input === undefined ? {} : { input }) });
  assert.is(r.err, `daxsim: ${message}\n`);
  assert.is(r.code, 2);
  assert.equal(snapshot(dir), before, 'nothing written, nothing left behind');
}

for (const [command, what] of [
  ['record', 'the recorded log'],
  ['view', 'the page'],
] as const) {
  refused(`${command}: the log being read, by name, hard link, symbolic link, or on standard input`, () => {
    const dir = workspace();
    linkSync(join(dir, 'in.jsonl'), join(dir, 'hard.jsonl'));
    symlinkSync('in.jsonl', join(dir, 'soft.jsonl'));
    const over = `refusing to write ${what} over its input`;
    refusedFor(dir, [command, 'in.jsonl', '-o', 'in.jsonl'], `in.jsonl: ${over}; choose another -o`);
    refusedFor(dir, [command, 'in.jsonl', '-o', 'hard.jsonl'], `hard.jsonl: ${over} (the same file as in.jsonl); choose another -o`);
    if (command === 'record') {
      // view asks the same function (src/replace.ts outputTarget): the other spellings once.
      refusedFor(dir, [command, 'in.jsonl', '-o', './in.jsonl'], `./in.jsonl: ${over} (the same file as in.jsonl); choose another -o`);
      refusedFor(dir, [command, 'in.jsonl', '-o', 'soft.jsonl'], `soft.jsonl: ${over} (the same file as in.jsonl); choose another -o`);
      refusedFor(dir, [command, 'soft.jsonl', '-o', 'in.jsonl'], `in.jsonl: ${over} (the same file as soft.jsonl); choose another -o`);
    }
    // Standard input from the file itself: the shell opens it, daxsim only sees fd 0.
    const r = spawnSync('sh', ['-c', `"$0" "$1" ${command} - -o in.jsonl < in.jsonl`, process.execPath, BIN], { cwd: dir, encoding: 'utf8' });
    assert.is(r.stderr, `daxsim: in.jsonl: ${over} (standard input reads it); choose another -o\n`);
    assert.is(r.status, 2);
    assert.is(readFileSync(join(dir, 'in.jsonl'), 'utf8'), lines(HEADER, ALLOC));
  });

  refused(`${command}: a directory, a FIFO, a device, a link to a device, a link to nothing`, () => {
    const dir = workspace();
    mkdirSync(join(dir, 'sub'));
    assert.is(spawnSync('mkfifo', [join(dir, 'fifo')]).status, 0, 'mkfifo');
    symlinkSync('/dev/null', join(dir, 'null'));
    symlinkSync('nowhere', join(dir, 'dangling'));
    const over = (o: string, thing: string) => `${o}: refusing to write ${what} over ${thing}; choose another -o`;
    refusedFor(dir, [command, 'in.jsonl', '-o', 'sub'], over('sub', 'a directory'));
    refusedFor(dir, [command, 'in.jsonl', '-o', 'null'], over('null', 'a device'));
    if (command === 'record') {
      refusedFor(dir, [command, 'in.jsonl', '-o', 'fifo'], over('fifo', 'a FIFO'));
      refusedFor(dir, [command, 'in.jsonl', '-o', 'dangling'], over('dangling', 'a symbolic link to nothing'));
    }
    if (isRoot && spawnSync('mknod', [join(dir, 'zero'), 'c', '1', '5']).status === 0) {
      // A device of our own: were the refusal broken, /dev/null itself would become a file.
      refusedFor(dir, [command, 'in.jsonl', '-o', 'zero'], over('zero', 'a device'));
      assert.ok(statSync(join(dir, 'zero')).isCharacterDevice());
    }
  });

  refused(`${command}: a symbolic link to a regular file writes the file and keeps the link`, () => {
    const dir = workspace();
    mkdirSync(join(dir, 'keep'));
    writeFileSync(join(dir, 'keep', 'real'), 'old\n', { mode: 0o600 });
    symlinkSync('keep/real', join(dir, 'link'));
    const r = daxsim([command, 'in.jsonl', '-o', 'link'], { cwd: dir });
    assert.is(r.code, 0, r.err);
    assert.ok(lstatSync(join(dir, 'link')).isSymbolicLink(), 'the link stays a link');
    assert.is.not(readFileSync(join(dir, 'keep', 'real'), 'utf8'), 'old\n');
    assert.is(statSync(join(dir, 'keep', 'real')).mode & 0o777, 0o600, 'the replaced file keeps its mode');
    assert.equal(readdirSync(join(dir, 'keep')), ['real']);
  });
}

refused('record: the file it replaces keeps its mode, and its owner when run as root', () => {
  const dir = workspace();
  chmodSync(join(dir, 'out.jsonl'), 0o640);
  if (isRoot) chownSync(join(dir, 'out.jsonl'), 1234, 5678);
  const r = daxsim(['record', 'in.jsonl', '-o', 'out.jsonl'], { cwd: dir });
  assert.is(r.code, 0, r.err);
  const st = statSync(join(dir, 'out.jsonl'));
  assert.is(st.mode & 0o7777, 0o640);
  if (isRoot) assert.equal([st.uid, st.gid], [1234, 5678]);
});

refused.run();

// ---------------------------------------------------------------------------------------------
const interrupted = suite('record interrupted mid-way');

let big = '';
interrupted.before(() => {
  // bench/gen.ts's own command line: 200,000 steps (15 MB), which take record some seconds.
  big = join(tmp(), 'big.jsonl');
  const r = spawnSync(process.execPath, ['--import', 'tsx', resolve('bench', 'gen.ts'), big, '200000', '64', '0.9'], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
});

/** Starts record of the big log, waits until its temporary file holds data, and sends signal. */
async function interrupt(signal: NodeJS.Signals): Promise<{ code: number | null; err: string; dir: string }> {
  const dir = tmp();
  writeFileSync(join(dir, 'out.jsonl'), 'the previous recording\n');
  const child = spawn(process.execPath, [BIN, 'record', big, '-o', 'out.jsonl'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const started = Date.now();
  for (;;) {
    const tmpFile = readdirSync(dir).find((f) => f.endsWith('.tmp'));
    if (tmpFile !== undefined && statSync(join(dir, tmpFile), { throwIfNoEntry: false })?.size) break;
    assert.ok(Date.now() - started < 20_000, 'the temporary file appears and grows');
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill(signal);
  return { code: await exited, err, dir };
}

for (const [signal, status] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  interrupted(`${signal}: exit ${status}, the previous output kept, no temporary file`, async () => {
    const r = await interrupt(signal);
    assert.is(r.err, `daxsim: out.jsonl: interrupted by ${signal}; nothing written\n`);
    assert.is(r.code, status);
    assert.equal(readdirSync(r.dir), ['out.jsonl']);
    assert.is(readFileSync(join(r.dir, 'out.jsonl'), 'utf8'), 'the previous recording\n');
  });
}

interrupted.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interrupted.run();
