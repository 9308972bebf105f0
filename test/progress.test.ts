import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { Progress } from '../src/progress.ts';

function sink(tty: boolean) {
  const written: string[] = [];
  const out = new Writable({
    write(chunk, _enc, cb) {
      written.push(String(chunk));
      cb();
    },
  }) as Writable & { isTTY?: boolean };
  out.isTTY = tty;
  return { out, written };
}

const progress = suite('Progress');

progress('says nothing for two seconds, then steps, rate and share of the file', () => {
  let now = 0;
  const { out, written } = sink(true);
  const p = new Progress(out, { total: 1000, now: () => now });
  now = 1500;
  p.update(1000, 100);
  assert.equal(written, []);
  now = 2500;
  p.update(5000, 400);
  assert.equal(written, ['\r\x1b[K5000 steps, 2000 steps/s, 40.0% of the file']);
  p.done();
  assert.is(written.at(-1), '\r\x1b[K');
});

progress('never draws when stderr is not a terminal', () => {
  let now = 0;
  const { out, written } = sink(false);
  const p = new Progress(out, { now: () => now });
  now = 10_000;
  p.update(1, 1);
  p.done();
  assert.equal(written, []);
  assert.not.ok(p.active);
});

progress('leaves out the share when the size is unknown (standard input), and redraws at most every 200 ms', () => {
  let now = 0;
  const { out, written } = sink(true);
  const p = new Progress(out, { now: () => now });
  now = 3000;
  p.update(3000, 1);
  now = 3100;
  p.update(3100, 2);
  assert.equal(written, ['\r\x1b[K3000 steps, 1000 steps/s']);
});

progress.run();
