// `daxsim view`: the page's model against the replay, the page as a file, and the page in
// headless Chromium with every request that is not file: or data: blocked. The browser part
// needs /usr/bin/chromium (.ci/run installs it); without it that part says so and is skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import kleur from 'kleur';
import { labelled } from '../machines/state.ts';
import { splitLines } from '../src/log.ts';
import { formatStep } from '../src/format.ts';
import { Replayer } from '../src/replay.ts';
import { buildView } from '../src/viewer/model.ts';

const BIN = resolve('bin', 'daxsim.js');
const CHROMIUM = '/usr/bin/chromium';
const RACE = 'traces/device/race-fault-vs-unregister.jsonl';
const LOGS = [RACE, 'traces/device/x-11-rebind-with-open-fd.jsonl', 'traces/srcu/self-deadlock.jsonl', 'traces/lifecycle/use-after-free.jsonl', 'traces/device/44-teardown-live-fd-and-mapping.jsonl'];
const tmp = () => mkdtempSync(join(tmpdir(), 'daxsim-view-'));
const daxsim = (args: string[], cwd = process.cwd()) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

/** After each step of a log, every label the registry names and the state it reports. */
function replayStates(text: string): { label: string; state: string }[][] {
  const r = new Replayer('log');
  const states: { label: string; state: string }[][] = [];
  splitLines(text, (line, n) => {
    if (r.feed(line, n) === undefined) return;
    const k = r.model!;
    const rows = [{ label: 'dax_srcu', state: String(k.s.srcu.value) }];
    for (const [label, obj] of labelled(k.s)) {
      // A handle bound to NULL or an ERR_PTR shows the pointer.
      const state = 'ptr' in obj ? obj.ptr : obj.value;
      if (!('ptr' in obj)) assert.is(k.stateOf(label), state, label);
      rows.push({ label, state });
    }
    states.push(rows);
  });
  return states;
}

const model = suite('buildView');

model('after each step, shows every object with the state the replay gives it', () => {
  for (const log of LOGS) {
    const text = readFileSync(log, 'utf8');
    const view = buildView(text, log);
    const expected = replayStates(text);
    assert.is(view.error, undefined);
    assert.is(view.steps.length, expected.length);
    for (const [i, s] of view.steps.entries()) {
      assert.equal(s.objects.map((o) => ({ label: o.label, state: o.state })), expected[i], `${log} step ${i + 1}`);
      for (const [label, state] of Object.entries(s.result.out.state)) {
        const row = s.objects.find((o) => o.label === label)!;
        assert.is(row.state, state ?? row.state, `${log} step ${i + 1}: ${label}`);
        assert.ok(s.changed.has(row.key), `${log} step ${i + 1}: ${label} is marked changed`);
      }
    }
  }
});

model('keeps one key per object when its label changes, and reads the log error of a bad log', () => {
  const view = buildView(readFileSync('traces/device/x-11-rebind-with-open-fd.jsonl', 'utf8'), 'rebind');
  const renamed = view.steps.flatMap((s) => s.objects).filter((o) => o.label.endsWith('~1'));
  assert.ok(renamed.length > 0, 'the trace displaces a handle');
  const key = renamed[0]!.key;
  const before = view.steps.flatMap((s) => s.objects).filter((o) => o.key === key).map((o) => o.label);
  assert.equal([...new Set(before)].length, 2, `one object, two labels: ${[...new Set(before)].join(', ')}`);
  const bad = buildView(readFileSync('test/fixtures/bad-field.jsonl', 'utf8'), 'bad.jsonl');
  assert.is(bad.steps.length, 1);
  assert.match(bad.error!.message, /^bad.jsonl:3:39: event.dax/);
});

model.run();

const page = suite('daxsim view');

