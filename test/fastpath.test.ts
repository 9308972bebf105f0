// The replay's shortcuts for plain loads and stores (nine in ten steps of a long log) give what
// the general path gives: LogReader's reading of an access line by its text (src/log.ts
// accessLine) the same step or the same log error as JSON.parse and the schema, and
// Kernel.accessHit the same outcome and the same state as step(). The general path is forced by
// a program whose vma.access entry is a copy (accessHit takes only the model's own), and, for the
// reader, by a `seq` key.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PROGRAM } from '../machines/calls.ts';
import { hashState } from '../machines/hash.ts';
import type { KernelProgram } from '../machines/kernel.ts';
import { generate } from '../bench/gen.ts';
import { stepJson } from '../src/jsonl.ts';
import { LogError } from '../src/errors.ts';
import { LogReader, splitLines } from '../src/log.ts';
import { Replayer } from '../src/replay.ts';
import { generatedLogs, traces } from './corpus.ts';

/** The model's program with vma.access as a copy of its own entry: accessHit steps aside. */
const GENERAL: KernelProgram = { ...PROGRAM, calls: { ...PROGRAM.calls, 'vma.access': { ...PROGRAM.calls['vma.access'] } } };

/** Every step's JSON line, the error, and the hash of the state the replay ended in. */
function replayed(text: string, name: string, program?: KernelProgram): { lines: string[]; error: string | undefined; hash: string | undefined } {
  const r = new Replayer(name, program === undefined ? {} : { program });
  const lines: string[] = [];
  let error: string | undefined;
  try {
    splitLines(text, (line, n) => {
      const res = r.feed(line, n);
      if (res !== undefined) lines.push(stepJson(res));
    });
  } catch (e) {
    if (!(e instanceof LogError)) throw e;
    error = e.message;
  }
  return { lines, error, hash: r.model === undefined ? undefined : hashState(r.model.s) };
}

const kernel = suite('Kernel.accessHit');

kernel('every trace and 80 generated logs replay to the same lines with and without it', () => {
  for (const [name, text] of [...traces(), ...generatedLogs(80, 20261207)]) {
    assert.equal(replayed(text, name), replayed(text, name, GENERAL), name);
  }
});

kernel('a bench log of 4 mapped devices (accesses that hit, fault, write-protect, after unmaps and kills) replays the same, state included', () => {
  const text = [...generate({ steps: 6000, devices: 4, access: 0.9, seed: 7 })].join('\n') + '\n';
  const fast = replayed(text, 'bench');
  assert.is(fast.error, undefined);
  assert.equal(fast, replayed(text, 'bench', GENERAL));
  const hits = fast.lines.filter((l) => l.includes('"type":"vma.access"') && l.includes('"out":{"ret":0,') && l.includes('"attempts":[]')).length;
  assert.ok(hits > 1000, `the log has accesses that hit (${hits})`);
});

kernel('it steps aside where step() does more: a blocked task, an unmapped vma, a write to a read-only entry, a handle of another kind', () => {
  const text = [
    '{"daxlog":1}',
    '{"event":{"type":"dax_pmem.probe","parent":"pfn0","start":"0x100000000","size":"4M"}}',
    '{"event":{"type":"file.open","fd":"f","dev":"dax0.0"}}',
    '{"event":{"type":"file.mmap","fd":"f","vma":"v","len":"4M","flags":"MAP_SHARED"}}',
    '{"event":{"type":"vma.access","vma":"v","off":"0x10"}}',
    '{"event":{"type":"vma.access","vma":"v","off":"0x20"}}',
    '{"event":{"type":"vma.access","vma":"v","off":"0x20","write":true}}',
    '{"event":{"type":"vma.access","vma":"v","off":"0x30","write":true}}',
    '{"task":"A","event":{"type":"dax_srcu.read_lock"}}',
    '{"task":"B","event":{"type":"dev_dax.unregister","dev":"dax0.0"}}',
    '{"task":"B","event":{"type":"vma.access","vma":"v","off":"0x40"}}',
  ].join('\n');
  const fast = replayed(text, 'edge');
  assert.equal(fast, replayed(text, 'edge', GENERAL));
  assert.match(fast.error!, /task "B" is blocked/);
  assert.is(fast.lines.length, 9);
  const wrongKind = '{"daxlog":1}\n{"event":{"type":"dax.alloc","dax":"d"}}\n{"event":{"type":"vma.access","vma":"d","off":"0x0"}}\n';
  assert.equal(replayed(wrongKind, 'w'), replayed(wrongKind, 'w', GENERAL));
  assert.match(replayed(wrongKind, 'w').error!, /names a dax_device, expected a mapping/);
});

const reader = suite('LogReader: plain access lines');

