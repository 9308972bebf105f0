// The README shows real output: these tests keep it true.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { librarySession } from './readme_session.ts';

const readme = readFileSync('README.md', 'utf8');
const run = (args: string[]) =>
  spawnSync(process.execPath, [resolve('bin/daxsim.js'), ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

/** The console block that starts with `$ <command>`, without the command line. */
function shown(command: string): string {
  const at = readme.indexOf(`$ ${command}\n`);
  assert.ok(at >= 0, `README shows ${command}`);
  const body = readme.slice(at + command.length + 3);
  return body.slice(0, body.indexOf('```'));
}

const doc = suite('README');

doc('the race example is the real replay output', () => {
  const r = run(['replay', 'traces/device/race-fault-vs-unregister.jsonl']);
  assert.is(r.status, 0);
  assert.is(shown('npx daxsim replay traces/device/race-fault-vs-unregister.jsonl'), r.stdout);
});

doc('the log-error example is the real output, stdout then stderr', () => {
  const r = run(['replay', 'test/fixtures/bad-field.jsonl']);
  assert.is(r.status, 2);
  assert.is(shown('npx daxsim replay test/fixtures/bad-field.jsonl'), r.stdout + r.stderr);
});

doc('the first screen shows the real closing line of npm start', () => {
  const r = run(['verify', 'traces']);
  const total = r.stdout.trimEnd().split('\n').at(-1)!;
  assert.ok(readme.slice(0, readme.indexOf('As a library')).includes(`\n${total}\n`), total);
});

doc('the library section runs against the sources and prints what it shows', () => {
  const session = librarySession(readme);
  assert.equal(session.install, ['npm install daxsim xstate']);
  assert.equal([...session.files.keys()], ['race.mjs', 'kernel.mjs']);
  assert.equal(session.runs.map((r) => r.file), ['race.mjs', 'kernel.mjs']);
  const dir = mkdtempSync(join(tmpdir(), 'daxsim-readme-'));
  // The package's name stands for its sources here; test/package.test.ts runs the files as they
  // are, against the installed tarball.
  const daxsim = pathToFileURL(resolve('src/index.ts')).href;
  const xstate = import.meta.resolve('xstate');
  for (const [name, text] of session.files) writeFileSync(join(dir, name), text.replace("from 'daxsim'", `from '${daxsim}'`).replace("from 'xstate'", `from '${xstate}'`));
  for (const { file, output } of session.runs) {
    const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), file], { cwd: dir, encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, output, file);
  }
});

/** The timing line of an explore summary with its measured figures masked. */
const timing = (text: string) => text.replace(/ {2}[\d.]+ s, \d+ states\/s, peak memory \d+ MB/g, '  T s, R states/s, peak memory M MB');

doc('the explore examples are the real output (times, rates and memory aside), and the counterexample replays as shown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'daxsim-readme-'));
  symlinkSync(resolve('traces'), join(dir, 'traces'));
  const inDir = (args: string[]) => spawnSync(process.execPath, [resolve('bin/daxsim.js'), ...args], { encoding: 'utf8', cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  const found = inDir(['explore', 'traces/explore/sysfs-read-vs-unbind.jsonl', '-o', 'deadlock.cex.jsonl']);
  assert.is(found.status, 1, found.stderr);
  const block = shown('npx daxsim explore traces/explore/sysfs-read-vs-unbind.jsonl -o deadlock.cex.jsonl');
  const [first, rest] = [block.slice(0, block.indexOf('$ ')), block.slice(block.indexOf('$ '))];
  assert.is(timing(first), timing(found.stdout));
  const replayed = inDir(['replay', 'deadlock.cex.jsonl']);
  assert.is(rest.split('\n')[1], replayed.stdout.trimEnd().split('\n').at(-1));
  const race = inDir(['explore', 'traces/explore/race-3x2.jsonl', '-o', 'race.cex.jsonl']);
  assert.is(race.status, 0, race.stderr);
  assert.is(timing(shown('npx daxsim explore traces/explore/race-3x2.jsonl')), timing(race.stdout));
});

doc.run();
