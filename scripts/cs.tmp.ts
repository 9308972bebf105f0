import { readFileSync } from 'node:fs';
import { PROGRAM } from '../machines/calls.ts';
import { Kernel } from '../machines/kernel.ts';
import { hash64, type Hash64 } from '../machines/hash.ts';
import { parseLog } from '../src/log.ts';
const log = parseLog(readFileSync('traces/device/race-fault-vs-unregister.jsonl', 'utf8')) as any;
const k = new Kernel(log.header.config, PROGRAM);
for (const s of log.steps.slice(0, 4)) k.step(s.task, s.event, s.line);
const step = log.steps[4];
const cache = true;
hash64(k.snapshot(), cache);
const N = 200000;
for (let round = 0; round < 3; round++) {
  let t = process.hrtime.bigint(); let tc = 0n, ts = 0n, th = 0n;
  for (let i = 0; i < N; i++) {
    const a = process.hrtime.bigint();
    const c = k.clone();
    const b = process.hrtime.bigint();
    c.step(step.task, step.event, step.line);
    const d = process.hrtime.bigint();
    hash64(c.s, cache);
    const e = process.hrtime.bigint();
    tc += b - a; ts += d - b; th += e - d;
  }
  console.log('clone+step+hash', (Number(process.hrtime.bigint() - t) / N / 1000).toFixed(2), 'us; clone', Number(tc)/N/1000, 'step', Number(ts)/N/1000, 'hash', Number(th)/N/1000);
}
{
  const c = k.clone();
  c.step(step.task, step.event, step.line);
  const sym = Object.getOwnPropertySymbols;
  let fresh = 0, all = 0;
  const walk = (v: any, path: string) => { if (v === null || typeof v !== 'object') return; all++; if (sym(v).length === 0) { fresh++; console.log('fresh', path, Array.isArray(v) ? 'array' + v.length : Object.keys(v).length + ' keys'); } for (const [kk, x] of Object.entries(v)) walk(x, path + '.' + kk); };
  walk(c.s, 's');
  console.log(fresh, all);
}
