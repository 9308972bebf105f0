// `daxsim view` spawned as a user runs it: the page as a file (the same bytes from anywhere, its
// policy, the log inside it as it was), exit codes, a part of a log with --from/--to, and a log
// too long for one page refused with nothing written. The page in a browser is
// test/viewer_page.test.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_PAGE_STEPS, type PageData } from '../src/viewer/data.ts';

const BIN = resolve('bin', 'daxsim.js');
const RACE = 'traces/device/race-fault-vs-unregister.jsonl';
const tmp = () => mkdtempSync(join(tmpdir(), 'daxsim-view-'));
const daxsim = (args: string[], cwd = process.cwd()) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

/** The data and the log text a page carries. */
export function pageParts(html: string): { data: PageData; log: string } {
  const data = /<script type="application\/json" id="daxdata">(.*?)<\/script>/s.exec(html)!;
  const log = /<script type="text\/x-daxlog" id="daxlog">(.*?)<\/script>/s.exec(html)!;
  return { data: JSON.parse(data[1]!) as PageData, log: log[1]! };
}

const page = suite('daxsim view');

page('writes one page with the log inside, the same bytes from anywhere, and a policy that lets nothing out', () => {
  const dir = tmp();
  const a = join(dir, 'a.html');
  const b = join(dir, 'b.html');
  assert.equal(daxsim(['view', RACE, '-o', a]), { code: 0, out: '', err: `wrote ${a} (8 steps)\n` });
  assert.equal(daxsim(['view', resolve(RACE), '-o', 'b.html'], dir), { code: 0, out: '', err: 'wrote b.html (8 steps)\n' });
  assert.match(readFileSync('README.md', 'utf8'), /\$ npx daxsim view traces\/device\/race-fault-vs-unregister.jsonl -o race.html\nwrote race.html \(8 steps\)\n/);
  const html = readFileSync(a, 'utf8');
  assert.is(readFileSync(b, 'utf8'), html, 'same bytes');
  const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)![1]!.split('; ');
  for (const d of ["default-src 'none'", "form-action 'none'", "base-uri 'none'"]) assert.ok(policy.includes(d), d);
  assert.not.match(html, /(src|href|action)=["']?(https?:|\/\/)/i);
  const { data, log } = pageParts(html);
  const lines = readFileSync(RACE, 'utf8').trimEnd().split('\n');
  assert.is(data.header.text, lines[0]);
  assert.is(log, lines.slice(1).join('\n'), 'the log as it is, from its first step to its last');
  assert.equal([data.from, data.to, data.steps, data.first, data.header.line], [1, 8, 8, 2, 1]);
  assert.is(data.state, undefined, 'a page of the whole log starts from the first step');
  for (const m of ['dax_device', 'dax_srcu', 'dax_region', 'dev_dax', 'file', 'vm_area']) assert.match(html, new RegExp(`<figure class="chart" data-machine="${m}">`));
});

page("the log's text cannot end its element: a < is written \\u003c, a carriage return a space, and each line means what it meant", () => {
  const dir = tmp();
  const note = 'ends </script><script>alert(1)</script> <!-- here';
  const lines = [JSON.stringify({ daxlog: 1, note }), JSON.stringify({ event: { type: 'dax.alloc', dax: 'a' }, note }) + '\r', '# a comment </SCRIPT>', '{"event":\r{"type":"dax.kill","dax":"a"}}'];
  writeFileSync(join(dir, 'in.jsonl'), lines.join('\n') + '\n');
  assert.is(daxsim(['view', 'in.jsonl', '-o', 'p.html'], dir).code, 0);
  const html = readFileSync(join(dir, 'p.html'), 'utf8');
  assert.is(html.match(/<\/script/gi)!.length, 3, 'only the page\'s own three scripts end');
  assert.not.match(html, /<!--/);
  const { data, log } = pageParts(html);
  assert.is(data.note, note);
  const got = log.split('\n');
  assert.is(got.length, 3, 'the lines of the steps, a comment among them');
  assert.not.match(log, /\r/);
  assert.equal(JSON.parse(got[0]!), JSON.parse(lines[1]!));
  assert.equal(JSON.parse(got[2]!), JSON.parse(lines[3]!));
});

page('exits 1 with the page written for a divergent log; 2 with nothing written for a log error', () => {
  const dir = tmp();
  const out = join(dir, 'v.html');
  assert.is(daxsim(['view', 'test/fixtures/diverges.jsonl', '-o', out]).code, 1);
  assert.ok(existsSync(out));
  rmSync(out);
  const bad = daxsim(['view', 'test/fixtures/bad-field.jsonl', '-o', out]);
  assert.is(bad.code, 2);
  assert.match(bad.err, /^daxsim: test\/fixtures\/bad-field.jsonl:3:39:/);
  assert.not.ok(existsSync(out));
  assert.is(daxsim(['view', RACE]).code, 2, '-o is required');
});

page.run();

const part = suite('daxsim view --from --to');

part('writes the steps asked for, with the state the steps before them left', () => {
  const dir = tmp();
  assert.equal(daxsim(['view', RACE, '--from', '3', '--to', '7', '-o', join(dir, 'p.html')]), { code: 0, out: '', err: `wrote ${join(dir, 'p.html')} (steps 3 to 7 of 8)\n` });
  const { data, log } = pageParts(readFileSync(join(dir, 'p.html'), 'utf8'));
  assert.equal([data.from, data.to, data.steps, data.first], [3, 7, 8, 4]);
  assert.equal(log.split('\n'), readFileSync(RACE, 'utf8').split('\n').slice(3, 8));
  assert.equal(Object.keys(data.state!.handles), ['pfn0', 'dax0.0/dax_dev', 'dax0.0', 'f'], 'the objects steps 1 and 2 made');
  assert.is(data.digest.flags.length, 5);
  assert.is(data.summary.steps, 8, 'the summary is the whole log\'s');
});

part('refuses a part that is not in the log, and says why', () => {
  const dir = tmp();
  const out = join(dir, 'p.html');
  for (const [args, why] of [
    [['--to', '9'], '--to 9: the log has 8 steps'],
    [['--from', '9'], '--from 9: the log has 8 steps'],
    [['--from', '7', '--to', '3'], '--from 7 is after --to 3'],
  ] as const) {
    assert.equal(daxsim(['view', RACE, ...args, '-o', out]), { code: 2, out: '', err: `daxsim: ${RACE}: ${why}\n` });
  }
  assert.match(daxsim(['view', RACE, '--from', '0', '-o', out]).err, /--from <n>' argument '0' is invalid. expected a step number/);
  assert.not.ok(existsSync(out));
});

part(`a log of more than ${MAX_PAGE_STEPS} steps: refused, exit 2, nothing written or changed, until --from/--to choose a part that fits`, () => {
  const dir = tmp();
  const steps = MAX_PAGE_STEPS + 1;
  writeFileSync(join(dir, 'long.jsonl'), '{"daxlog": 1}\n' + '{"event": {"type": "rcu.grace_period"}}\n'.repeat(steps));
  writeFileSync(join(dir, 'page.html'), 'a page the user keeps\n');
  const r = daxsim(['view', 'long.jsonl', '-o', 'page.html'], dir);
  assert.is(r.code, 2);
  assert.is(
    r.err,
    `daxsim: long.jsonl: the log has ${steps} steps, more than one page can hold (${MAX_PAGE_STEPS} steps, 24 MB); write a part of it with --from N --to M, for example --from 1 --to ${MAX_PAGE_STEPS}; nothing was written\n`,
  );
  assert.is(readFileSync(join(dir, 'page.html'), 'utf8'), 'a page the user keeps\n');
  assert.match(daxsim(['view', 'long.jsonl', '--to', String(steps), '-o', 'page.html'], dir).err, new RegExp(`steps 1 to ${steps} are ${steps} steps, more than one page can hold`));
  const ok = daxsim(['view', 'long.jsonl', '--from', String(steps - 9), '-o', 'page.html'], dir);
  assert.equal(ok, { code: 0, out: '', err: `wrote page.html (steps ${steps - 9} to ${steps} of ${steps})\n` });
  const { data, log } = pageParts(readFileSync(join(dir, 'page.html'), 'utf8'));
  assert.equal([data.digest.flags.length, log.split('\n').length, data.first], [10, 10, steps - 8]);
});

part.run();
