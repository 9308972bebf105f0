import { readFileSync } from 'node:fs';
import { PROGRAM } from '../machines/calls.ts';
import { Kernel } from '../machines/kernel.ts';
import { hash64 } from '../machines/hash.ts';
import { parseLog } from '../src/log.ts';
const log = parseLog(readFileSync('traces/device/race-fault-vs-unregister.jsonl', 'utf8')) as any;
const k = new Kernel(log.header.config, PROGRAM);
for (const s of log.steps.slice(0, 4)) k.step(s.task, s.event, s.line);
const step = log.steps[4];
hash64(k.snapshot(), true);
const N = 300000;
const states = [];
for (let i = 0; i < 1000; i++) { const c = k.clone(); c.step(step.task, step.event, step.line); states.push(c.s); }
for (let r = 0; r < 3; r++) {
  let t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) { const c = k.clone(); c.step(step.task, step.event, step.line); }
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) { const c = k.clone(); c.step(step.task, step.event, step.line); hash64(c.s, true); }
  const t2 = process.hrtime.bigint();
  console.log('clone+step', Number(t1 - t) / N / 1000, 'clone+step+hash', Number(t2 - t1) / N / 1000);
}
