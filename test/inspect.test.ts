// The Stately inspector: the frames a replay makes, and `daxsim inspect` sending them to a
// WebSocket server on 127.0.0.1 that records them. Every wait is bounded.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import type { StatelyInspectionEvent } from '@statelyai/inspect';
import { build } from 'esbuild';
import { suite } from 'uvu';
import { KERNEL_FUNCTION } from '../machines/events.ts';
import { labelled } from '../machines/state.ts';
import * as assert from 'uvu/assert';
import { WebSocketServer } from 'ws';
import { simOf } from '../src/actor.ts';
import { InspectedReplay } from '../src/inspect.ts';
import { replayText, type StepResult } from '../src/replay.ts';
import { splitLines } from '../src/log.ts';
import { call, daxlog } from './helpers.ts';

type Frame = StatelyInspectionEvent & { snapshot?: { value?: unknown; context?: unknown }; event?: Record<string, unknown>; step?: { seq: number; line: number; task: string; kernel: string } };
const RACE = 'traces/device/race-fault-vs-unregister.jsonl';
const REBIND = 'traces/device/x-11-rebind-with-open-fd.jsonl';

/** Replays a log through the kernel actor as `daxsim inspect` does; frames, and the index of the first frame of each step. */
function framesOf(text: string): { frames: Frame[]; at: number[]; results: StepResult[]; r: InspectedReplay } {
  const frames: Frame[] = [];
  const r = new InspectedReplay('log', (f) => frames.push(f as Frame), { version: '0.7.2', now: () => 0 });
  const at: number[] = [];
  const results: StepResult[] = [];
  splitLines(text, (line, n) => {
    const before = frames.length;
    const res = r.feed(line, n);
    if (res !== undefined) (at.push(before), results.push(res));
  });
  r.end();
  // As the command, which leaves the actors in their last states (their stop makes frames too).
  const made = frames.slice();
  r.stop();
  return { frames: made, at, results, r };
}

const frames = suite('InspectionFrames');

frames('each object of a log is an @xstate.actor named by its handle, with its machine, inside the kernel actor, before any frame of its own', () => {
  for (const log of [RACE, REBIND]) {
    const { frames: fs, r } = framesOf(readFileSync(log, 'utf8'));
    const actors = fs.filter((f) => f.type === '@xstate.actor') as (Frame & { name: string; definition?: string; parentId?: string })[];
    const handles = new Set(labelled(simOf(r.actor!)!.model.s).flatMap(([, o]) => ('ptr' in o ? [] : [o.handle])));
    assert.equal(new Set(actors.map((a) => a.name)), new Set(['kernel', 'dax_srcu', ...handles]), log);
    assert.equal(actors[0]!.name, 'kernel', 'the kernel actor comes first');
    assert.is(actors[0]!.definition, undefined, 'the kernel is actor logic, not a machine');
    for (const a of actors) {
      assert.is(fs.findIndex((f) => f.sessionId === a.sessionId), fs.indexOf(a), `${a.sessionId} is announced first`);
      if (a.name === 'kernel') continue;
      assert.equal([a.parentId, a.rootId], ['kernel', 'kernel'], a.sessionId);
      assert.type(JSON.parse(a.definition!).states, 'object');
    }
    const def = (name: string) => JSON.parse(actors.find((a) => a.name === name)!.definition!);
    assert.is(def('dax_srcu').id, 'dax_srcu');
    if (log === RACE) assert.equal(Object.keys(def('dax0.0/dax_dev').states), ['alive', 'killing', 'killed', 'destroyed', 'freed']);
  }
});

frames("snapshots come in order and end each step in the state the replay reports", () => {
  for (const log of [RACE, REBIND, 'traces/srcu/two-killers.jsonl']) {
    const { frames: fs, at, results } = framesOf(readFileSync(log, 'utf8'));
    const last = new Map<string, unknown>();
    let compared = 0;
    for (const [i, res] of results.entries()) {
      for (const f of fs.slice(at[i], at[i + 1] ?? fs.length)) if (f.type === '@xstate.snapshot') last.set(f.sessionId, f.snapshot!.value);
      for (const [label, state] of Object.entries(res.out.state)) {
        if (label.includes('~') || state === null) continue;
        // The newest actor of a handle is the one its label names.
        const session = [...last.keys()].filter((s) => s === label || s.startsWith(`${label}#`)).at(-1)!;
        assert.is(last.get(session), state, `${log} line ${res.step.line}: ${label}`);
        compared++;
      }
    }
    assert.ok(compared >= 5, `${log}: only ${compared} states compared`);
    const ids = fs.map((f) => Number(f.id));
    assert.equal(ids, ids.map((_, i) => i + 1), 'frame ids count up');
  }
});

