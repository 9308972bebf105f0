// The page of `daxsim view` in headless Chromium: at each step of small logs it shows the
// replay's states, marks them in the charts, and lists the page tables `replay --at` lists; the
// race of the README with its keys, its sleep and the call its wake completes; a counterexample
// of `daxsim explore` opening on its failing step; and nothing leaves the page: no request, no
// form, no navigation, no new window. Needs /usr/bin/chromium; without it, says so and skips.
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { labelled } from '../machines/state.ts';
import { atReport, type AtReport } from '../src/at.ts';
import { splitLines } from '../src/log.ts';
import { Replayer } from '../src/replay.ts';
import { CHROMIUM, daxsim, hasChromium, skipWithoutChromium, inChromium, objectRows, open, pageTableRows, press, shown, tmp } from './browser.ts';

const RACE = 'traces/device/race-fault-vs-unregister.jsonl';
const LOGS = [RACE, 'traces/device/x-11-rebind-with-open-fd.jsonl', 'traces/srcu/self-deadlock.jsonl', 'traces/lifecycle/use-after-free.jsonl', 'traces/device/x-06-r1g-pud-zap.jsonl'];

/** After each step of a log: every label the registry names with the state it reports (dax_srcu first), and what `replay --at` reports. */
function replayStates(text: string): { states: { label: string; state: string }[]; at: AtReport }[] {
  const r = new Replayer('log');
  const out: { states: { label: string; state: string }[]; at: AtReport }[] = [];
  splitLines(text, (line, n) => {
    const res = r.feed(line, n);
    if (res === undefined) return;
    const s = r.model!.s;
    const states = [{ label: 'dax_srcu', state: String(s.srcu.value) }, ...labelled(s).map(([label, o]) => ({ label, state: 'ptr' in o ? o.ptr : o.value }))];
    out.push({ states, at: JSON.parse(JSON.stringify(atReport(r.model!, res.step.seq, n))) as AtReport });
  });
  return out;
}

/** What `replay --at N --json` prints. */
function at(log: string, n: number): AtReport {
  const r = daxsim(['replay', log, '--at', String(n), '--json']);
  assert.is(r.code, 0, r.err);
  return JSON.parse(r.out) as AtReport;
}

const page = suite('the page in headless Chromium');

