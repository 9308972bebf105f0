// Every file in traces/ is a golden test: it replays without a log error and every step's
// outcome matches its expect.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { replayText } from '../src/replay.ts';

const golden = suite('golden traces');
// traces/explore/ holds scenarios for `daxsim explore` (test/explore.test.ts). They replay in
// file order like any trace (`npm start` verifies them too), but their expects state only what
// must hold in every interleaving, so they are exempt from the full-expect rule below.
const files = readdirSync('traces', { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.jsonl'))
  .sort();

golden('traces/ holds the bundled logs', () => {
  assert.ok(files.length >= 20, `only ${files.length} traces`);
});

for (const f of files) {
  golden(`traces/${f} verifies`, () => {
    const text = readFileSync(join('traces', f), 'utf8');
    const r = replayText(text, `traces/${f}`);
    assert.is(r.error, undefined, r.error?.message);
    const bad = r.results.filter((x) => x.diverged !== undefined).map((x) => `line ${x.step.line}: ${JSON.stringify(x.diverged)}`);
    assert.equal(bad, []);
    assert.match(text.split('\n')[0]!, /"note"/, 'the header says what the trace shows');
    if (f.startsWith('explore/')) return;
    // Every step says what it must do: its return (or that it blocks) and the states it leaves;
    // an oops is expected by its reason, not a bare true.
    for (const { step } of r.results) {
      const e = step.expect;
      const at = `traces/${f}:${step.line}`;
      assert.ok(e !== undefined, `${at}: the step has no expect`);
      assert.ok('ret' in e || e.blocked === true || e.oops !== undefined, `${at}: the step expects no ret, blocked or oops`);
      assert.ok(e.state !== undefined, `${at}: the step expects no state`);
      assert.ok(e.oops !== true, `${at}: an expected oops names its reason`);
    }
  });
}

// The model's invariants (machines/invariants.ts, replay --check) hold at every step of every
// trace but these, where the log itself breaks one: each puts a region past its references, so
// that the region is freed while its parent still holds its devm action or its sysfs group.
const BREAKS_AN_INVARIANT = new Set(['errors/oops-midway.jsonl', 'errors/region.jsonl', 'regressions/unbind-crashes-midway.jsonl']);

for (const f of files) {
  golden(`traces/${f} ${BREAKS_AN_INVARIANT.has(f) ? 'breaks only the region invariant' : 'keeps every model invariant'}`, () => {
    const r = replayText(readFileSync(join('traces', f), 'utf8'), `traces/${f}`, { check: true });
    const broken = r.results.flatMap((x) => (x.diverged ?? []).filter((d) => d.key === 'invariant').map((d) => `line ${x.step.line}: ${d.actual}`));
    if (BREAKS_AN_INVARIANT.has(f)) {
      assert.ok(broken.length > 0, 'the trace no longer breaks an invariant');
      for (const b of broken) assert.match(b, /: region .* was freed while /);
    } else assert.equal(broken, []);
  });
}

golden.run();