/** The step or log error the reader gives for a line after a header. */
function read(line: string): string {
  const r = new LogReader('t');
  r.feed('{"daxlog":1}', 1);
  try {
    const s = r.feed(line, 2);
    if (s === undefined || !('event' in s)) return 'nothing';
    return JSON.stringify({ task: s.task, seq: s.seq, event: s.event }, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  } catch (e) {
    if (e instanceof LogError) return `error ${e.column}: ${e.message.replace(/^t:2:\d+: /, '')}`;
    throw e;
  }
}

/** The same line with a `seq` key: the general path reads it. */
const withSeq = (line: string) => line.replace(/^\{/, '{"seq":1,');

reader('every spelling gives what the schema path gives: the same step, or the same error at the same column', () => {
  const lines = [
    '{"task":"A","event":{"type":"vma.access","vma":"v1","off":"0x1f"}}',
    '{"task":"A","event":{"type":"vma.access","vma":"v1","off":"0x1f","write":false}}',
    '{"task":"A.b_c-9","event":{"type":"vma.access","vma":"v/1:x.y-z_","off":"0xffffffffffffffff","write":true}}',
    '{"event":{"type":"vma.access","vma":"v1","off":"0x1f"}}',
    '{"task":"A","event":{"type":"vma.access","vma":"v1","off":"0x1f"}} ',
    '{"task":"A","event":{"type":"vma.access","vma":"v1","off":"0x1f","write":1}}',
    '{"task":"A","event":{"type":"vma.access","vma":"v1","off":"0x"}}',
    '{"task":"A","event":{"type":"vma.access","vma":"v1","off":"0x1f"}}}',
    '{"task":"","event":{"type":"vma.access","vma":"v1","off":"0x1f"}}',
    '{"task":"A\\"x","event":{"type":"vma.access","vma":"v1","off":"0x1f"}}',
    '{"task":"A","event":{"type":"vma.access","vma":"v\\u0031","off":"0x1f"}}',
    '{"task":"A","event":{"type":"vma.access","vma":"v1","off":"0x1f","write":true,"write":false}}',
    '{"task":"A","event":{"type":"vma.access","vma":"v1","off":"0x1f","vma":"v2"}}',
    '{"event":{"type":"vma.access","vma":"v1","off":"0x0","write":true}}',
    '{"event":{"off":"0xffffffffffffffff","vma":"v.1:x/y-z","type":"vma.access","write":false}}',
    '{"event":{"type":"vma.access","vma":"v1","off":"0x1F"}}',
    '{"event":{"type":"vma.access","vma":"v1","off":"0X10"}}',
    '{"event":{"type":"vma.access","vma":"v1","off":"4096"}}',
    '{"event":{"type":"vma.access","vma":"v1","off":"2M"}}',
    '{"event":{"type":"vma.access","vma":"v1","off":4096}}',
    '{"event":{"type":"vma.access","vma":"v1","off":"0x10000000000000000"}}',
    '{"event":{"type":"vma.access","vma":"v1","off":"0x00000000000000001"}}',
    '{"event":{"type":"vma.access","vma":"v1","off":"-0x1"}}',
    '{"event":{"type":"vma.access","vma":"v1","off":"0x10","write":"yes"}}',
    '{"event":{"type":"vma.access","vma":"v 1","off":"0x10"}}',
    '{"event":{"type":"vma.access","vma":"","off":"0x10"}}',
    '{"event":{"type":"vma.access","vma":"v1"}}',
    '{"event":{"type":"vma.access","off":"0x10"}}',
    '{"event":{"type":"vma.access","vma":"v1","off":"0x10","size":"PMD"}}',
    '{"event":{"type":"vma.access","vma":"v1","vma":"v2","off":"0x10"}}',
    '{"task":"A","task":"B","event":{"type":"vma.access","vma":"v1","off":"0x10"}}',
    '{"task":"a task name too long","event":{"type":"vma.access","vma":"v1","off":"0x10"}}',
    '{"task":7,"event":{"type":"vma.access","vma":"v1","off":"0x10"}}',
    '{"event":{"type":"vma.access","vma":"v1","off":"0x10","fail":[]}}',
    '{"event":{"type":"vma.access","vma":"v1","off":"0x10"},"note":"n"}',
    '{"event":{"type":"vma.access","vma":"v1","off":"0x10"},"expect":{"ret":0}}',
    '{"event":{"type":"vma.access","vma":"v1","off":"0x10"},"extra":1}',
    '{"event":{"type":"vma.access","vma":"v1","off":"0x10"}',
    ' {"event": {"type": "vma.access", "vma": "v1", "off": "0x10"}} ',
  ];
  for (const line of lines) {
    const fast = read(line);
    const general = read(withSeq(line));
    // The seq key shifts every column after the opening brace by 8, in the message too.
    const shift = (c: string) => String(Number(c) > 1 ? Number(c) + 8 : c);
    const shifted = fast.replace(/^error (\d+):/, (_m, c: string) => `error ${shift(c)}:`).replace(/column (\d+)/g, (_m, c: string) => `column ${shift(c)}`);
    assert.is(general, shifted, line);
  }
});

reader('a plain access line is read without the schema, into the step the schema path makes', () => {
  assert.is(read('{"task":"A","event":{"type":"vma.access","vma":"v1","off":"0x1f","write":true}}'), '{"task":"A","seq":1,"event":{"type":"vma.access","vma":"v1","off":"31n","write":true}}');
});

reader('the event text a plain line echoes is what the writer makes of the event', () => {
  const r = new LogReader('t');
  r.feed('{"daxlog":1}', 1);
  const lines = [
    '{"task":"A","event":{"type":"vma.access","vma":"v1","off":"0x1f"}}',
    '{"event":{"type":"vma.access","vma":"v/1:x.y-z_","off":"0xffffffffffffffff","write":true}}',
    '{"task":"T.9-_","event":{"type":"vma.access","vma":"v1","off":"0x0","write":false}}',
  ];
  lines.forEach((line, i) => {
    const step = r.feed(line, i + 2);
    assert.ok(step !== undefined && 'event' in step && step.eventText !== undefined, line);
    const { eventText, ...plain } = step;
    assert.is(eventText, JSON.stringify(JSON.parse(line).event));
    assert.is(stepJson({ step, out: { state: {} } }), stepJson({ step: plain, out: { state: {} } }));
  });
});

kernel.run();
reader.run();