page('writes one page with the log inside, the same bytes from anywhere, with no reference outside it', () => {
  const dir = tmp();
  const a = join(dir, 'a.html');
  const b = join(dir, 'b.html');
  assert.equal(daxsim(['view', RACE, '-o', a]), { code: 0, out: '', err: `wrote ${a} (8 steps)\n` });
  assert.equal(daxsim(['view', resolve(RACE), '-o', 'b.html'], dir), { code: 0, out: '', err: 'wrote b.html (8 steps)\n' });
  assert.match(readFileSync('README.md', 'utf8'), /\$ npx daxsim view traces\/device\/race-fault-vs-unregister.jsonl -o race.html\nwrote race.html \(8 steps\)\n/);
  const html = readFileSync(a, 'utf8');
  assert.is(readFileSync(b, 'utf8'), html, 'same bytes');
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
  assert.not.match(html, /(src|href)=["']?(https?:|\/\/)/i);
  const embedded = /<script type="application\/json" id="daxlog" data-file="race-fault-vs-unregister.jsonl">(.*)<\/script>/.exec(html)!;
  assert.is(JSON.parse(embedded[1]!), readFileSync(RACE, 'utf8'));
  for (const m of ['dax_device', 'dax_srcu', 'dax_region', 'dev_dax', 'file', 'vm_area']) assert.match(html, new RegExp(`<figure class="chart" data-machine="${m}">`));
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

const browser = suite('the page in headless Chromium');

if (!existsSync(CHROMIUM)) {
  // Counted as skipped, not passed: test/run.ts prints the number of skipped tests.
  process.stdout.write(`\nnotice: ${CHROMIUM} is missing (apt-get install chromium; .ci/run does): the viewer is not tested in a browser\n`);
  browser.skip('replays logs in headless Chromium', () => {});
} else {
  browser("replays logs with no network: at each step the page shows the replay's states, and marks them in the charts", async () => {
    const { chromium } = await import('playwright-core');
    const dir = tmp();
    const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1600, height: 1000 },
    });
    const outside: string[] = [];
    const errors: string[] = [];
    kleur.enabled = false;
    try {
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (/^(file|data):/.test(url)) return route.continue();
        outside.push(url);
        return route.abort();
      });
      const p = context.pages()[0] ?? (await context.newPage());
      p.on('pageerror', (e) => errors.push(String(e)));
      p.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
      const shown = () =>
        p.$$eval('#objects tbody tr', (rows) => rows.map((r) => ({ label: (r as HTMLElement).dataset['label']!, state: (r as HTMLElement).dataset['state']! })));
      for (const log of LOGS) {
        const html = join(dir, 'page.html');
        assert.ok(daxsim(['view', log, '-o', html]).code === 0, log);
        await p.goto(`file://${html}`);
        await p.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
        const text = readFileSync(log, 'utf8');
        const expected = replayStates(text);
        const view = buildView(text, log);
        for (let i = 0; i < expected.length; i++) {
          if (i > 0) await p.keyboard.press('ArrowRight');
          assert.is(await p.getAttribute('body', 'data-step'), String(i + 1), log);
          assert.equal(await shown(), expected[i], `${log} step ${i + 1}`);
          assert.is((await p.textContent('#detail'))!.split('\n')[0], formatStep(view.steps[i]!.result).split('\n')[0]);
          const marked = await p.$$eval('#charts g.node.occupied', (gs) => gs.map((g) => g.id).sort());
          const kinds = new Map(view.steps[i]!.objects.map((o) => [o.label, o.kind === 'mapping' ? 'vm_area' : o.kind]));
          const want = [...new Set(expected[i]!.filter((o) => !o.state.startsWith('-') && o.state !== 'NULL').map((o) => `${kinds.get(o.label)}.${o.state}`))].sort();
          assert.equal(marked, want, `${log} step ${i + 1}: the charts mark the states objects are in`);
        }
      }
    } finally {
      await context.close();
    }
    assert.equal(outside, [], 'the pages asked for nothing outside themselves');
    assert.equal(errors, []);
  });

  browser('steps with the keys, shows the race of the README, and a screenshot shows the timeline, the states and the statecharts', async () => {
    const { chromium } = await import('playwright-core');
    const dir = tmp();
    const html = join(dir, 'race.html');
    assert.is(daxsim(['view', RACE, '-o', html]).code, 0);
    const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1600, height: 1000 },
    });
    try {
      await context.route('**/*', (route) => (/^(file|data):/.test(route.request().url()) ? route.continue() : route.abort()));
      const p = context.pages()[0] ?? (await context.newPage());
      await p.goto(`file://${html}`);
      await p.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
      const step = () => p.getAttribute('body', 'data-step');
      await p.keyboard.press('ArrowLeft');
      assert.is(await step(), '1', 'stays on the first step');
      await p.keyboard.press('End');
      assert.is(await step(), '8');
      await p.keyboard.press('ArrowRight');
      assert.is(await step(), '8', 'stays on the last step');
      await p.keyboard.press('Home');
      await p.keyboard.press('j');
      assert.is(await step(), '2');
      await p.click('#timeline .cell[data-index="6"]');
      assert.is(await step(), '7');
      // Step 7: A's unlock ends the grace period and wakes B, whose kill finishes.
      assert.equal(await p.$$eval('#objects tr.changed', (rows) => rows.map((r) => (r as HTMLElement).dataset['label'])), ['dax_srcu', 'dax0.0/dax_dev', 'dax0.0']);
      assert.is(await p.locator('#timeline .sleep').count(), 1, 'B sleeps in the timeline');
      assert.match((await p.textContent('#timeline .woken'))!, /woken: = 0/);
      assert.equal(await p.$$eval('#charts g.edge.taken', (gs) => gs.map((g) => g.id)), ['dax_device.killing.killed', 'dax_srcu.synchronizing.idle', 'dev_dax.registered.unregistered']);
      await p.click('#objects tr[data-label="v"]');
      assert.equal(await p.$$eval('#charts g.node.focus', (gs) => gs.map((g) => g.id)), ['vm_area.mapped'], 'a clicked object is marked in its chart');
      await p.click('#objects tr[data-label="v"]');
      const shot = join(dir, 'viewer.png');
      const png = await p.screenshot({ path: shot, fullPage: true });
      assert.is(png.subarray(1, 4).toString('latin1'), 'PNG');
      for (const sel of ['#timeline .lanes', '#objects', '#charts figure[data-machine="dax_device"] svg']) {
        const box = await p.locator(sel).boundingBox();
        assert.ok(box !== null && box.width > 100 && box.height > 40 && box.y + box.height < 1400, `${sel} is in the shot`);
      }
      // DAXSIM_SCREENSHOT=docs/viewer.png npm test refreshes the README's picture.
      const keep = process.env['DAXSIM_SCREENSHOT'];
      if (keep !== undefined) copyFileSync(shot, keep);
    } finally {
      await context.close();
    }
  });
}

browser.run();
