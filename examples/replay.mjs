// Replays a daxlog with daxsim's library from plain Node (an ES module: no TypeScript, no tsx)
// and prints each step's outcome, then a total. Exits like `daxsim replay`: 0, 1 when a step
// diverges from its expect, 2 when the log cannot be replayed.
//   node replay.mjs [LOG]      (without LOG: a trace the package ships)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replayText } from 'daxsim';

const shipped = join(dirname(fileURLToPath(import.meta.resolve('daxsim/package.json'))), 'traces', 'device', 'race-fault-vs-unregister.jsonl');
const file = process.argv[2] ?? shipped;

const { results, summary, error } = replayText(readFileSync(file, 'utf8'), file);
for (const { step, out, diverged } of results) {
  console.log(`#${step.seq} line ${step.line} ${step.task} ${step.event.type} ${JSON.stringify(out)}${diverged ? '  DIVERGED' : ''}`);
}
if (error) {
  console.error(error.message); // file:line:column: reason
  process.exitCode = 2;
} else {
  console.log(`${summary.steps} steps, ${summary.diverged} diverged, ${summary.blocked.length} left blocked`);
  process.exitCode = summary.diverged > 0 ? 1 : 0;
}
