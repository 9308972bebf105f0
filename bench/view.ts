// npm run bench:view: the viewer's page at scale. For generated logs of 20,000, 200,000 (the
// most a page holds) and 1,000,000 steps (bench/gen.ts, the logs of bench/run.ts), `daxsim view`
// is timed as a whole process (median of BENCH_REPEAT runs), and its page opened in headless
// Chromium (playwright-core with Debian's /usr/bin/chromium): the time from the request to the
// first step drawn, until the page has replayed every step in the background, and the time a
// key press takes (the page's handler with the style and layout it causes, timed in the page)
// over a fixed mix of keys (steps, pages, jumps to the ends). The million-step log is refused
// (the time to say so is timed) and a window of 200,000 steps of it is written with --from/--to.
// Writes bench/VIEW.md. `node --import tsx bench/view.ts PAGE.html...` measures pages.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { writeLog, type GenOptions } from './gen.ts';

export const CHROMIUM = '/usr/bin/chromium';
const OUT = 'bench/out';
const REPEAT = Number(process.env['BENCH_REPEAT'] ?? 3);

export interface PageTimes {
  /** From the page's request to its first step drawn, ms. */
  open: number;
  /** Until the page had replayed every step in the background, ms. */
  replayed: number;
  /** Key presses: median and slowest, ms. */
  keyMedian: number;
  keyMax: number;
  /** The page's JavaScript heap after the keys, MB. */
  heap: number;
}

const KEYS = ['ArrowRight', 'ArrowRight', 'ArrowRight', 'j', 'ArrowDown', 'ArrowLeft', 'k', 'PageDown', 'PageDown', 'PageUp', 'End', 'ArrowLeft', 'ArrowLeft', 'PageUp', 'Home', 'ArrowRight', 'End', 'Home'];

