// The page of `daxsim view` at scale, in headless Chromium: a generated log of 20,000 steps (the
// bench's: 64 mapped devices of 1 GiB, 90% loads and stores) opens, answers its keys, goes to a
// step and to a line, searches with next and previous match, and lists the page tables and the
// objects `replay --at` lists; a window of it (--from/--to) does the same from its saved state.
// The times asserted are generous, for a busy machine: bench/run.ts measures the goals (opened
// within 2 s, a key answered within 50 ms).
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { writeLog } from '../bench/gen.ts';
import type { AtReport } from '../src/at.ts';
import { MAX_OBJECT_ROWS } from '../src/viewer/panels.ts';
import { CHROMIUM, daxsim, hasChromium, skipWithoutChromium, inChromium, keyTime, objectRows, open, pageTableRows, shown, tmp } from './browser.ts';

const STEPS = 20_000;

/** What `replay --at N --json` prints. */
function at(log: string, n: number): AtReport {
  const r = daxsim(['replay', log, '--at', String(n), '--json']);
  assert.is(r.code, 0, r.err);
  return JSON.parse(r.out) as AtReport;
}

/** Types into an input and presses Enter. */
async function enter(p: Page, id: string, text: string): Promise<string> {
  await p.fill(`#${id}`, text);
  await p.press(`#${id}`, 'Enter');
  return shown(p);
}

/** The panels after a step agree with replay --at: the objects listed, and every vma's entries by size, and the entries listed. */
async function agreesWithAt(p: Page, log: string, n: number): Promise<void> {
  const want = at(log, n);
  // The table lists dax_srcu and the first objects (and any the step changed past them).
  const objects = (await objectRows(p)).slice(1);
  const wanted = want.objects.map((o) => ({ label: o.label, state: o.state }));
  const first = Math.min(MAX_OBJECT_ROWS - 1, wanted.length);
  assert.equal(objects.slice(0, first), wanted.slice(0, first), `step ${n}: objects`);
  for (const o of objects.slice(first)) assert.ok(wanted.some((w) => w.label === o.label && w.state === o.state), `step ${n}: ${o.label}`);
  const counts = await p.$$eval('#pagetables details.vma', (ds) => ds.map((d) => [(d as HTMLElement).dataset['vma'], d.querySelector('.counts')!.textContent]));
  for (const [vma, text] of counts) {
    const mine = want.page_tables.filter((e) => e.vma === vma);
    const bySize = (['PUD', 'PMD', 'PTE'] as const).map((s) => [s, mine.filter((e) => e.size === s).length] as const).filter(([, k]) => k > 0);
    assert.is(text, bySize.length === 0 ? 'no entries' : bySize.map(([s, k]) => `${k} ${s}`).join(' · '), `step ${n}: ${vma}`);
  }
  assert.is(counts.length, new Set(want.objects.filter((o) => o.kind === 'mapping' && o.state === 'mapped').map((o) => o.label)).size, `step ${n}: a box per mapped vma`);
  const key = (e: { vma: string; size: string; start: string; end: string; phys: string; write: boolean }) => JSON.stringify([e.vma, e.size, e.start, e.end, e.phys, e.write]);
  const all = new Set(want.page_tables.map(key));
  for (const e of await pageTableRows(p)) if (e.mark !== 'zapped') assert.ok(all.has(key(e)), `step ${n}: ${key(e)} is an entry replay --at lists`);
}

const scale = suite('a page of 20,000 steps');

