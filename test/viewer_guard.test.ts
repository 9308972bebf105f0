// Nothing leaves the page of `daxsim view`, tried in headless Chromium from inside the page as a
// hostile script would: no request (fetch, an image, a frame, a script, a beacon, a socket), no
// form submission, no navigation (a script setting location, a link, a link to a new window) and
// no new window. Its policy stops requests and forms; a navigation is stopped by the page's own
// guard, since no browser knows CSP's navigate-to: a control page with the same policy and no
// guard shows that the navigations tried here would otherwise leave.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { PAGE_POLICY } from '../src/viewer/page.ts';
import { CHROMIUM, daxsim, hasChromium, skipWithoutChromium, inChromium, open, tmp } from './browser.ts';

const strip = (u: string) => u.replace(/#.*$/, '');

/** Every way out, tried from inside the page. */
async function tryEveryWayOut(p: Page): Promise<{ fetch: string; opened: boolean[] }> {
  const fetched = await p.evaluate(async () => {
    try {
      await fetch('https://example.com/fetch');
      return 'fetched';
    } catch {
      return 'refused';
    }
  });
  // (No functions declared inside evaluate: the test's compiler would name them with a helper the page lacks.)
  await p.evaluate(() => {
    for (const [tag, src] of [['img', 'https://example.com/img.png'], ['iframe', 'https://example.com/frame'], ['script', 'https://example.com/script.js']]) {
      document.body.append(Object.assign(document.createElement(tag!), { src }));
    }
    navigator.sendBeacon('https://example.com/beacon', 'x');
    try {
      new WebSocket('wss://example.com/socket');
    } catch {
      // refused at once
    }
  });
  await p.evaluate(() => {
    for (const [action, how] of [['https://example.com/form', 'submit'], ['file:///etc/hostname', 'requestSubmit']] as const) {
      const f = Object.assign(document.createElement('form'), { action, method: 'post' });
      f.append(Object.assign(document.createElement('input'), { name: 'q', value: 'the log' }));
      document.body.append(f);
      f[how]();
    }
  });
  for (const go of ["location.href = 'https://example.com/nav'", "location.assign('file:///etc/hostname')", "location.replace('file:///etc/hosts')", "history.pushState(null, '', 'file:///etc/passwd')"]) {
    await p.evaluate(go).catch(() => undefined); // pushState to another document throws: refused too
  }
  await p.evaluate(() => {
    for (const [id, target] of [['away', '_self'], ['popup', '_blank']]) {
      const a = Object.assign(document.createElement('a'), { id, href: `file:///etc/hostname#${id}`, target, textContent: id });
      Object.assign(a.style, { position: 'fixed', top: id === 'away' ? '0' : '30px', left: '0', zIndex: '9' });
      document.body.append(a);
    }
  });
  await p.click('#away', { timeout: 2000 }).catch(() => undefined);
  await p.click('#popup', { timeout: 2000 }).catch(() => undefined);
  const opened = await p.evaluate(() => [window.open('https://example.com/window') === null, window.open('') === null]);
  await p.waitForTimeout(800);
  return { fetch: fetched, opened };
}

const guard = suite('the page lets nothing out');

if (!hasChromium) {
  skipWithoutChromium(guard, 'no request, no form submission, no navigation, no new window');
} else {
  guard('no request, no form submission, no navigation, no new window: the page stays where it is', async () => {
    const dir = tmp();
    const html = join(dir, 'race.html');
    assert.is(daxsim(['view', 'traces/device/race-fault-vs-unregister.jsonl', '-o', html]).code, 0);
    await inChromium(async ({ context, page: p, outside }) => {
      await open(p, html);
      const url = p.url();
      const popups: string[] = [];
      context.on('page', (q) => popups.push(q.url()));
      const navigated: string[] = [];
      p.on('framenavigated', (f) => void (f === p.mainFrame() && strip(f.url()) !== strip(url) && navigated.push(f.url())));
      const got = await tryEveryWayOut(p);
      assert.is(got.fetch, 'refused');
      assert.equal(got.opened, [true, true], 'window.open gives nothing');
      assert.equal(outside, [], 'no request left the page');
      assert.equal(popups, [], 'no window opened');
      assert.equal(navigated, [], 'no navigation');
      assert.is(strip(p.url()), strip(url));
      assert.is(await p.getAttribute('body', 'data-ready'), 'true', 'still the page, still working');
      await p.keyboard.press('End');
      assert.is(await p.getAttribute('body', 'data-step'), '8');
    });
  });

  guard('the control: with the same policy and no guard, a script and a link do navigate away (navigate-to is in no browser)', async () => {
    const dir = tmp();
    const bare = join(dir, 'bare.html');
    writeFileSync(bare, `<!doctype html><meta http-equiv="Content-Security-Policy" content="${PAGE_POLICY}"><body data-ready="true"><p>no guard</p></body>`);
    await inChromium(async ({ page: p }) => {
      await open(p, bare);
      await p.evaluate(() => location.assign('file:///etc/hostname'));
      await p.waitForURL('file:///etc/hostname');
      assert.is(p.url(), 'file:///etc/hostname');
    });
  });
}

guard.run();
