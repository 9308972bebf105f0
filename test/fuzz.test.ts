// A bounded run of the mutation fuzzer (scripts/fuzz.ts) over traces/: thousands of mutants,
// each rejected with a log error or replayed to the end, none crashing the replayer.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fuzz, replayMutant, rng, traces } from '../scripts/fuzz.ts';
import { MUTATIONS } from '../scripts/mutate.ts';

const fuzzer = suite('fuzz traces/');
const SEED = process.env['DAXSIM_SEED'] === undefined ? 1 : Number(process.env['DAXSIM_SEED']);

fuzzer('is deterministic: the same seed makes the same mutants', () => {
  const corpus = traces().slice(0, 3);
  const a = fuzz({ runs: 60, seed: 7, corpus });
  const b = fuzz({ runs: 60, seed: 7, corpus });
  assert.equal(a, b);
  assert.not.equal(fuzz({ runs: 60, seed: 8, corpus }), a);
});

fuzzer('every mutation changes some trace', () => {
  const corpus = traces();
  const r = rng(3);
  for (const m of MUTATIONS) {
    const changed = corpus.some(([, t]) => m.apply(t, r, corpus) !== t);
    assert.ok(changed, m.name);
  }
});

fuzzer('5000 mutants of the traces: log errors or replays, never a crash', () => {
  const res = fuzz({ runs: 5000, seed: SEED });
  const first = res.crashes[0];
  assert.is(res.crashes.length, 0, first && `${first.origin}\n${first.error}\n--- mutant ---\n${first.text}`);
  assert.is(res.mutants, 5000);
  assert.ok(res.logErrors > 0 && res.replayed > 0, `${res.logErrors} log errors, ${res.replayed} replayed`);
});

fuzzer('an unmutated trace replays with no log error', () => {
  const [name, text] = traces()[0]!;
  const r = replayMutant(text, name);
  assert.equal([r.error, r.logError], [undefined, false]);
  assert.ok(r.steps > 0);
});

fuzzer.run();
