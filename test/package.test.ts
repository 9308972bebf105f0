// The package as a user gets it: `npm pack` (which builds dist/ through the prepare script), the
// tarball installed into a fresh app in a temporary directory (with xstate, as the README has a
// user install it), then the README's library section as written, the examples, the TypeScript
// example's type check, the browser example bundled by esbuild and shown in headless Chromium, and
// the installed command, all run there with plain node: no tsx, no sources. Takes 10 to 60
// seconds, most of it npm; needs the registry or npm's cache for daxsim's dependencies
// (--prefer-offline uses the cache first). Without /usr/bin/chromium the page is bundled but not
// loaded, and the test says so.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KERNEL_FUNCTION } from '../machines/events.ts';
import { DaxSim, type SimEvent } from '../src/embed.ts';
import { librarySession } from './readme_session.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
const version = manifest.version;
const CHROMIUM = '/usr/bin/chromium';
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

const work = mkdtempSync(join(tmpdir(), 'daxsim-package-'));
const app = join(work, 'app');
const installed = join(app, 'node_modules', 'daxsim');
let tarball: string | undefined;

// `node` first on PATH: the installed bin's `#!/usr/bin/env node` finds this one.
const env = { ...process.env, NO_COLOR: '1', PATH: `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}` };

function run(command: string, args: string[], cwd: string, timeout = 120_000): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
}

