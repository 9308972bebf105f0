// The logs that tests run whole-model comparisons over: every trace in traces/, and logs drawn
// from the generator (test/generate.ts) with a fixed seed, as [name, text] pairs.
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cmdsArb, configArb } from './arbitraries.ts';
import { runGenerated } from './check.ts';
import { parseLog, type ParsedLog } from '../src/log.ts';

export const traces = (): (readonly [string, string])[] =>
  readdirSync('traces', { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => [`traces/${f}`, readFileSync(join('traces', f), 'utf8')] as const);

/** `n` generated logs of up to 40 commands, from `seed`. */
export const generatedLogs = (n: number, seed: number): (readonly [string, string])[] =>
  fc.sample(fc.tuple(configArb, cmdsArb(40)), { numRuns: n, seed }).map(([config, cmds], i) => [`generated ${i}`, runGenerated(config, cmds).text] as const);

/** A log's text parsed; a log error fails the test. */
export function parsed(text: string, name: string): ParsedLog {
  const log = parseLog(text, name);
  if (log instanceof Error) throw log;
  return log;
}
