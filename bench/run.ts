// npm run bench: three parts, each printed and written to bench/RESULTS.md.
//   replay   generates logs (bench/gen.ts), and for each measures, in the same run and as whole
//            processes, the time to merely read and JSON.parse every line and the time of
//            `daxsim replay LOG --json > /dev/null`: steps per second, the ratio of the two
//            (for the target log, the median ratio of interleaved pairs), peak memory, and the
//            cost of probing 64 and 32768 devices;
//   kernel   20,000 kill_dax calls waiting on one reader, 20,000 readers around one kill (whole
//            processes), and clone + step + hash on the race of kernel-semantics §4 (in process);
//   explore  `daxsim explore` on the race scenarios, one worker and two, beside Spin on the same
//            race when spin and gcc are installed.
// Options: --quick (no million-step logs), --full (also the 4x3 race: minutes, and Spin needs
// 15 GB), --only replay|kernel|explore (repeatable). BENCH_REPEAT=N runs each replay N times
// (default 3), BENCH_PAIRS=N the target log's interleaved pairs (default 8).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { join } from 'node:path';
import { writeLog, type GenOptions } from './gen.ts';
import { cloneStepHash, writeKills, writeReaders } from './kernel.ts';
import { EXPLORE_HEAD, daxsimExplore, formatExplore, medianRun, spinExplore, spinMissing, type ExploreRow } from './explore.ts';

const OUT = 'bench/out';
const REPEAT = Number(process.env['BENCH_REPEAT'] ?? 3);
const PAIRS = Number(process.env['BENCH_PAIRS'] ?? 8);
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const full = argv.includes('--full');
const only = argv.flatMap((a, i) => (a === '--only' ? [argv[i + 1]!] : a.startsWith('--only=') ? [a.slice(7)] : []));
const part = (name: string) => only.length === 0 || only.includes(name);

interface Row {
  name: string;
  steps: number;
  devices: number;
  parse: number;
  replay: number;
  rss: number;
  /** The median of parse / replay over interleaved pairs, where measured so. */
  ratio?: number;
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
const replayOf = (path: string) => timed(['bin/daxsim.js', 'replay', path, '--json'], { DAXSIM_STATS: '1' });

async function measure(name: string, o: GenOptions, pairs = REPEAT): Promise<Row> {
  const path = join(OUT, `${name}.jsonl`);
  if (!existsSync(path)) await writeLog(path, o);
  const parse: number[] = [];
  const replay: number[] = [];
  const ratios: number[] = [];
  let rss = 0;
  // Interleaved: parse, replay, parse, replay, … so that a pair shares the machine's mood.
  for (let i = 0; i < pairs; i++) {
    parse.push(timed(['-e', PARSE_ONLY, path]).seconds);
    const r = replayOf(path);
    replay.push(r.seconds);
    ratios.push(parse.at(-1)! / r.seconds);
    rss = Math.max(rss, r.rss);
  }
  const row: Row = { name, steps: o.steps, devices: o.devices, parse: median(parse), replay: median(replay), rss, ratio: median(ratios) };
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
    (r.ratio ?? r.parse / r.replay).toFixed(3).padStart(6),
    `${r.rss.toFixed(0)} MB`.padStart(8),
  ].join('  ');
}

const REPLAY_HEAD = ['log'.padEnd(18), 'steps'.padStart(8), 'devs'.padStart(6), 'parse'.padStart(9), 'replay'.padStart(9), 'steps/s'.padStart(9), 'ratio'.padStart(6), 'peak'.padStart(8)].join('  ');

const sections: string[] = [];

// The command runs the bundle only while it is newer than the sources: build it first.
const built = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (built.status !== 0) throw new Error('npm run build failed');
mkdirSync(OUT, { recursive: true });

