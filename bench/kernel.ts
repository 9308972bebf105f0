// Benchmarks of the kernel's state as a value (issue 11), in this process:
//   - clone + one step + hash on the race of kernel-semantics §4
//     (traces/device/race-fault-vs-unregister.jsonl): for every step k of the trace, the
//     kernel after k - 1 steps is cloned, runs step k, and is hashed; warm, the median over
//     rounds of the mean per operation;
// and logs for whole-process replays (bench/run.ts times them):
//   - `kills`: one reader inside its read section, N tasks calling kill_dax on one device (each
//     sleeps in synchronize_srcu), then the reader's unlock, which wakes all N;
//   - `readers`: N reader tasks inside their read sections, one kill_dax, then N unlocks (the
//     last one wakes the kill).
import { readFileSync, writeFileSync } from 'node:fs';
import { Kernel } from '../machines/kernel.ts';
import { hash64 } from '../machines/hash.ts';
import { PROGRAM } from '../machines/calls.ts';
import { parseLog } from '../src/log.ts';
import { LogError } from '../src/errors.ts';

export const RACE = 'traces/device/race-fault-vs-unregister.jsonl';

/** Microseconds for clone + step + hash on the race trace (median of `rounds`), and the steps timed. */
export function cloneStepHash(rounds = 15, reps = 2000): { us: number; steps: number; each: number[] } {
  const log = parseLog(readFileSync(RACE, 'utf8'), RACE);
  if (log instanceof LogError) throw log;
  // The kernel before each step.
  const before: Kernel[] = [];
  let k = new Kernel(log.header.config, PROGRAM);
  for (const s of log.steps) {
    before.push(k.clone());
    k.step(s.task, s.event, s.line);
  }
  const per: number[][] = log.steps.map(() => []);
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    log.steps.forEach((s, i) => {
      const base = before[i]!;
      const t = process.hrtime.bigint();
      for (let j = 0; j < reps; j++) {
        const c = base.clone();
        c.step(s.task, s.event, s.line);
        sink += hash64(c.s, true)[0];
      }
      per[i]!.push(Number(process.hrtime.bigint() - t) / 1e3 / reps);
    });
  }
  if (sink === 0.5) console.log('');
  const each = per.map(median);
  return { us: each.reduce((a, b) => a + b, 0) / each.length, steps: each.length, each };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Writes the `kills` log: n kill_dax calls waiting on one reader, then its unlock. */
export function writeKills(path: string, n: number): void {
  const lines = [JSON.stringify({ daxlog: 1, note: `bench: ${n} kill_dax calls wait for one reader` }), '{"event":{"type":"dax.alloc","dax":"d"}}', '{"task":"R","event":{"type":"dax_srcu.read_lock"}}'];
  for (let i = 0; i < n; i++) lines.push(`{"task":"K${i}","event":{"type":"dax.kill","dax":"d"}}`);
  lines.push('{"task":"R","event":{"type":"dax_srcu.read_unlock"}}');
  writeFileSync(path, lines.join('\n') + '\n');
}

/** Writes the `readers` log: n readers inside, one kill, then n unlocks. */
export function writeReaders(path: string, n: number): void {
  const lines = [JSON.stringify({ daxlog: 1, note: `bench: ${n} readers around one kill_dax` }), '{"event":{"type":"dax.alloc","dax":"d"}}'];
  for (let i = 0; i < n; i++) lines.push(`{"task":"R${i}","event":{"type":"dax_srcu.read_lock"}}`);
  lines.push('{"task":"K","event":{"type":"dax.kill","dax":"d"}}');
  for (let i = 0; i < n; i++) lines.push(`{"task":"R${i}","event":{"type":"dax_srcu.read_unlock"}}`);
  writeFileSync(path, lines.join('\n') + '\n');
}
