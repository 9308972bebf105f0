// `daxsim explore` beside Spin on the same race (../shared/anchors/spin/dax_race.pml, the
// teardown race of kernel-semantics §4 with F faulting tasks of R read sections each): for each
// F x R, `daxsim explore traces/explore/race-FxR.jsonl` (one worker and two) and, when spin and
// gcc are installed, Spin's pan built with -O2 and run with its defaults (partial-order
// reduction on), all as whole processes in the same run.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SPIN_MODEL = resolve('../shared/anchors/spin/dax_race.pml');

export interface ExploreRow {
  tool: string;
  config: string;
  states: number;
  transitions: number;
  /** The whole process, start-up included: the time to a verdict. */
  seconds: number;
  /** The search alone, as the tool reports it (daxsim: setup and search; pan: its elapsed time). */
  search: number;
  memoryMB: number;
  /** CPU time of all the process's threads over its wall time: the cores it kept busy. */
  cores?: number;
  verdict: string;
}

const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** Why Spin cannot run here, or undefined when it can. */
export function spinMissing(): string | undefined {
  if (!existsSync(SPIN_MODEL)) return `${SPIN_MODEL} is missing`;
  const missing = ['spin', 'gcc'].filter((c) => !have(c));
  return missing.length === 0 ? undefined : `${missing.join(' and ')} not installed (apt-get install spin gcc)`;
}

export function daxsimExplore(f: number, r: number, workers: number): ExploreRow {
  const scenario = `traces/explore/race-${f}x${r}.jsonl`;
  const t = process.hrtime.bigint();
  const p = spawnSync(process.execPath, ['bin/daxsim.js', 'explore', scenario, '--json', '--workers', String(workers), '-o', join('bench', 'out', 'race.cex.jsonl')], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    env: { ...process.env, DAXSIM_STATS: '1' },
  });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (p.status !== 0) throw new Error(`daxsim explore ${scenario} exited ${p.status}: ${p.stderr}`);
  const o = JSON.parse(p.stdout) as { states: number; transitions: number; seconds: number; peakMemoryMB: number; verdict: string };
  const cpu = Number(/cpu_ms=(\d+)/.exec(p.stderr)?.[1] ?? NaN) / 1000;
  return { tool: workers === 1 ? 'daxsim' : `daxsim -w${workers}`, config: `${f}x${r}`, states: o.states, transitions: o.transitions, seconds, search: o.seconds, memoryMB: o.peakMemoryMB, cores: cpu / seconds, verdict: o.verdict };
}

/** The run of the median time (whole process) among runs. */
export function medianRun(runs: ExploreRow[]): ExploreRow {
  return [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)]!;
}

/** Builds pan for F x R in dir/FxR (once) and runs it; the time covers pan only, as Spin's figures do. */
export function spinExplore(f: number, r: number, dir: string): ExploreRow {
  const work = join(dir, `spin-${f}x${r}`);
  mkdirSync(work, { recursive: true });
  if (!existsSync(join(work, 'pan'))) {
    copyFileSync(SPIN_MODEL, join(work, 'dax_race.pml'));
    const a = spawnSync('spin', ['-a', `-DNR_FAULT=${f}`, `-DFAULTS=${r}`, 'dax_race.pml'], { cwd: work, encoding: 'utf8' });
    if (a.status !== 0) throw new Error(`spin -a: ${a.stderr || a.stdout}`);
    const c = spawnSync('gcc', ['-O2', '-o', 'pan', 'pan.c'], { cwd: work, encoding: 'utf8' });
    if (c.status !== 0) throw new Error(`gcc pan.c: ${c.stderr}`);
  }
  const t = process.hrtime.bigint();
  const p = spawnSync('./pan', ['-m1000000'], { cwd: work, encoding: 'utf8', maxBuffer: 1 << 24 });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const out = p.stdout;
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  return {
    tool: 'spin',
    config: `${f}x${r}`,
    states: num(/([\d.e+]+) states, stored/),
    transitions: num(/([\d.e+]+) transitions \(= stored\+matched\)/),
    seconds,
    search: num(/pan: elapsed time ([\d.e+]+) seconds/),
    memoryMB: num(/([\d.]+)\s+total actual memory usage/),
    verdict: /errors: 0/.test(out) ? 'no violation' : 'violation',
  };
}

export function formatExplore(r: ExploreRow): string {
  return [
    r.tool.padEnd(11),
    r.config.padEnd(5),
    String(r.states).padStart(11),
    String(r.transitions).padStart(12),
    `${r.seconds.toFixed(2)} s`.padStart(9),
    `${r.search.toFixed(2)} s`.padStart(9),
    `${Math.round(r.states / r.search)}`.padStart(9),
    `${r.memoryMB.toFixed(0)} MB`.padStart(8),
    (r.cores === undefined ? '' : r.cores.toFixed(2)).padStart(5),
    r.verdict,
  ].join('  ');
}

export const EXPLORE_HEAD = ['tool'.padEnd(11), 'F x R'.padEnd(5), 'states'.padStart(11), 'transitions'.padStart(12), 'time'.padStart(9), 'search'.padStart(9), 'states/s'.padStart(9), 'memory'.padStart(8), 'cores'.padStart(5), 'verdict'].join('  ');
