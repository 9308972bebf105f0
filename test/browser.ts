// Headless Chromium for the viewer's tests (playwright-core driving Debian's /usr/bin/chromium,
// which .ci/run installs): a page opened with every request that is not file: or data: stopped
// and recorded, its errors recorded, and `daxsim` spawned as a user runs it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/**
 * Without Chromium a browser suite registers its tests as skipped (test/run.ts counts and prints
 * them apart from the passed ones) and says why once.
 */
let told = false;
export function skipWithoutChromium(s: { skip: (name: string, f: () => void) => void }, name: string): void {
  if (!told) process.stdout.write(`\nnotice: ${CHROMIUM} is missing (apt-get install chromium; .ci/run does): the viewer is not tested in a browser\n`);
  told = true;
  s.skip(name, () => undefined);
}

const BIN = resolve('bin', 'daxsim.js');
export const tmp = () => mkdtempSync(join(tmpdir(), 'daxsim-page-'));
export const daxsim = (args: string[], cwd = process.cwd()) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 1 << 28 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

export interface Opened {
  context: BrowserContext;
  page: Page;
  /** Requests that tried to leave the page (stopped). */
  outside: string[];
  /** Uncaught errors and console errors. */
  errors: string[];
}

/** Runs f with a fresh browser; afterwards the browser is closed, whatever f did. */
export async function inChromium<T>(f: (o: Opened) => Promise<T>, viewport = { width: 1600, height: 1000 }): Promise<T> {
  const { chromium } = await import('playwright-core');
  const context = await chromium.launchPersistentContext(join(tmp(), 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport,
  });
  const o: Opened = { context, page: undefined as unknown as Page, outside: [], errors: [] };
  try {
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (/^(file|data):/.test(url)) return route.continue();
      o.outside.push(url);
      return route.abort();
    });
    o.page = context.pages()[0] ?? (await context.newPage());
    o.page.on('pageerror', (e) => o.errors.push(String(e)));
    o.page.on('console', (m) => void (m.type() === 'error' && o.errors.push(m.text())));
    return await f(o);
  } finally {
    await context.close();
  }
}

/** Opens a page and waits until it has drawn its first step. */
export async function open(p: Page, html: string, hash = ''): Promise<number> {
  const t = Date.now();
  await p.goto(`file://${resolve(html)}${hash}`);
  await p.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  return Date.now() - t;
}

/** Presses a key and waits until the step it selects is drawn. */
export async function press(p: Page, key: string): Promise<void> {
  await p.keyboard.press(key);
  await shown(p);
}

/** Waits until the panels show the selected step. */
export async function shown(p: Page): Promise<string> {
  await p.waitForFunction(() => document.body.dataset['shown'] === document.body.dataset['step'], undefined, { timeout: 60_000, polling: 20 });
  return (await p.getAttribute('body', 'data-step'))!;
}

/** The rows of the objects panel: label and state. */
export const objectRows = (p: Page) =>
  p.$$eval('#objects .obj:not(.head)', (rows) => rows.map((r) => ({ label: (r as HTMLElement).dataset['label']!, state: (r as HTMLElement).dataset['state']! })));

/** The page-table rows the panel lists: vma, entry and mark. */
export const pageTableRows = (p: Page) =>
  p.$$eval('#pagetables details.vma tr[data-start]', (rows) =>
    rows.map((r) => {
      const d = (r as HTMLElement).dataset;
      return { vma: (r.closest('details') as HTMLElement).dataset['vma']!, size: d['size']!, start: d['start']!, end: d['end']!, phys: d['phys']!, write: d['write'] === 'true', mark: d['mark']! };
    }),
  );

/** The time a key press takes in the page: its handler, and the style and layout it causes. */
export const keyTime = (p: Page, key: string) =>
  p.evaluate((key) => {
    const t = performance.now();
    document.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
    void document.body.offsetHeight;
    return performance.now() - t;
  }, key);