frames('events carry the kernel function and the task; frames are JSON with no XState session id', () => {
  const { frames: fs } = framesOf(readFileSync(RACE, 'utf8'));
  const events = fs.filter((f) => f.type === '@xstate.event').map((f) => f.event!);
  assert.ok(events.some((e) => e['type'] === 'dax.kill' && e['kernel'] === 'kill_dax' && e['task'] === 'B'));
  assert.ok(events.some((e) => e['type'] === 'dax_srcu.synchronize' && e['kernel'] === 'synchronize_srcu' && e['task'] === 'B'));
  assert.ok(events.filter((e) => !String(e['type']).startsWith('xstate.')).every((e) => typeof e['kernel'] === 'string'));
  const text = JSON.stringify(fs);
  assert.is(JSON.stringify(JSON.parse(text)), text, 'plain JSON');
  const actors = fs.filter((f) => f.type === '@xstate.actor');
  assert.ok(actors.every((f) => f.snapshot!.context !== undefined), 'actors come with their first snapshot');
  assert.ok(actors.every((f) => f.sessionId === 'kernel' || f.snapshot!.value !== undefined), 'machines with their state');
  assert.not.match(text, /"x:\d+"/);
  assert.match(text, /"start":"0x7effffa00000"/, 'bigints as hex');
  assert.equal([...new Set(fs.map((f) => f.type))].sort(), ['@xstate.actor', '@xstate.event', '@xstate.snapshot']);
});

frames('a handle used again names a new actor, <handle>#2', () => {
  const log = daxlog([call('dax.alloc', { dax: 'a' }), call('dax.kill', { dax: 'a' }), call('dax.put', { dax: 'a' }), call('rcu.grace_period'), call('dax.alloc', { dax: 'a' })]);
  const names = framesOf(log).frames.filter((f) => f.type === '@xstate.actor').map((f) => [f.sessionId, (f as { name: string }).name]);
  assert.equal(names, [['kernel', 'kernel'], ['dax_srcu', 'dax_srcu'], ['a', 'a'], ['a#2', 'a']]);
});

frames("the log's calls are the kernel actor's events, in the log's order, with their seq, line, task, kernel function and expect", () => {
  for (const log of [RACE, REBIND, 'traces/srcu/two-killers.jsonl']) {
    const { frames: fs, results } = framesOf(readFileSync(log, 'utf8'));
    const calls = fs.filter((f) => f.type === '@xstate.event' && f.sessionId === 'kernel' && !String(f.event!['type']).startsWith('xstate.'));
    assert.equal(
      calls.map((f) => f.event),
      results.map(({ step }) => ({ ...(step.input['event'] as object), task: step.task, seq: step.seq, line: step.line, ...(step.input['expect'] !== undefined && { expect: step.input['expect'] }), kernel: KERNEL_FUNCTION[step.event.type] })),
      log,
    );
    assert.ok(calls.every((f) => (f as { sourceId?: string }).sourceId === undefined), 'the log itself sends them');
  }
});

frames('every frame a step causes carries the step, ends with the kernel snapshot holding its outcome, and the objects take their events from the kernel', () => {
  for (const log of [RACE, REBIND, 'traces/srcu/two-killers.jsonl']) {
    const { frames: fs, at, results } = framesOf(readFileSync(log, 'utf8'));
    assert.ok(fs.slice(0, at[0]).every((f) => f.step === undefined), 'frames before the first step belong to none');
    for (const [i, res] of results.entries()) {
      const own = fs.slice(at[i], at[i + 1] ?? fs.length);
      const tag = { seq: res.step.seq, line: res.step.line, task: res.step.task, kernel: KERNEL_FUNCTION[res.step.event.type] };
      for (const f of own) assert.equal(f.step, tag, `${log} step ${i + 1}: frame ${f.id}`);
      const last = own.at(-1)!;
      assert.equal([last.type, last.sessionId], ['@xstate.snapshot', 'kernel']);
      assert.equal((last.snapshot!.context as { outcome: unknown }).outcome, JSON.parse(JSON.stringify(res.out)));
      assert.not.ok('kernel' in (last.snapshot!.context as object), "the kernel's whole state stays out of the frames");
      for (const f of own) if (f.type === '@xstate.event' && f.sessionId !== 'kernel') assert.is((f as { sourceId?: string }).sourceId, 'kernel');
    }
  }
});