if (!hasChromium) {
  skipWithoutChromium(page, 'the page in headless Chromium');
} else {
  page("at each step shows the replay's states, marks them in the charts, and lists the page tables replay --at lists", async () => {
    const dir = tmp();
    await inChromium(async ({ page: p, outside, errors }) => {
      for (const log of LOGS) {
        const html = join(dir, 'page.html');
        assert.is(daxsim(['view', log, '-o', html]).code, 0, log);
        await open(p, html);
        const expected = replayStates(readFileSync(log, 'utf8'));
        for (let i = 0; i < expected.length; i++) {
          if (i > 0) await press(p, 'ArrowRight');
          assert.is(await p.getAttribute('body', 'data-step'), String(i + 1), log);
          assert.equal(await objectRows(p), expected[i]!.states, `${log} step ${i + 1}`);
          const want = expected[i]!.at;
          const listed = (await pageTableRows(p)).filter((e) => e.mark !== 'zapped').map(({ mark, ...e }) => e);
          assert.equal(listed, want.page_tables, `${log} step ${i + 1}: page tables`);
          const marked = await p.$$eval('#charts g.node.occupied', (gs) => gs.map((g) => g.id).sort());
          const kinds = new Map(want.objects.map((o) => [o.label, o.kind === 'mapping' ? 'vm_area' : o.kind]));
          const occupied = expected[i]!.states.filter((o) => o.label !== 'dax_srcu' && !o.state.startsWith('-') && o.state !== 'NULL').map((o) => `${kinds.get(o.label)}.${o.state}`);
          assert.equal(marked, [...new Set([`dax_srcu.${want.dax_srcu.state}`, ...occupied])].sort(), `${log} step ${i + 1}: the charts mark the states objects are in`);
        }
      }
      assert.equal(outside, [], 'the pages asked for nothing outside themselves');
      assert.equal(errors, []);
    });
  });

  page("the race of the README: keys, a click, B's sleep, the call A's unlock completes, the PMD installed and zapped", async () => {
    const dir = tmp();
    const html = join(dir, 'race.html');
    assert.is(daxsim(['view', RACE, '-o', html]).code, 0);
    await inChromium(async ({ page: p, errors }) => {
      await open(p, html);
      const step = () => p.getAttribute('body', 'data-step');
      await press(p, 'ArrowLeft');
      assert.is(await step(), '1', 'stays on the first step');
      await press(p, 'End');
      assert.is(await step(), '8');
      await press(p, 'ArrowRight');
      assert.is(await step(), '8', 'stays on the last step');
      await press(p, 'Home');
      await press(p, 'j');
      assert.is(await step(), '2');
      await p.click('#timeline .row[data-index="4"]');
      assert.is(await shown(p), '5');
      assert.equal(await pageTableRows(p), [{ vma: 'v', size: 'PMD', start: '0x7effffc00000', end: '0x7effffe00000', phys: '0x100200000', write: true, mark: 'installed' }]);
      assert.match((await p.textContent('#pagetables tr.installed'))!, /PMD0x7effffc00000–0x7effffe00000→ 0x100200000–0x100400000writableinstalled/);
      await p.click('#timeline .row[data-index="6"]');
      assert.is(await shown(p), '7');
      // Step 7: A's unlock ends the grace period and wakes B, whose unregister zaps A's PMD.
      assert.equal(await p.$$eval('#objects .obj.changed', (rows) => rows.map((r) => (r as HTMLElement).dataset['label'])), ['dax_srcu', 'dax0.0/dax_dev', 'dax0.0']);
      assert.equal((await pageTableRows(p)).map((e) => e.mark), ['zapped']);
      assert.equal(await p.$$eval('#timeline .sleep', (bars) => bars.map((b) => [(b as HTMLElement).dataset['task'], b.getAttribute('title')])), [['B', 'B asleep in unregister_dev_dax(dev=dax0.0) (line 7), woken at step 7']]);
      assert.is(await p.getAttribute('#timeline .row[data-index="6"] .wake', 'title'), 'woke B: unregister_dev_dax(dev=dax0.0) = 0 (line 7)');
      assert.match((await p.textContent('#timeline .row[data-index="6"]'))!, /A dax_read_unlock\(\) = 0 ⏎ woke B unregister_dev_dax\(dev=dax0\.0\) = 0$/);
      assert.equal(await p.$$eval('#timeline .thead .lane-name', (ns) => ns.map((n) => n.textContent)), ['main', 'A', 'B']);
      assert.equal(await p.$$eval('#charts g.edge.taken', (gs) => gs.map((g) => g.id)), ['dax_device.killing.killed', 'dax_srcu.synchronizing.idle', 'dev_dax.registered.unregistered']);
      await p.click('#objects .obj[data-label="v"]');
      assert.equal(await p.$$eval('#charts g.node.focus', (gs) => gs.map((g) => g.id)), ['vm_area.mapped'], 'a clicked object is marked in its chart');
      await p.waitForFunction(() => location.hash === '#step=7');
      await p.evaluate(() => void (location.hash = '#step=4'));
      assert.is(await shown(p), '4', 'a step named in the address is shown');
      await p.goto('about:blank');
      await open(p, html, '#step=3');
      assert.is(await shown(p), '3', 'the address keeps the step');
      assert.equal(errors, []);
    });
  });

  page('a counterexample of daxsim explore opens on its failing step, says the violation, and shows the page tables there', async () => {
    const dir = tmp();
    const cex = join(dir, 'access.cex.jsonl');
    assert.is(daxsim(['explore', 'traces/explore/access-vs-unregister.jsonl', '-o', cex]).code, 1);
    const html = join(dir, 'cex.html');
    assert.is(daxsim(['view', cex, '-o', html]).code, 0);
    await inChromium(async ({ page: p, errors }) => {
      await open(p, html);
      assert.is(await shown(p), '10');
      assert.ok(await p.isVisible('#violation'));
      assert.is(await p.textContent('#violation .what'), 'expect: line 10: ret: expected 0, got "VM_FAULT_SIGBUS"');
      assert.equal(await p.$$eval('#timeline .row.failing', (rows) => rows.map((r) => (r as HTMLElement).dataset['seq'])), ['10']);
      assert.match((await p.textContent('#detail'))!, /^#10 line 11 A handle_mm_fault\(vma=v1 off=0x201000 write=true\) = "VM_FAULT_SIGBUS"\n[\s\S]*✗ the violation daxsim explore found: expect: line 10: ret: expected 0, got "VM_FAULT_SIGBUS"\n$/);
      const want = at(cex, 10).page_tables;
      assert.equal((await pageTableRows(p)).map(({ mark, ...e }) => e), want, 'what replay --at 10 lists');
      assert.is(await p.textContent('#pagetables details[data-vma="v1"] .none'), 'no page-table entry maps it');
      const shot = join(dir, 'viewer.png');
      await p.screenshot({ path: shot });
      // DAXSIM_SCREENSHOT=docs/viewer.png npm test refreshes the README's picture.
      const keep = process.env['DAXSIM_SCREENSHOT'];
      if (keep !== undefined) copyFileSync(shot, keep);
      await press(p, 'ArrowLeft');
      assert.equal((await pageTableRows(p)).filter((e) => e.vma === 'v1').map((e) => e.mark), ['zapped'], "step 9: B's unregister zapped v1's PMD");
      await p.click('#violation button');
      assert.is(await shown(p), '10');
      assert.equal(errors, []);
    });
  });
}

page.run();
