// A mutation fuzzer over the golden logs in traces/: each mutant is one to three random
// mutations of a trace (byte flips, truncation, lines duplicated, swapped, deleted or spliced
// from another trace, numbers set to edge values, keys, event types, handles and values
// substituted), replayed in-process and printed the way replay and replay --json print it.
// A log error is the expected answer to most mutants; any other exception is a crash.
// The same seed gives the same mutants.
//
//   node --import tsx scripts/fuzz.ts [--runs N] [--seed S] [--out DIR]
//
// exits 1 when a mutant crashed, writing each crashing mutant to DIR (default fuzz-crashes/).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatStep, formatSummary } from '../src/format.ts';
import { Output } from '../src/io.ts';
import { outcomeJson, stepJson, writeStep } from '../src/jsonl.ts';
import { serialiseStep, type JsonObject } from '../src/log.ts';
import { replayText } from '../src/replay.ts';
import { MUTATIONS, type Rng } from './mutate.ts';
import { mulberry32 } from '../src/rng.ts';

export interface Crash {
  /** The trace and the mutations applied to it. */
  origin: string;
  text: string;
  error: string;
}

export interface FuzzResult {
  mutants: number;
  /** Mutants rejected with a log error (file:line:column). */
  logErrors: number;
  /** Mutants that replayed to the end (a kernel outcome for every step). */
  replayed: number;
  steps: number;
  crashes: Crash[];
}

/** mulberry32: a small, fast PRNG; the same seed gives the same sequence. */
export function rng(seed: number): Rng {
  const next = mulberry32(seed);
  return { next, int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)]! };
}

/** The golden logs, sorted, as [path, text]. */
export function traces(dir = resolve(fileURLToPath(import.meta.url), '../../traces')): [string, string][] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => [`traces/${f}`, readFileSync(join(dir, f), 'utf8')]);
}

/** Replays one mutant as replay, replay --json and record would print it; the exception, if any. */
export function replayMutant(text: string, file = 'mutant.jsonl'): { error?: unknown; logError: boolean; steps: number } {
  try {
    const r = replayText(text, file);
    const written = new Written();
    let json = '';
    for (const s of r.results) {
      formatStep(s);
      json += stepJson(s);
      writeStep(written.out, s);
      serialiseStep(s.step.input, JSON.parse(outcomeJson(s.out)) as JsonObject);
    }
    if (written.text() !== json) throw new Error('replay --json wrote other bytes than stepJson gives');
    if (r.summary !== undefined) formatSummary(r.summary);
    return { logError: r.error !== undefined, steps: r.results.length };
  } catch (error) {
    return { error, logError: false, steps: 0 };
  }
}

/** An Output whose bytes are kept, to compare what replay --json writes with stepJson. */
export class Written {
  private readonly chunks: Buffer[] = [];
  readonly out = new Output(
    new Writable({
      write: (chunk: Buffer, _enc, done) => {
        this.chunks.push(Buffer.from(chunk)); // the Output reuses its buffers
        done();
      },
    }),
  );
  text(): string {
    void this.out.flush(); // hands the buffer over at once; only waiting is asynchronous
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

export function fuzz(opts: { runs: number; seed: number; corpus?: [string, string][] }): FuzzResult {
  const corpus = opts.corpus ?? traces();
  const r = rng(opts.seed);
  const out: FuzzResult = { mutants: 0, logErrors: 0, replayed: 0, steps: 0, crashes: [] };
  for (let i = 0; i < opts.runs; i++) {
    const [name, original] = corpus[i % corpus.length]!;
    // Half the mutants start without seq numbers, so that moving lines gets past the seq check.
    const unnumbered = r.next() < 0.5;
    let text = unnumbered ? original.replace(/"seq"\s*:\s*\d+\s*,\s*/g, '') : original;
    const applied: string[] = unnumbered ? ['seq numbers dropped'] : [];
    for (let n = 1 + r.int(3); n > 0; n--) {
      const m = r.pick(MUTATIONS);
      text = m.apply(text, r, corpus);
      applied.push(m.name);
    }
    out.mutants++;
    const res = replayMutant(text, name);
    out.steps += res.steps;
    if (res.error !== undefined) {
      const error = res.error instanceof Error ? (res.error.stack ?? res.error.message) : String(res.error);
      out.crashes.push({ origin: `${name} (mutant ${i}: ${applied.join(', ')})`, text, error });
    } else if (res.logError) out.logErrors++;
    else out.replayed++;
  }
  return out;
}

function arg(argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
}

function main(argv: string[]): number {
  const runs = Number(arg(argv, '--runs', '10000'));
  const seed = Number(arg(argv, '--seed', '1'));
  const dir = arg(argv, '--out', 'fuzz-crashes');
  if (!Number.isInteger(runs) || runs < 0 || !Number.isInteger(seed)) {
    process.stderr.write('usage: node --import tsx scripts/fuzz.ts [--runs N] [--seed S] [--out DIR]\n');
    return 2;
  }
  const t0 = Date.now();
  const res = fuzz({ runs, seed });
  const s = ((Date.now() - t0) / 1000).toFixed(1);
  process.stdout.write(`${res.mutants} mutants (seed ${seed}) in ${s} s: ${res.logErrors} log errors, ${res.replayed} replayed (${res.steps} steps), ${res.crashes.length} crashes\n`);
  if (res.crashes.length === 0) return 0;
  mkdirSync(dir, { recursive: true });
  res.crashes.forEach((c, i) => {
    const file = join(dir, `crash-${seed}-${i}.jsonl`);
    writeFileSync(file, c.text.endsWith('\n') ? c.text : c.text + '\n');
    process.stdout.write(`\ncrash ${i}: ${c.origin}\n  written to ${file}\n  ${c.error.split('\n').slice(0, 4).join('\n  ')}\n`);
  });
  return 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