frames('the plain replay path neither loads nor calls the inspector', async () => {
  const out = await build({ entryPoints: ['src/replay.ts'], bundle: true, platform: 'node', format: 'esm', write: false, metafile: true, logLevel: 'silent' });
  const inputs = Object.keys(out.metafile.inputs);
  assert.not.ok(inputs.some((f) => /@statelyai|node_modules\/ws\/|src\/inspect/.test(f)), inputs.filter((f) => /inspect|ws/.test(f)).join(', '));
  const plain = replayText(readFileSync(RACE, 'utf8'));
  const hooked = framesOf(readFileSync(RACE, 'utf8'));
  assert.equal(plain.results.map((x) => x.out), hooked.results.map((x) => x.out), 'the hook changes no outcome');
});

frames.run();

// ---- the command, against a recording server ----

const BIN = join(process.cwd(), 'bin', 'daxsim.js');

async function recorder(): Promise<{ url: string; frames: Frame[]; times: number[]; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((res) => wss.once('listening', res));
  const got: Frame[] = [];
  const times: number[] = [];
  wss.on('connection', (ws) => ws.on('message', (d) => (got.push(JSON.parse(String(d))), times.push(Date.now()))));
  const { port } = wss.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}`, frames: got, times, close: () => new Promise((res) => wss.close(() => res())) };
}

interface Run {
  code: number | null;
  out: string;
  err: string;
  ms: number;
}

/** Spawns daxsim; `feed` may write to its standard input; killed after `limit` ms. */
function run(args: string[], feed?: (stdin: NodeJS.WritableStream) => Promise<void>, limit = 30000): Promise<Run> {
  const start = Date.now();
  const p = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (d) => (out += d));
  p.stderr.on('data', (d) => (err += d));
  if (feed === undefined) p.stdin.end();
  else void feed(p.stdin);
  const timer = setTimeout(() => p.kill('SIGKILL'), limit);
  return new Promise((res) => p.on('close', (code) => (clearTimeout(timer), res({ code, out, err, ms: Date.now() - start }))));
}

const waitFor = async (ok: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; !ok() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
  return ok();
};
const strip = ({ createdAt: _, ...f }: Frame) => f;

const cmd = suite('daxsim inspect');

cmd('sends the frames of the replay to a WebSocket server, prints what replay prints, and exits 0', async () => {
  const server = await recorder();
  try {
    const r = await run(['inspect', RACE, '--ws', server.url]);
    assert.is(r.code, 0, r.err);
    assert.is(r.out, (await run(['replay', RACE])).out);
    const expected = framesOf(readFileSync(RACE, 'utf8')).frames;
    assert.ok(await waitFor(() => server.frames.length >= expected.length, 5000));
    const sent = JSON.parse(JSON.stringify(expected.map(strip))) as Frame[];
    assert.equal(server.frames.map(strip), sent, 'the frames of an in-process replay, in order');
    assert.is(server.frames[0]!._version, JSON.parse(readFileSync('node_modules/@statelyai/inspect/package.json', 'utf8')).version);
    assert.match(r.err, new RegExp(`^sent ${expected.length} inspection frames to ${server.url}\\n$`));
    assert.ok(readFileSync('README.md', 'utf8').includes(`\nsent ${expected.length} inspection frames to ws://localhost:8080\n`), 'the README shows the count');
  } finally {
    await server.close();
  }
});