if (part('replay')) {
  console.log(REPLAY_HEAD);
  const rows: Row[] = [];
  const target = await measure('target-200k-64', { steps: 200_000, devices: 64, access: 0.9 }, PAIRS);
  rows.push(target);
  // The same accesses with no device churn: the other 10% are read sections around faults.
  const quiet = await measure('quiet-200k-64', { steps: 200_000, devices: 64, access: 0.9, churn: false });
  rows.push(quiet);
  for (const steps of quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000]) {
    for (const devices of [64, 32768]) rows.push(await measure(`mix-${steps / 1000}k-${devices}`, { steps, devices, access: 0.9 }));
  }
  const probe64 = await measure('probe-64', { steps: 64, devices: 64, access: 0 });
  const probe4k = await measure('probe-4096', { steps: 4096, devices: 4096, access: 0 });
  const probe32k = await measure('probe-32768', { steps: 32768, devices: 32768, access: 0 });
  const empty = await measure('empty', { steps: 0, devices: 0, access: 0 });
  // What one more device costs, between two sizes of log: flat when the two ranges agree. (Above
  // an empty log, a few devices mostly measure the first use of the probe path's code.)
  const perDevice = (a: Row, b: Row) => ((b.replay - a.replay) / (b.devices - a.devices)) * 1e6;
  const m100 = rows.find((r) => r.name === 'mix-100k-64')!;
  const m1m = rows.find((r) => r.name === 'mix-1000k-64');
  const notes = [
    `target (200k steps, 64 devices of 1 GiB, 90% accesses): ratio ${target.ratio!.toFixed(3)}, the median of ${PAIRS} interleaved pairs (goal >= 0.30), peak ${target.rss.toFixed(0)} MB (goal < 150)`,
    `the same without alloc/kill/put cycles and grace periods (the other 10% read sections around faults): ratio ${quiet.ratio!.toFixed(3)}`,
    m1m ? `memory, 1M vs 100k steps of the same mix: ${m1m.rss.toFixed(0)} MB vs ${m100.rss.toFixed(0)} MB (${(((m1m.rss - m100.rss) / m100.rss) * 100).toFixed(1)}%, goal within 10%)` : '',
    `probe cost per device: ${perDevice(probe64, probe4k).toFixed(1)} us from 64 to 4096 devices, ${perDevice(probe4k, probe32k).toFixed(1)} us from 4096 to 32768 (goal: no growth with the number of devices); 32768 probes take ${(probe32k.replay - empty.replay).toFixed(2)} s above an empty log's ${empty.replay.toFixed(3)} s, peak ${probe32k.rss.toFixed(0)} MB (goal < 150)`,
  ].filter(Boolean);
  for (const s of notes) console.log(s);
  sections.push(
    '## Replay\n\n"parse" reads the log and JSON.parses every line; "replay" is `daxsim replay LOG --json > /dev/null`; ratio = parse / replay. ' +
      `Each time is the median of ${REPEAT} runs of a whole process (start-up included), the target log's of ${PAIRS} interleaved pairs.\n\n` +
      '```\n' + [REPLAY_HEAD, ...rows.concat([probe64, probe4k, probe32k, empty]).map(format)].join('\n') + '\n```\n\n' + notes.map((s) => `- ${s}`).join('\n') + '\n',
  );
}

if (part('kernel')) {
  const N = 20_000;
  const kills = join(OUT, `kills-${N}.jsonl`);
  const readers = join(OUT, `readers-${N}.jsonl`);
  writeKills(kills, N);
  writeReaders(readers, N);
  const time = (path: string) => {
    const runs = Array.from({ length: REPEAT }, () => replayOf(path));
    return { seconds: median(runs.map((r) => r.seconds)), rss: Math.max(...runs.map((r) => r.rss)) };
  };
  const k = time(kills);
  const r = time(readers);
  const c = cloneStepHash();
  const notes = [
    `${N} kill_dax calls sleeping on one reader, then its unlock wakes them all: ${k.seconds.toFixed(2)} s, peak ${k.rss.toFixed(0)} MB (whole process; goal < 2 s)`,
    `${N} readers inside, one kill_dax, then ${N} unlocks: ${r.seconds.toFixed(2)} s, peak ${r.rss.toFixed(0)} MB (whole process; goal < 1 s)`,
    `clone + one step + hash on ${'traces/device/race-fault-vs-unregister.jsonl'}, warm, mean over its ${c.steps} steps: ${c.us.toFixed(1)} us (goal < 10 us); per step ${c.each.map((x) => x.toFixed(1)).join(', ')}`,
  ];
  for (const s of notes) console.log(s);
  sections.push('## Kernel state\n\n' + notes.map((s) => `- ${s}`).join('\n') + '\n');
}

