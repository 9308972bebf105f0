// Runs every test/*.test.ts with uvu and ends with the line CI reads: "N passed, N failed".
// uvu's own summary is replaced by that line; the run fails when a test fails or none ran.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

type Runner = () => Promise<[string | true, number, number, number]>;
const g = globalThis as unknown as { UVU_DEFER: number; UVU_INDEX: number; UVU_QUEUE: (string | Runner)[][] };

process.env['NO_COLOR'] ??= '1';
g.UVU_DEFER = 1; // uvu then queues suites instead of running them on a timer
await import('uvu');

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.test.ts') && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort();
for (const [i, f] of files.entries()) {
  g.UVU_INDEX = i;
  g.UVU_QUEUE.push([f]);
  await import(pathToFileURL(join(here, f)).href);
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const group of g.UVU_QUEUE) {
  const name = group.shift();
  if (typeof name === 'string') process.stdout.write(`\n${name}\n`);
  for (const run of group as Runner[]) {
    const [errors, ran, skip, total] = await run();
    passed += ran;
    failed += total - ran;
    skipped += skip;
    if (errors !== true) process.stdout.write(`\n${errors}\n`);
  }
}
// The README's first screen shows this run's closing line; on a full run it is checked here, the
// one place that knows the count (one more test, counted like the others).
if (only.length === 0) {
  const readme = readFileSync(join(here, '..', 'README.md'), 'utf8');
  const shown = /\n(\d+) passed, 0 failed\n/.exec(readme)?.[1];
  const claim = passed + 1;
  process.stdout.write('\nREADME.md\n');
  if (shown === String(claim)) passed += 1;
  else {
    failed += 1;
    process.stdout.write(`\n   FAIL  README's test count: it shows "${shown ?? 'no'} passed, 0 failed", this run passed ${claim} (this check included)\n`);
  }
}
const ran = passed + failed;
if (ran === 0) process.stdout.write('\nno test ran\n');
if (skipped > 0) process.stdout.write(`\n${skipped} skipped\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exitCode = failed > 0 || ran === 0 ? 1 : 0;
