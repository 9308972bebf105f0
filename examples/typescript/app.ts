// A TypeScript app that embeds the modelled kernel as an XState actor: it sends the kernel the
// calls of a reader racing kill_dax, one event each with the task making it, and prints each
// step's outcome as the actor's snapshots bring it. Built with the stock tsconfig.json beside it:
//   npm install daxsim xstate typescript && npx tsc -p . && node app.js
import { createActor } from 'xstate';
import { daxKernelLogic, type KernelActorEvent, type KernelActorSnapshot, type Outcome } from 'daxsim';

const calls: KernelActorEvent[] = [
  { type: 'dax.alloc', dax: 'a' },
  { type: 'dax_srcu.read_lock', task: 'A' },
  { type: 'dax.kill', dax: 'a', task: 'B' },
  { type: 'dax_srcu.read_unlock', task: 'A' },
];

function whatHappened(out: Outcome): string {
  if (out.oops !== undefined) return `oops: ${out.oops}`;
  if (out.blocked) return 'blocked';
  const woke = (out.woke ?? []).map((w) => `, woke ${w.task} in ${w.type}`).join('');
  return `returned ${JSON.stringify(out.ret ?? null)}${woke}`;
}

function report({ context: { step, outcome } }: KernelActorSnapshot): void {
  // The first snapshot, before any call, has neither.
  if (step !== null && outcome !== null) console.log(`${step.task} ${step.type}: ${whatHappened(outcome)}`);
}

const kernel = createActor(daxKernelLogic, { input: { nr_dax: 256 } });
kernel.subscribe({ next: report, error: (err) => console.error(`the kernel cannot run that call: ${String(err)}`) });
kernel.start();
for (const call of calls) kernel.send(call);

const { steps, states } = kernel.getSnapshot().context;
console.log(`${steps} steps; a is ${states['a']}`);
kernel.stop();