if (part('explore')) {
  const configs: [number, number][] = full ? [[2, 2], [3, 2], [4, 3]] : [[2, 2], [3, 2]];
  const missing = spinMissing();
  if (missing !== undefined) console.log(`spin: skipped, ${missing}`);
  console.log(EXPLORE_HEAD);
  const rows: ExploreRow[] = [];
  const add = (r: ExploreRow) => {
    rows.push(r);
    console.log(formatExplore(r));
    return r;
  };
  const notes: string[] = [];
  for (const [f, r] of configs) {
    // The races of a second or two are run five times, one and two workers in turn, and the
    // run of median time is shown: this machine's speed drifts from minute to minute.
    const n = f * r <= 6 ? 5 : 1;
    const ones: ExploreRow[] = [];
    const twos: ExploreRow[] = [];
    for (let i = 0; i < n; i++) {
      ones.push(daxsimExplore(f, r, 1));
      twos.push(daxsimExplore(f, r, 2));
    }
    const one = add(medianRun(ones));
    const two = add(medianRun(twos));
    const spin = missing === undefined ? add(spinExplore(f, r, OUT)) : undefined;
    const each = (rows: ExploreRow[]) => (n > 1 ? ` (runs: ${rows.map((x) => x.seconds.toFixed(2)).join(', ')} s)` : '');
    notes.push(
      `${f}x${r}: daxsim ${one.seconds.toFixed(2)} s${each(ones)}, of which the search ${one.search.toFixed(2)} s: ${one.states} states, ${Math.round(one.states / one.search)} states/s (goal >= 50000 on 3x2); ` +
        `--workers 2 ${two.seconds.toFixed(2)} s${each(twos)}: ${(one.seconds / two.seconds).toFixed(2)}x (goal >= 1.5x on 3x2); ` +
        `one worker keeps ${one.cores!.toFixed(2)} cores busy (its own thread, V8's compiler and collector threads), so ${cpus().length} cores allow it at most ${(cpus().length / one.cores!).toFixed(2)}x` +
        (spin === undefined ? '' : `; Spin ${spin.seconds.toFixed(2)} s (${spin.states} states): daxsim takes ${(one.seconds / spin.seconds).toFixed(2)}x Spin's time to verdict`),
    );
  }
  if (!full) notes.push('4x3 runs with --full (daxsim ~20 s, 1.6M states; Spin 476 s, 200M states and 15 GB in ../shared/anchors/spin/RESULTS.md)');
  for (const s of notes) console.log(s);
  sections.push(
    '## Explore\n\n`time`: whole processes, start-up included (Spin: `spin -a` and `gcc -O2` done before, `./pan -m1000000` timed, partial-order reduction on); `search`: the tool\'s own figure (daxsim: setup and search, as `--json` reports it; pan: its elapsed time); states/s from the search; `cores`: the CPU time of all of daxsim\'s threads over its whole time.' +
      (missing === undefined ? '' : ` Spin did not run: ${missing}.`) + '\n\n```\n' + [EXPLORE_HEAD, ...rows.map(formatExplore)].join('\n') + '\n```\n\n' + notes.map((s) => `- ${s}`).join('\n') + '\n',
  );
}

const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}`;
const load = `load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')} at the end`;
// A partial run (--only) keeps the other parts' sections of the last results.
const old = existsSync('bench/RESULTS.md') ? readFileSync('bench/RESULTS.md', 'utf8').split(/^(?=## )/m).slice(1) : [];
const title = (sec: string) => sec.slice(0, sec.indexOf('\n'));
// One section per part: this run's, else the latest kept one, marked as from an earlier run.
const base = (sec: string) => title(sec).replace(/ \(an earlier run\)$/, '');
const kept = old
  .filter((o, i) => !sections.some((n) => base(n) === base(o)) && old.findIndex((x) => base(x) === base(o)) === i)
  .map((o) => (title(o).endsWith('(an earlier run)') ? o : o.replace(/^(## .*)$/m, '$1 (an earlier run)')).trimEnd() + '\n');
const order = ['## Replay', '## Kernel state', '## Explore'];
const all = [...sections, ...kept].sort((a, b) => order.findIndex((t) => title(a).startsWith(t)) - order.findIndex((t) => title(b).startsWith(t)));
writeFileSync('bench/RESULTS.md', `# Benchmark results\n\nMachine: ${machine}; ${load}. \`npm run bench${argv.length > 0 ? ' -- ' + argv.join(' ') : ''}\`.\n\n` + all.join('\n'));