cmd('exits 2 when no server answers, once its timeout is over', async () => {
  const port = await new Promise<number>((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
  const r = await run(['inspect', RACE, '--ws', `ws://127.0.0.1:${port}`, '--timeout', '300']);
  assert.is(r.code, 2);
  assert.is(r.err, `daxsim: no inspector server answered at ws://127.0.0.1:${port} within 300 ms\n`);
  assert.ok(r.ms < 15000, `took ${r.ms} ms`);
});

/** A server on 127.0.0.1 that takes the WebSocket handshake and then does what `then` does with the socket. */
async function handshaker(then: (socket: Socket) => void): Promise<{ url: string; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.once('data', (d) => {
      const key = /^sec-websocket-key:\s*(\S+)/im.exec(String(d))![1]!;
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      then(socket);
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const { port } = server.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}`, close: () => new Promise((res) => (sockets.forEach((s) => s.destroy()), server.close(() => res()))) };
}

cmd('exits 2, saying so, when the server closes the connection at once or never reads the frames', async () => {
  // A ws server that closes each connection as soon as it is made.
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((res) => wss.once('listening', res));
  wss.on('connection', (ws) => ws.close());
  const closing = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
  // One that takes the handshake, then reads nothing more (its socket paused), or drops the
  // connection after the handshake without a close frame.
  const deaf = await handshaker((socket) => socket.pause());
  const dropping = await handshaker((socket) => socket.destroy());
  try {
    const closed = await run(['inspect', RACE, '--ws', closing, '--timeout', '2000']);
    assert.is(closed.code, 2, closed.err);
    assert.match(closed.err, new RegExp(`^daxsim: the inspector server at ${closing} closed the connection`));
    assert.not.match(closed.err, /sent \d+ inspection frames/);
    const dropped = await run(['inspect', RACE, '--ws', dropping.url, '--timeout', '2000']);
    assert.is(dropped.code, 2, dropped.err);
    assert.match(dropped.err, new RegExp(`^daxsim: the inspector server at ${dropping.url} closed the connection`));
    const unread = await run(['inspect', RACE, '--ws', deaf.url, '--timeout', '1000']);
    assert.is(unread.code, 2, unread.err);
    assert.is(unread.err, `daxsim: the inspector server at ${deaf.url} did not read the 67 inspection frames within 1000 ms (it never answered the closing handshake)\n`);
    assert.is(unread.out, (await run(['replay', RACE])).out, 'the replay is printed all the same');
    assert.ok(unread.ms < 15000, `took ${unread.ms} ms`);
  } finally {
    await new Promise((res) => wss.close(res));
    await deaf.close();
    await dropping.close();
  }
});

cmd("with no --ws, starts @statelyai/inspect's own server, which reads every frame and answers the close", async () => {
  const port = await new Promise<number>((res) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as { port: number }).port;
      probe.close(() => res(p));
    });
  });
  const r = await run(['inspect', RACE, '--port', String(port)]);
  assert.is(r.code, 0, r.err);
  assert.is(r.err, `daxsim: inspector server on port ${port}: open http://localhost:${port} in a browser (it loads the Stately inspector from stately.ai)\nsent 67 inspection frames to ws://localhost:${port}\n`);
});

cmd('a URL it cannot use is a usage error with the reason, not a stack trace', async () => {
  for (const [url, why] of [
    ['ws://127.0.0.1:99999', ' (port 99999 is above 65535)'],
    ['ws://exa mple', ', which is not a URL'],
    ['ws//localhost:8080', ', which is not a URL'],
    ['http://localhost:8080', ''],
  ]) {
    const r = await run(['inspect', RACE, '--ws', url!]);
    assert.is(r.code, 2, url);
    assert.is(r.err, `error: option '--ws <url>' argument '${url}' is invalid. expected a ws:// or wss:// URL such as ws://localhost:8080, found ${JSON.stringify(url)}${why}\n(run daxsim --help for usage)\n`);
  }
});

cmd('--step sends each step only after Enter; --delay spaces the steps', async () => {
  const server = await recorder();
  try {
    const header = 6; // the kernel actor and dax_srcu, each with its init event and first snapshot
    const r = await run(['inspect', RACE, '--ws', server.url, '--step'], async (stdin) => {
      if (!(await waitFor(() => server.frames.length >= header, 10000))) return void stdin.end();
      await new Promise((res) => setTimeout(res, 300));
      const still = server.frames.length;
      stdin.write('\n');
      await waitFor(() => server.frames.length > still, 5000);
      if (still === header) stdin.end('\n\n\n\n\n\n\n');
    });
    assert.is(r.code, 0, r.err);
    assert.equal(server.frames.slice(0, header).map((f) => f.step), Array(header).fill(undefined));
    assert.is(server.frames[header]!.step?.seq, 1, 'step 1 came after the first Enter');
    assert.is(server.frames.length, framesOf(readFileSync(RACE, 'utf8')).frames.length);
    server.frames.length = 0;
    server.times.length = 0;
    const d = await run(['inspect', RACE, '--ws', server.url, '--delay', '100']);
    assert.is(d.code, 0, d.err);
    // From the header's frames to those of step 8.
    assert.ok(server.times.at(-1)! - server.times[0]! >= 680, `8 steps 100 ms apart took ${server.times.at(-1)! - server.times[0]!} ms`);
  } finally {
    await server.close();
  }
});

cmd('usage errors exit 2 without a stack trace', async () => {
  for (const args of [['-', '--step', '--ws', 'ws://127.0.0.1:9'], [RACE, '--ws', 'http://127.0.0.1:9'], [RACE, '--delay', '-1'], [RACE, '--port', '70000']]) {
    const r = await run(['inspect', ...args]);
    assert.is(r.code, 2, args.join(' '));
    assert.not.match(r.err, /\n\s+at /);
  }
  const bad = await run(['inspect', 'test/fixtures/bad-field.jsonl', '--ws', 'ws://127.0.0.1:9', '--timeout', '1']);
  assert.equal([bad.code, bad.err, bad.out], [2, 'daxsim: test/fixtures/bad-field.jsonl:3:39: event.dax: expected a handle (1 to 64 characters of [A-Za-z0-9_.:/-]), found 7\n', ''], 'checked before connecting');
});

cmd.run();
