// A page that runs a scenario on the modelled kernel, as an XState actor, and shows after each
// step the call, what it returned and the state of every object. Bundle it for the page, then
// open index.html (no server needed):
//   npm install daxsim xstate esbuild
//   npx esbuild main.js --bundle --outfile=main.bundle.js
import { createActor } from 'xstate';
import { daxKernelLogic } from 'daxsim';
import { scenario } from './scenario.js';

/** What a call did, in a few words. */
function result(out) {
  if (out.oops !== undefined) return `oops: ${out.oops}`;
  if (out.blocked) return 'blocked';
  const woke = (out.woke ?? []).map((w) => `; woke ${w.task} (${w.type} = ${JSON.stringify(w.ret)})`).join('');
  return `= ${JSON.stringify(out.ret)}${woke}`;
}

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text;
  row.append(td);
}

const rows = document.querySelector('#steps tbody');
const kernel = createActor(daxKernelLogic);
kernel.subscribe({
  next({ context: { step, outcome, states } }) {
    if (step === null) return; // the snapshot before the first call
    const row = document.createElement('tr');
    row.dataset.seq = String(step.seq);
    row.dataset.outcome = JSON.stringify(outcome); // the outcome as daxlog.md §4 writes it
    cell(row, String(step.seq));
    cell(row, step.task);
    cell(row, step.kernel);
    cell(row, result(outcome));
    cell(row, Object.entries(states).map(([handle, state]) => `${handle}: ${state}`).join(', '));
    rows.append(row);
  },
  error(err) {
    document.querySelector('#error').textContent = String(err);
  },
});
kernel.start();
for (const event of scenario) kernel.send(event);
document.body.dataset.done = 'true';
