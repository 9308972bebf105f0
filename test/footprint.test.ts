// The independence relation the explorer's sleep sets rest on (src/footprint.ts), checked
// directly: in every reachable state of small scenarios (the shipped ones and generated ones,
// each also with an expect on every step), two moves of different tasks whose footprints do not
// conflict must commute. Both stay possible after the other, both orders reach the same state,
// each move has the same outcome in either order as far as a verdict sees it (all of it when
// the step has an expect), and the invariants across each move say the same. A footprint that claims
// too little fails here on the state where it does, before any verdict can be wrong.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkTransition } from '../machines/invariants.ts';
import { Kernel } from '../machines/kernel.ts';
import { StepError } from '../machines/outcome.ts';
import { LogError } from '../src/errors.ts';
import { conflict, footprint } from '../src/footprint.ts';
import { parseScenario, type Scenario } from '../src/scenario.ts';
import { SEEDS, expecting, generated } from './scenarios.ts';

const test = suite('footprints: moves judged independent commute');

interface Audit {
  states: number;
  pairs: number;
  failures: string[];
}

/** Runs task t's next step on a clone of k: the new kernel and the outcome's text, or null for a log error. */
function run(scn: Scenario, k: Kernel, pcs: number[], t: number): { k: Kernel; out: string } | null {
  const step = scn.programs[t]!.steps[pcs[t]!]!;
  const c = k.clone();
  try {
    const out = c.step(step.task, step.event, step.line);
    // What a verdict sees of the outcome: all of it for a step with an expect, else its oops and WARNs.
    const seen = step.expect !== undefined ? out : { oops: out.oops, warn: out.warn, woke: out.woke?.map((w) => w.oops) };
    return { k: c, out: JSON.stringify(seen) + '|' + JSON.stringify(checkTransition(k.s, c.s, step.event.type) ?? null) };
  } catch (e) {
    if (e instanceof StepError) return null;
    throw e;
  }
}

/** Every reachable state of the scenario (no reduction), each pair of independent moves checked. */
function audit(scn: Scenario, limit = 20_000): Audit {
  const k0 = new Kernel(scn.header.config);
  for (const s of scn.setup) k0.step(s.task, s.event, s.line);
  const n = scn.programs.length;
  const seen = new Set<string>();
  const stack: { k: Kernel; pcs: number[] }[] = [{ k: k0, pcs: scn.programs.map(() => 0) }];
  const res: Audit = { states: 0, pairs: 0, failures: [] };
  const enabled = (k: Kernel, pcs: number[], t: number) => pcs[t]! < scn.programs[t]!.steps.length && k.s.blocked[scn.programs[t]!.task] === undefined;
  while (stack.length > 0 && res.states < limit && res.failures.length < 5) {
    const { k, pcs } = stack.pop()!;
    const key = k.hash() + pcs.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    res.states++;
    const moves: ({ k: Kernel; out: string } | null)[] = [];
    for (let t = 0; t < n; t++) moves.push(enabled(k, pcs, t) ? run(scn, k, pcs, t) : null);
    for (let a = 0; a < n; a++) {
      const ma = moves[a];
      if (ma === null || ma === undefined) continue;
      const pa = pcs.slice();
      pa[a]!++;
      stack.push({ k: ma.k, pcs: pa });
      for (let b = a + 1; b < n; b++) {
        const mb = moves[b];
        if (mb === null || mb === undefined) continue;
        const sa = scn.programs[a]!.steps[pcs[a]!]!;
        const sb = scn.programs[b]!.steps[pcs[b]!]!;
        if (conflict(footprint(k, sa), footprint(k, sb))) continue;
        res.pairs++;
        if (process.env.PAIRS) { const m = ((globalThis as any).__P ??= new Map()); const key = [sa.event.type, sb.event.type].sort().join(' + '); m.set(key, (m.get(key) ?? 0) + 1); }
        const pb = pcs.slice();
        pb[b]!++;
        const where = `${scn.file}: after ${pcs.join(',')}: ${sa.task} line ${sa.line} (${sa.event.type}) and ${sb.task} line ${sb.line} (${sb.event.type})`;
        const ab = enabled(ma.k, pa, b) ? run(scn, ma.k, pa, b) : null;
        const ba = enabled(mb.k, pb, a) ? run(scn, mb.k, pb, a) : null;
        if (ab === null || ba === null) res.failures.push(`${where}: one disables the other`);
        else if (ab.k.hash() !== ba.k.hash()) res.failures.push(`${where}: the two orders reach different states`);
        else if (ab.out !== mb.out) res.failures.push(`${where}: ${sb.task}'s outcome depends on the order\n  ${mb.out}\n  ${ab.out}`);
        else if (ba.out !== ma.out) res.failures.push(`${where}: ${sa.task}'s outcome depends on the order\n  ${ma.out}\n  ${ba.out}`);
      }
    }
  }
  return res;
}

const DIR = 'traces/explore';
const shipped = (name: string): Scenario => {
  const s = parseScenario(readFileSync(join(DIR, name), 'utf8'), join(DIR, name));
  if (s instanceof LogError) throw s;
  return s;
};

test('on every state of the small shipped scenarios', () => {
  let pairs = 0;
  for (const name of ['race-2x2.jsonl', 'access-vs-unregister.jsonl', 'put-before-kill.jsonl', 'double-put.jsonl', 'sysfs-read-vs-unbind.jsonl', 'null-return-minors-exhausted.jsonl']) {
    for (const scn of [shipped(name), expecting(shipped(name))]) {
      const r = audit(scn);
      assert.equal(r.failures, [], name);
      pairs += r.pairs;
    }
  }
  assert.ok(pairs > 1000, `${pairs} independent pairs checked`);
});

test(`on every state of ${SEEDS.length} generated scenarios, with and without expects`, () => {
  let pairs = 0;
  let states = 0;
  for (const seed of SEEDS) {
    for (const scn of [generated(seed), expecting(generated(seed))]) {
      const r = audit(scn, 4000);
      assert.equal(r.failures, [], `seed ${seed}`);
      pairs += r.pairs;
      states += r.states;
    }
  }
  assert.ok(pairs > 1000, `${pairs} independent pairs checked over ${states} states`);
});

if (process.env.PAIRS) test.after(() => console.log([...(globalThis as any).__P].sort().map((x: [string, number]) => x[1] + ' ' + x[0]).join('\n')));
test.run();