/** Fails with what the process said unless it exited 0. */
function ok(r: SpawnSyncReturns<string>, what: string): string {
  const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
  assert.ok(r.status === 0, `${what}: ${why}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function needApp(): void {
  assert.ok(existsSync(installed), 'the tarball was not installed (see the failures above)');
}

const pkg = suite('package');

pkg.after(() => rmSync(work, { recursive: true, force: true }));

pkg('npm pack ships the built code, types, bin, docs and traces, and no sources, scripts or tests', () => {
  const out = ok(run('npm', ['pack', '--json', '--pack-destination', work], root, 240_000), 'npm pack');
  const [info] = JSON.parse(out) as { filename: string; files: { path: string; size: number }[] }[];
  tarball = join(work, info!.filename);
  const files = info!.files.map((f) => f.path);
  for (const f of [
    'package.json',
    'README.md',
    'bin/daxsim.js',
    'dist/daxsim.mjs',
    'dist/viewer.js',
    'dist/esm/src/index.js',
    'dist/esm/src/index.d.ts',
    'dist/esm/src/browser.js',
    'dist/esm/src/browser.d.ts',
    'dist/cjs/index.js',
    'dist/cjs/package.json',
    'dist/cjs/src/index.d.ts',
    'docs/daxlog.md',
    'docs/kernel-semantics.md',
    'docs/machines.md',
    'traces/device/race-fault-vs-unregister.jsonl',
  ]) {
    assert.ok(files.includes(f), `the tarball has ${f}`);
  }
  const unwanted = files.filter((f) => /^(src|machines|scripts|test|bench|examples)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')));
  assert.equal(unwanted, [], 'no sources, scripts, tests or benchmarks');
  const maps = info!.files.filter((f) => f.path.endsWith('.map') && f.size > 4096);
  assert.equal(maps, [], 'no source map over 4 KB');
  const pj = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  assert.not.ok('tsx' in pj.dependencies, 'tsx is a devDependency only');
});

pkg('the tarball installs into a fresh app', () => {
  assert.ok(tarball, 'npm pack made a tarball');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'daxsim-package-test', private: true, type: 'module' }, null, 2));
  // xstate at the version daxsim's machines are built with: the app's actors and daxsim's share it.
  ok(run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball!, `xstate@${manifest.dependencies['xstate']}`], app, 300_000), 'npm install');
  assert.not.match(readFileSync(join(installed, 'dist', 'daxsim.mjs'), 'utf8'), /sourceMappingURL/, 'the bundle names no map it does not ship');
  assert.not.ok(existsSync(join(installed, 'src')), 'no sources installed');
  assert.not.ok(existsSync(join(app, 'node_modules', 'tsx')), 'tsx is not installed');
});

pkg('every examples/*.mjs and *.cjs runs with plain node; replay.mjs and replay.cjs print the same replay', () => {
  needApp();
  const scripts = readdirSync(join(root, 'examples')).filter((f) => /\.[mc]js$/.test(f));
  assert.ok(scripts.includes('replay.mjs') && scripts.includes('replay.cjs'));
  const out = new Map<string, string>();
  for (const f of scripts) {
    copyFileSync(join(root, 'examples', f), join(app, f));
    out.set(f, ok(run(process.execPath, [f], app), `node ${f}`));
  }
  const esm = out.get('replay.mjs')!;
  assert.match(esm, /^#6 line 7 B dev_dax\.unregister .*"blocked":true/m);
  assert.match(esm, /^8 steps, 0 diverged, 0 left blocked$/m);
  assert.is(out.get('replay.cjs'), esm);
  const bad = run(process.execPath, ['replay.mjs', join(root, 'test', 'fixtures', 'bad-field.jsonl')], app);
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /bad-field\.jsonl:3:39: event\.dax: expected a handle/);
});

pkg("the README's library section, as written, runs and prints what it shows", () => {
  needApp();
  const session = librarySession(readFileSync(join(root, 'README.md'), 'utf8'));
  assert.equal(session.install, ['npm install daxsim xstate'], 'the install the app above made');
  assert.ok(session.runs.length >= 2);
  for (const [name, text] of session.files) writeFileSync(join(app, name), text);
  for (const { file, output } of session.runs) assert.is(ok(run(process.execPath, [file], app), `node ${file}`), output, file);
});

pkg('examples/typescript embeds the kernel actor, type-checks with a stock strict NodeNext tsconfig as an ES module and as CommonJS, and prints each outcome', () => {
  needApp();
  const expected = [
    'main dax.alloc: returned 0',
    'A dax_srcu.read_lock: returned 0',
    'B dax.kill: blocked',
    'A dax_srcu.read_unlock: returned 0, woke B in dax.kill',
    '4 steps; a is killed',
    '',
  ].join('\n');
  const config = JSON.parse(readFileSync(join(root, 'examples', 'typescript', 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
  assert.equal(config.compilerOptions, { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true });
  assert.match(readFileSync(join(root, 'examples', 'typescript', 'app.ts'), 'utf8'), /createActor\(daxKernelLogic/);
  // As in the example: an ES module (the app's package.json says "type": "module").
  const esm = join(app, 'ts-esm');
  mkdirSync(esm);
  for (const f of ['app.ts', 'tsconfig.json']) copyFileSync(join(root, 'examples', 'typescript', f), join(esm, f));
  ok(run(process.execPath, [tsc, '-p', esm], app), 'tsc (ES module)');
  assert.is(ok(run(process.execPath, ['app.js'], esm), 'node app.js'), expected);
  // The same file as CommonJS (.cts): require('daxsim') and the declarations under dist/cjs.
  const cjs = join(app, 'ts-cjs');
  mkdirSync(cjs);
  copyFileSync(join(root, 'examples', 'typescript', 'app.ts'), join(cjs, 'app.cts'));
  copyFileSync(join(root, 'examples', 'typescript', 'tsconfig.json'), join(cjs, 'tsconfig.json'));
  ok(run(process.execPath, [tsc, '-p', cjs], app), 'tsc (CommonJS)');
  assert.match(readFileSync(join(cjs, 'app.cjs'), 'utf8'), /require\("daxsim"\)/);
  assert.is(ok(run(process.execPath, ['app.cjs'], cjs), 'node app.cjs'), expected);
});

pkg("examples/browser bundles with esbuild from the installed package's browser entry, and the page shows each step's outcome and every object's state", async () => {
  needApp();
  const dir = join(app, 'browser');
  mkdirSync(dir);
  for (const f of readdirSync(join(root, 'examples', 'browser'))) copyFileSync(join(root, 'examples', 'browser', f), join(dir, f));
  // The command main.js tells its reader to run, with a metafile to see what went in.
  const esbuild = join(root, 'node_modules', '.bin', 'esbuild');
  ok(run(esbuild, ['main.js', '--bundle', '--outfile=main.bundle.js', '--metafile=meta.json', '--log-level=warning'], dir), 'esbuild');
  const inputs = Object.keys((JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { inputs: object }).inputs);
  assert.ok(inputs.includes('../node_modules/daxsim/dist/esm/src/browser.js'), 'the browser entry of the installed package');
  assert.not.ok(inputs.some((f) => /daxsim\/dist\/esm\/src\/(files|io)\.js$/.test(f)), 'no file functions');
  if (!existsSync(CHROMIUM)) {
    process.stdout.write(`\nnotice: ${CHROMIUM} is missing, the browser example was bundled but not loaded\n`);
    return;
  }
  // The scenario the page runs, from the example itself (plain JavaScript, read by its URL).
  const { scenario } = (await import(pathToFileURL(join(root, 'examples', 'browser', 'scenario.js')).href)) as { scenario: SimEvent[] };
  const sim = new DaxSim();
  const expected = scenario.map((e) => {
    const { step, out } = sim.send(e);
    const states = Object.entries(sim.states).map(([h, st]) => `${h}: ${st}`).join(', ');
    return { cells: [String(step.seq), step.task, KERNEL_FUNCTION[step.event.type], states], outcome: JSON.parse(JSON.stringify(out)) as unknown };
  });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  const errors: string[] = [];
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await page.goto(pathToFileURL(join(dir, 'index.html')).href);
    await page.waitForSelector('body[data-done="true"]', { timeout: 15_000 });
    const rows = await page.$$eval('#steps tbody tr', (trs) =>
      trs.map((tr) => ({ cells: [...tr.children].map((td) => td.textContent ?? ''), outcome: JSON.parse((tr as HTMLElement).dataset['outcome']!) as unknown })),
    );
    assert.equal(rows.map((r) => ({ cells: [...r.cells.slice(0, 3), r.cells[4]!], outcome: r.outcome })), expected);
    assert.is(rows[5]!.cells[3], 'blocked');
    assert.is(await page.textContent('#error'), '');
  } finally {
    await browser.close();
  }
  assert.equal(errors, []);
});

pkg('the installed daxsim prints its version and verifies the shipped traces', () => {
  needApp();
  const daxsim = join(app, 'node_modules', '.bin', 'daxsim');
  assert.is(ok(run(daxsim, ['--version'], app), 'daxsim --version'), `${version}\n`);
  const verified = ok(run(daxsim, ['verify', 'node_modules/daxsim/traces'], app), 'daxsim verify');
  assert.match(verified, /\n\d+ logs, \d+ steps: \d+ verified, 0 diverged, 0 log errors\n$/);
  // view inlines dist/viewer.js; an installed package has no sources to rebuild it from.
  ok(run(daxsim, ['view', 'node_modules/daxsim/traces/srcu/two-killers.jsonl', '-o', 'view.html'], app), 'daxsim view');
  assert.match(readFileSync(join(app, 'view.html'), 'utf8'), /^<!doctype html>/i);
});

pkg.run();
