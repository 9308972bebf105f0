// A model with one rule broken on purpose, for the tests that prove the explorer finds real
// races: kill_dax stores alive = false and clears private without waiting for a grace period
// (the -DBUGGY of ../shared/anchors/spin/dax_race.pml).
import { PROGRAM } from '../machines/calls.ts';
import type { KernelProgram } from '../machines/kernel.ts';
import { ret, type Sleeper } from '../machines/sleep.ts';
import { deref } from '../machines/super.ts';

const killWithoutGracePeriod: Sleeper = (k, f) => {
  const dax = f.l['dax'] as number | null;
  if (dax === null) return ret(0);
  deref(k, 'kill_dax', dax);
  k.send(dax, { type: 'dax.kill' });
  k.send(dax, { type: 'dax.kill_synchronized' });
  return ret(0);
};

export const NO_GRACE_PERIOD: KernelProgram = { calls: PROGRAM.calls, sleepers: { ...PROGRAM.sleepers, kill_dax: killWithoutGracePeriod } };
