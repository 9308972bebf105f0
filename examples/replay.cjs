// replay.mjs as CommonJS: the same replay through require('daxsim').
//   node replay.cjs [LOG]      (without LOG: a trace the package ships)
const { readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { replayText } = require('daxsim');

const shipped = join(dirname(require.resolve('daxsim/package.json')), 'traces', 'device', 'race-fault-vs-unregister.jsonl');
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