export async function measurePage(html: string, rounds = 3): Promise<PageTimes> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--enable-precise-memory-info'] });
  try {
    const p = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const t0 = Date.now();
    await p.goto(`file://${resolve(html)}`, { timeout: 600_000 });
    await p.waitForSelector('body[data-ready="true"]', { timeout: 600_000 });
    const open = Date.now() - t0;
    const count = await p.evaluate(() => Number(document.body.dataset['count']));
    await p.waitForFunction((n) => Number(document.body.dataset['replayed'] ?? 0) >= n, count, { timeout: 600_000, polling: 50 });
    const replayed = Date.now() - t0;
    const times: number[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const key of KEYS) {
        times.push(
          await p.evaluate((key) => {
            const t = performance.now();
            document.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
            void document.body.offsetHeight;
            return performance.now() - t;
          }, key),
        );
      }
    }
    times.sort((a, b) => a - b);
    const heap = await p.evaluate(() => ((performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? NaN) / 2 ** 20);
    return { open, replayed, keyMedian: times[Math.floor(times.length / 2)]!, keyMax: times[times.length - 1]!, heap };
  } finally {
    await browser.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** `daxsim view` as a whole process: its exit, the median time and the last run's stderr. */
function view(args: string[]): { code: number | null; seconds: number; err: string } {
  const times: number[] = [];
  let last = { status: 0 as number | null, stderr: '' };
  for (let i = 0; i < REPEAT; i++) {
    const t = process.hrtime.bigint();
    last = spawnSync(process.execPath, ['bin/daxsim.js', 'view', ...args], { encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - t) / 1e9);
  }
  return { code: last.status, seconds: median(times), err: last.stderr };
}

interface Row {
  page: string;
  steps: string;
  size: number;
  write: number;
  t: PageTimes;
}

async function pageRow(page: string, steps: string, log: string, extra: string[] = []): Promise<Row> {
  const html = join(OUT, `${page}.html`);
  const w = view([log, ...extra, '-o', html]);
  if (w.code !== 0) throw new Error(`view ${log} exited ${w.code}: ${w.err}`);
  const runs: PageTimes[] = [];
  for (let i = 0; i < REPEAT; i++) runs.push(await measurePage(html));
  const pick = (k: keyof PageTimes) => median(runs.map((r) => r[k]));
  const row = { page, steps, size: statSync(html).size, write: w.seconds, t: { open: pick('open'), replayed: pick('replayed'), keyMedian: pick('keyMedian'), keyMax: pick('keyMax'), heap: pick('heap') } };
  console.log(format(row));
  return row;
}

const HEAD = ['page', 'steps', 'size', 'write', 'open', 'replayed', 'key median', 'key max', 'heap'];
function format(r: Row): string {
  return [
    r.page.padEnd(16),
    r.steps.padStart(24),
    `${(r.size / 2 ** 20).toFixed(2)} MB`.padStart(9),
    `${r.write.toFixed(2)} s`.padStart(8),
    `${(r.t.open / 1000).toFixed(2)} s`.padStart(8),
    `${(r.t.replayed / 1000).toFixed(2)} s`.padStart(9),
    `${r.t.keyMedian.toFixed(1)} ms`.padStart(10),
    `${r.t.keyMax.toFixed(0)} ms`.padStart(8),
    `${r.t.heap.toFixed(0)} MB`.padStart(7),
  ].join('  ');
}

async function ensure(name: string, o: GenOptions): Promise<string> {
  const path = join(OUT, `${name}.jsonl`);
  if (!existsSync(path)) await writeLog(path, o);
  return path;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const head = [HEAD[0]!.padEnd(16), HEAD[1]!.padStart(24), ...HEAD.slice(2).map((h, i) => h.padStart([9, 8, 8, 9, 10, 8, 7][i]!))].join('  ');
  console.log(head);
  const l20k = await ensure('mix-20k-64', { steps: 20_000, devices: 64, access: 0.9 });
  const l200k = await ensure('target-200k-64', { steps: 200_000, devices: 64, access: 0.9 });
  const l1m = await ensure('mix-1000k-64', { steps: 1_000_000, devices: 64, access: 0.9 });
  const rows = [await pageRow('view-20k', '20000', l20k), await pageRow('view-200k', '200000 (the most)', l200k)];
  const refused = view([l1m, '-o', join(OUT, 'view-1m.html')]);
  if (refused.code !== 2 || existsSync(join(OUT, 'view-1m.html'))) throw new Error(`the 1M-step log was not refused: ${refused.code} ${refused.err}`);
  console.log(`1M steps without --from/--to: exit 2 in ${refused.seconds.toFixed(2)} s: ${refused.err.trim()}`);
  rows.push(await pageRow('view-1m-window', '400001-600000 of 1000000', l1m, ['--from', '400001', '--to', '600000']));
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}, ${spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).stdout.trim()}`;
  writeFileSync(
    'bench/VIEW.md',
    `# Viewer results\n\nMachine: ${machine}. Medians of ${REPEAT} runs. "write" is \`daxsim view LOG -o PAGE\` as a whole process; "open" is from the page's request to its first step drawn (headless Chromium, 1600x1000); "replayed" until the page has replayed every step in the background; a key press is timed in the page (its handler, with the style and layout it causes), ${KEYS.length * 3} presses a run: steps, pages, and jumps to the ends.\n\n` +
      '```\n' + [head, ...rows.map(format)].join('\n') + '\n```\n\n' +
      `- goals: a 20,000-step page opens within 2 s (${(rows[0]!.t.open / 1000).toFixed(2)} s) and answers a key press within 50 ms (median ${rows[0]!.t.keyMedian.toFixed(1)} ms, slowest ${rows[0]!.t.keyMax.toFixed(0)} ms)\n` +
      `- a 1,000,000-step log: refused in ${refused.seconds.toFixed(2)} s (exit 2, nothing written): "${refused.err.trim()}"\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!existsSync(CHROMIUM)) throw new Error(`no ${CHROMIUM}: the viewer's bench needs it`);
  if (process.argv.length > 2) {
    for (const page of process.argv.slice(2)) {
      const t = await measurePage(page);
      console.log(`${page}: open ${t.open} ms, replayed ${t.replayed} ms, key press median ${t.keyMedian.toFixed(1)} ms, slowest ${t.keyMax.toFixed(1)} ms, heap ${t.heap.toFixed(0)} MB`);
    }
  } else await main();
}
