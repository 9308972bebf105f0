// Outputs stay byte-identical across engine changes: every trace, 300 generated logs and a
// 5k-step bench log replay to exactly the outcomes recorded in test/fixtures/baseline/ before
// the kernel's state became a value. A trace's outputs are kept whole (a failure shows the first
// line that differs); the generated logs are compared by their SHA-256.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { stepJson } from '../src/jsonl.ts';
import { replayText } from '../src/replay.ts';

const baseline = suite('baseline outputs');
const expected = JSON.parse(readFileSync('test/fixtures/baseline/outputs.json', 'utf8')) as Record<string, string>;
const generated = JSON.parse(readFileSync('test/fixtures/baseline/generated.json', 'utf8')) as Record<string, string>;

const outputs = (text: string, file: string) => replayText(text, file).results.map(stepJson).join('');

function firstDifference(want: string, got: string): string {
  const a = want.split('\n');
  const b = got.split('\n');
  const i = a.findIndex((l, j) => l !== b[j]);
  return i < 0 ? `${b.length - a.length} extra lines` : `line ${i + 1}:\n  was ${a[i]}\n  now ${b[i]}`;
}

baseline('every trace replays to the outcomes recorded before the rewrite', () => {
  for (const [name, want] of Object.entries(expected)) {
    if (!name.startsWith('traces/')) continue;
    const got = outputs(readFileSync(name, 'utf8'), name);
    if (got !== want) assert.unreachable(`${name}: ${firstDifference(want, got)}`);
  }
});

baseline('300 generated logs and a bench log replay to the same outcomes (SHA-256 of the JSON Lines)', () => {
  let n = 0;
  for (const [name, text] of Object.entries(generated)) {
    const got = `sha256:${createHash('sha256').update(outputs(text, name)).digest('hex')}`;
    assert.is(got, expected[name], name);
    n++;
  }
  assert.is(n, 301);
});

baseline.run();