if (!hasChromium) {
  skipWithoutChromium(scale, 'a page of 20,000 steps');
} else {
  const dir = tmp();
  const log = join(dir, 'gen20k.jsonl');
  const html = join(dir, 'gen20k.html');

  scale('is written in seconds, opens and answers its keys in time, and replays its steps behind them', async () => {
    await writeLog(log, { steps: STEPS, devices: 64, access: 0.9, seed: 15 });
    const t = Date.now();
    assert.equal(daxsim(['view', log, '-o', html]), { code: 0, out: '', err: `wrote ${html} (${STEPS} steps)\n` });
    const write = Date.now() - t;
    const size = statSync(html).size;
    assert.ok(size < 3 << 20, `the page is ${size} bytes`);
    assert.ok(write < 30_000, `written in ${write} ms`);
    await inChromium(async ({ page: p, outside, errors }) => {
      const load = await open(p, html);
      assert.ok(load < 10_000, `opened in ${load} ms`);
      await p.waitForFunction((n) => document.body.dataset['replayed'] === String(n), STEPS, { timeout: 120_000, polling: 100 });
      const times: number[] = [];
      for (const key of ['ArrowRight', 'ArrowRight', 'j', 'ArrowDown', 'ArrowLeft', 'k', 'PageDown', 'PageUp', 'End', 'ArrowLeft', 'ArrowUp', 'Home', 'ArrowRight', 'End', 'Home']) times.push(await keyTime(p, key));
      times.sort((a, b) => a - b);
      const median = times[times.length >> 1]!;
      assert.ok(median < 150, `a key press takes ${median.toFixed(1)} ms (median of ${times.map((x) => x.toFixed(0)).join(' ')})`);
      assert.equal(outside, []);
      assert.equal(errors, []);
    });
  });

  scale('goes to a step and to a line, and says when neither is in the page', async () => {
    await inChromium(async ({ page: p, errors }) => {
      await open(p, html);
      assert.is(await enter(p, 'go-step', '12345'), '12345');
      assert.is(await p.textContent('#position'), `12345 of ${STEPS}, line 12346`);
      assert.is(await p.getAttribute('#timeline .row.selected', 'data-seq'), '12345', 'the row is drawn and selected');
      assert.is(await enter(p, 'go-line', '101'), '100');
      assert.is(await p.textContent('#jump-note'), '');
      await p.fill('#go-step', '20001');
      await p.press('#go-step', 'Enter');
      assert.is(await p.textContent('#jump-note'), `step 20001 is not in this page (steps 1 to ${STEPS})`);
      assert.is(await p.getAttribute('body', 'data-step'), '100');
      await agreesWithAt(p, log, 100);
      assert.equal(errors, []);
    });
  });

  scale('searches by kernel function, task, handle and outcome, goes to the next and previous match, and can list only the matches', async () => {
    const lines = readFileSync(log, 'utf8').split('\n');
    const stepsWhere = (f: (l: { task?: string; event: Record<string, unknown> }) => boolean) =>
      lines.slice(1).flatMap((l, i) => (l !== '' && f(JSON.parse(l) as { event: Record<string, unknown> }) ? [i + 1] : []));
    const kills = stepsWhere((l) => l.event['type'] === 'dax.kill');
    const r7 = stepsWhere((l) => l.task === 'R' && l.event['vma'] === 'v7');
    assert.ok(kills.length > 50 && r7.length > 3);
    await inChromium(async ({ page: p, errors }) => {
      await open(p, html);
      const search = async (q: string) => {
        await p.fill('#search', q);
        await p.waitForFunction((q) => document.body.dataset['query'] === q, q);
        return Number(await p.getAttribute('body', 'data-matches'));
      };
      assert.is(await search('fn:kill_dax'), kills.length);
      assert.is(await enter(p, 'go-step', '5000'), '5000');
      await p.press('#search', 'Enter');
      const after = kills.find((k) => k > 5000)!;
      assert.is(await shown(p), String(after), 'Enter: the first match after the step');
      assert.is(await p.textContent('#matches'), `${kills.indexOf(after) + 1} of ${kills.length}`);
      await p.press('#search', 'Escape');
      await p.keyboard.press('n');
      assert.is(await shown(p), String(kills[kills.indexOf(after) + 1]), 'n: the next');
      await p.keyboard.press('N');
      await p.keyboard.press('N');
      assert.is(await shown(p), String(kills[kills.indexOf(after) - 1]), 'N N: the one before the first');
      assert.is(await search('task:R v7'), r7.length);
      await p.check('#only-matches');
      const drawn = await p.$$eval('#timeline .row', (rows) => rows.map((r) => [(r as HTMLElement).dataset['seq'], r.classList.contains('match')] as const));
      assert.ok(drawn.length > 0 && drawn.every(([seq, m]) => m && r7.includes(Number(seq))), 'only the matches are listed');
      assert.is(await search('oops'), 0);
      assert.is(await p.textContent('#matches'), 'no match');
      assert.ok((await search('is:ok')) > STEPS * 0.9);
      assert.equal(errors, []);
    });
  });

  scale('a window of it (--from --to) opens on its first step, and shows what replay --at shows there', async () => {
    const part = join(dir, 'part.html');
    assert.is(daxsim(['view', log, '--from', '12001', '--to', '14000', '-o', part]).code, 0);
    await inChromium(async ({ page: p, errors }) => {
      await open(p, part);
      assert.is(await shown(p), '12001');
      assert.is(await p.textContent('#window'), `This page holds steps 12001 to 14000 of ${STEPS} (daxsim view --from 12001 --to 14000).`);
      assert.is(await enter(p, 'go-step', '13000'), '13000');
      await agreesWithAt(p, log, 13000);
      const open_ = await p.$$eval('#pagetables details.vma[open]', (ds) => ds.length);
      assert.ok(open_ >= 1, 'the vma the step changed is open');
      await p.keyboard.press('End');
      assert.is(await shown(p), '14000');
      await agreesWithAt(p, log, 14000);
      assert.equal(errors, []);
    });
  });
}

scale.run();
