// What the per-line checks of src/json_checks.ts cost: the nesting limit (a walk of the parsed
// value that also counts its keys) and the repeated-key check (the colons of the text against
// that count), over the lines of the logs given, in one process.
//
//   node --import tsx bench/checks.ts LOG...
//
// For each log: the median over interleaved rounds of JSON.parse alone, + the walk, + the colon
// count, and parseJson as the reader calls it; printed as microseconds per line.
import { readFileSync } from 'node:fs';
import { countKeys, repeatsKey } from '../src/json_checks.ts';
import { parseJson } from '../src/json.ts';

const ROUNDS = Number(process.env['ROUNDS'] ?? 15);

type Stage = (text: string) => unknown;
const stages: [string, Stage][] = [
  ['JSON.parse', (t) => JSON.parse(t)],
  ['+ walk (depth, keys)', (t) => countKeys(JSON.parse(t))],
  ['+ walk + colons', (t) => repeatsKey(t, countKeys(JSON.parse(t)))],
  ['parseJson', (t) => parseJson(t)],
];

let sink = 0;
function time(lines: string[], f: Stage): number {
  const start = process.hrtime.bigint();
  for (const l of lines) if (f(l) !== undefined) sink++;
  return Number(process.hrtime.bigint() - start) / 1e3 / lines.length;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

for (const path of process.argv.slice(2)) {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0 && !l.startsWith('#'));
  const runs = stages.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) stages.forEach(([, f], i) => runs[i]!.push(time(lines, f)));
  const m = runs.map(median);
  process.stdout.write(`${path}: ${lines.length} lines, ${(lines.reduce((n, l) => n + l.length, 0) / lines.length).toFixed(0)} characters a line\n`);
  stages.forEach(([name], i) => process.stdout.write(`  ${name.padEnd(22)} ${m[i]!.toFixed(3)} µs/line\n`));
  process.stdout.write(`  walk ${(m[1]! - m[0]!).toFixed(3)} µs/line, colons ${(m[2]! - m[1]!).toFixed(3)} µs/line\n`);
}
if (sink < 0) process.stdout.write('');
