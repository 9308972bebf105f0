// Every file in traces/ is a golden test: it replays without a log error and every step's
// outcome matches its expect.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { replayText } from '../src/replay.ts';

const golden = suite('golden traces');
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
    assert.ok(r.results.some((x) => x.step.expect !== undefined), 'a golden trace states expectations');
    assert.match(text.split('\n')[0]!, /"note"/, 'the header says what the trace shows');
  });
}

golden.run();
