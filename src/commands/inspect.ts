// daxsim inspect LOG: replays a log into the Stately inspector. Each kernel object is an actor
// named by its handle, with its machine definition (the inspector draws its statechart), and
// each event names its kernel function. `--ws URL` sends to a running inspector server;
// otherwise daxsim starts one and prints the page to open. `--delay` and `--step` pace the
// steps. Prints what `replay` prints; exits like replay (0, 1 on divergence, 2 on a log error),
// and 2 when no inspector server answers, or one closes the connection or does not read the
// frames (it never answers the closing handshake).
import { createInterface } from 'node:readline';
import { InvalidArgumentError } from 'commander';
import { formatStep, formatSummary } from '../format.ts';
import { InspectedReplay } from '../inspect.ts';
import { connect, serve, type Server } from '../inspect_ws.ts';
import { replayText } from '../replay.ts';
import { LogError } from '../errors.ts';
import { holdsObject, readLog } from './read.ts';
import { logError, type DaxsimCommand, type Status } from './types.ts';

export interface InspectOptions {
  ws?: string;
  port: number;
  delay: number;
  step?: boolean;
  timeout: number;
  open?: boolean;
}

const err = (s: string) => process.stderr.write(`daxsim: ${s}\n`);

export async function inspect(log: string, opts: InspectOptions): Promise<Status> {
  if (opts.step && log === '-') {
    err('--step reads Enter from standard input, so the log cannot come from it');
    return 2;
  }
  const lines = await readLog(log);
  if (lines instanceof LogError) return logError(lines);
  // A log error is reported before anything is sent (the inspector cannot take back frames).
  const checked = replayText(lines.join('\n'), log);
  if (checked.error !== undefined) return logError(checked.error);
  let server: Server | undefined;
  let url = opts.ws;
  if (url === undefined) {
    const s = await serve(opts.port, opts.open ?? false);
    if (typeof s === 'string') {
      err(s);
      return 2;
    }
    server = s;
    url = s.url;
    err(`inspector server on port ${opts.port}: open ${s.page} in a browser (it loads the Stately inspector from stately.ai)`);
  }
  const link = await connect(url, opts.timeout);
  if (typeof link === 'string') {
    server?.stop();
    err(link);
    return 2;
  }
  const keys = opts.step || (server !== undefined && process.stdin.isTTY) ? createInterface({ input: process.stdin })[Symbol.asyncIterator]() : undefined;
  const enter = async (prompt: string) => {
    if (process.stdin.isTTY) process.stderr.write(prompt);
    await keys?.next();
  };
  if (server !== undefined && !opts.step && keys !== undefined) await enter('press Enter to send the replay ');

  const r = new InspectedReplay(log, link.send, { version: link.version });
  let status: Status = 0;
  try {
    let steps = 0;
    for (const [i, text] of lines.entries()) {
      if (r.started && holdsObject(text)) {
        if (opts.step) await enter(`step ${steps + 1}: press Enter to send it `);
        else if (opts.delay > 0 && steps > 0) await new Promise((res) => setTimeout(res, opts.delay));
      }
      const res = r.feed(text, i + 1);
      if (res === undefined) continue;
      steps++;
      process.stdout.write(formatStep(res));
    }
    const summary = r.end();
    process.stdout.write(formatSummary(summary));
    if (summary.diverged > 0) status = 1;
  } catch (e) {
    if (!(e instanceof LogError)) throw e;
    status = logError(e);
  }
  const unread = await link.close(opts.timeout);
  server?.stop();
  if (unread !== undefined) {
    err(unread);
    return 2;
  }
  process.stderr.write(`sent ${r.frames.frames} inspection frames to ${url}\n`);
  return status;
}

function count(min: number, max = 2 ** 31 - 1) {
  return (v: string) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, found ${JSON.stringify(v)}`);
    return n;
  };
}

function wsUrl(v: string): string {
  const expected = `expected a ws:// or wss:// URL such as ws://localhost:8080, found ${JSON.stringify(v)}`;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    // The URL parser refuses a port above 65535, a bad host, and so on.
    const port = /^wss?:\/\/[^/?#]*:(\d+)(?:[/?#]|$)/.exec(v)?.[1];
    throw new InvalidArgumentError(`${expected}${port !== undefined && Number(port) > 65535 ? ` (port ${port} is above 65535)` : ', which is not a URL'}`);
  }
  if ((url.protocol !== 'ws:' && url.protocol !== 'wss:') || /\s/.test(v)) throw new InvalidArgumentError(expected);
  return v;
}

export const inspectCommand: DaxsimCommand = {
  register(program, exit) {
    program
      .command('inspect')
      .description('replay one log into the Stately inspector: one actor per kernel object, named by its handle')
      .argument('<log>', "a daxlog file, or '-' for standard input")
      .option('--ws <url>', 'send to the inspector server at this WebSocket URL (default: start one)', wsUrl)
      .option('--port <n>', 'port of the inspector server daxsim starts', count(1, 65535), 8080)
      .option('--open', 'open the inspector page in a browser (with the server daxsim starts)')
      .option('--delay <ms>', 'wait this long between steps', count(0), 0)
      .option('--step', 'wait for Enter before each step')
      .option('--timeout <ms>', 'how long to wait for the server, and for the frames to leave', count(1), 5000)
      .action(async (log: string, opts: InspectOptions) => {
        const status = await inspect(log, opts);
        exit(status);
        // The library's WebSocket adapter may still be retrying a connection (it does so for
        // ever, every 5 s): end the process once the output is out.
        await new Promise((res) => process.stdout.write('', res));
        await new Promise((res) => process.stderr.write('', res));
        process.exit(status);
      });
  },
};
