// npm run bench: generates logs (bench/gen.ts), and for each measures, in the same run and as
// whole processes, the time to merely read and JSON.parse every line and the time of
// `daxsim replay LOG --json > /dev/null`; prints steps per second, the ratio of the two, peak
// memory, and the cost of probing 64 and 32768 devices. Writes bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { join } from 'node:path';
import { writeLog, type GenOptions } from './gen.ts';

const OUT = 'bench/out';
const REPEAT = Number(process.env['BENCH_REPEAT'] ?? 3);
const quick = process.argv.includes('--quick');

interface Row {
  name: string;
  steps: number;
  devices: number;
  parse: number;
  replay: number;
  rss: number;
}

const PARSE_ONLY = `
const fs = require('fs');
const text = fs.readFileSync(process.argv[1], 'utf8');
let start = 0, n = 0;
for (;;) {
  const end = text.indexOf('\\n', start);
  const line = text.slice(start, end < 0 ? text.length : end);
  if (line.length > 0) { JSON.parse(line); n++; }
  if (end < 0) break;
  start = end + 1;
}
if (n === 0) process.exit(1);
`;

function timed(args: string[], env: NodeJS.ProcessEnv = {}): { seconds: number; rss: number } {
  const devnull = openSync('/dev/null', 'w');
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', devnull, 'pipe'], env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  closeSync(devnull);
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const m = /maxrss_kb=(\d+)/.exec(r.stderr.toString());
  return { seconds, rss: m ? Number(m[1]) / 1024 : NaN };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(name: string, o: GenOptions): Promise<Row> {
  const path = join(OUT, `${name}.jsonl`);
  if (!existsSync(path)) await writeLog(path, o);
  const parse: number[] = [];
  const replay: number[] = [];
  let rss = 0;
  for (let i = 0; i < REPEAT; i++) {
    parse.push(timed(['-e', PARSE_ONLY, path]).seconds);
    const r = timed(['bin/daxsim.js', 'replay', path, '--json'], { DAXSIM_STATS: '1' });
    replay.push(r.seconds);
    rss = Math.max(rss, r.rss);
  }
  const row = { name, steps: o.steps, devices: o.devices, parse: median(parse), replay: median(replay), rss };
  console.log(format(row));
  return row;
}

function format(r: Row): string {
  return [
    r.name.padEnd(18),
    String(r.steps).padStart(8),
    String(r.devices).padStart(6),
    `${r.parse.toFixed(3)} s`.padStart(9),
    `${r.replay.toFixed(3)} s`.padStart(9),
    `${Math.round(r.steps / r.replay)}`.padStart(9),
    (r.parse / r.replay).toFixed(3).padStart(6),
    `${r.rss.toFixed(0)} MB`.padStart(8),
  ].join('  ');
}

mkdirSync(OUT, { recursive: true });
console.log(['log'.padEnd(18), 'steps'.padStart(8), 'devs'.padStart(6), 'parse'.padStart(9), 'replay'.padStart(9), 'steps/s'.padStart(9), 'ratio'.padStart(6), 'peak'.padStart(8)].join('  '));
const rows: Row[] = [];
rows.push(await measure('target-200k-64', { steps: 200_000, devices: 64, access: 0.9 }));
// The same accesses with no device churn: the other 10% are read sections around faults.
const quiet = await measure('quiet-200k-64', { steps: 200_000, devices: 64, access: 0.9, churn: false });
rows.push(quiet);
for (const steps of quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000]) {
  for (const devices of [64, 32768]) rows.push(await measure(`mix-${steps / 1000}k-${devices}`, { steps, devices, access: 0.9 }));
}
const probe64 = await measure('probe-64', { steps: 64, devices: 64, access: 0 });
const probe32k = await measure('probe-32768', { steps: 32768, devices: 32768, access: 0 });
const empty = await measure('empty', { steps: 0, devices: 0, access: 0 });
const perDevice = (r: Row, n: number) => ((r.replay - empty.replay) / n) * 1e6;

const target = rows[0]!;
const m100 = rows.find((r) => r.name === 'mix-100k-64')!;
const m1m = rows.find((r) => r.name === 'mix-1000k-64');
const summary = [
  `target (200k steps, 64 devices of 1 GiB, 90% accesses): ratio ${(target.parse / target.replay).toFixed(3)} (goal >= 0.25), peak ${target.rss.toFixed(0)} MB (goal < 400)`,
  `the same without alloc/kill/put cycles and grace periods (the other 10% read sections around faults): ratio ${(quiet.parse / quiet.replay).toFixed(3)}`,
  m1m ? `memory, 1M vs 100k steps of the same mix: ${m1m.rss.toFixed(0)} MB vs ${m100.rss.toFixed(0)} MB (${(((m1m.rss - m100.rss) / m100.rss) * 100).toFixed(1)}%, goal within 10%)` : '',
  `probe cost per device (above an empty log's ${empty.replay.toFixed(3)} s): 64 devices ${perDevice(probe64, 64).toFixed(1)} us, 32768 devices ${perDevice(probe32k, 32768).toFixed(1)} us; 32768 probes take ${(probe32k.replay - empty.replay).toFixed(2)} s`,
].filter(Boolean);
for (const s of summary) console.log(s);

const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}`;
writeFileSync(
  'bench/RESULTS.md',
  `# Benchmark results\n\nMachine: ${machine}. Each time is the median of ${REPEAT} runs of a whole process (start-up included).\n` +
    `"parse" reads the log and JSON.parses every line; "replay" is \`daxsim replay LOG --json > /dev/null\`; ratio = parse / replay.\n\n` +
    '```\n' + rows.concat([probe64, probe32k, empty]).map(format).join('\n') + '\n```\n\n' + summary.map((s) => `- ${s}`).join('\n') + '\n',
);
