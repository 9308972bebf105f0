// A TypeScript app on daxsim: replays a log held in a string and says, for each step, what the
// kernel did. Built with the stock tsconfig.json beside it:
//   npm install daxsim typescript && npx tsc -p . && node app.js
import { replayText, type Outcome, type ReplayResult, type StepResult } from 'daxsim';

const log = [
  '{"daxlog": 1, "note": "a kill waits for the reader that entered before it"}',
  '{"event": {"type": "dax.alloc", "dax": "a"}}',
  '{"task": "A", "event": {"type": "dax_srcu.read_lock"}}',
  '{"task": "B", "event": {"type": "dax.kill", "dax": "a"}}',
  '{"task": "A", "event": {"type": "dax_srcu.read_unlock"}}',
].join('\n');

function whatHappened(out: Outcome): string {
  if (out.oops !== undefined) return `oops: ${out.oops}`;
  if (out.blocked) return 'blocked';
  const woke = (out.woke ?? []).map((w) => `, woke ${w.task} in ${w.type}`).join('');
  return `returned ${JSON.stringify(out.ret ?? null)}${woke}`;
}

function describe({ step, out }: StepResult): string {
  return `${step.task} ${step.event.type}: ${whatHappened(out)}`;
}

const replay: ReplayResult = replayText(log, 'inline.jsonl');
if (replay.error !== undefined) throw replay.error;
for (const r of replay.results) console.log(describe(r));
console.log(`${replay.summary?.steps} steps, ${replay.summary?.diverged} diverged`);
