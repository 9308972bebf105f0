// The WebSocket side of `daxsim inspect`, through @statelyai/inspect 0.7: its WebSocket
// inspector sends the frames, and its inspector server relays them to the Stately inspector in
// a browser tab.
//
// The adapter keeps its socket and status private and offers no way to know that it is
// connected or that its frames have arrived; daxsim needs both (frames sent before the socket
// opens are kept only up to 200, and the command must not say it sent frames that no server
// read), so it reads the two fields, `status` and `ws`, that 0.7.2 has. That the server read
// every frame is known from the WebSocket closing handshake: daxsim closes with its own code,
// which a server answers (echoing the code) only once it has read what came before; a server
// that closed the connection itself answers with another code, or none, and one that does not
// read never answers. A failed connection is retried every 5 s for ever, even after stop():
// the command ends the process itself.
import { createServer } from 'node:net';
import type { StatelyInspectionEvent } from '@statelyai/inspect';

export interface Link {
  url: string;
  /** The library version the frames are stamped with. */
  version: string;
  send(frame: StatelyInspectionEvent): void;
  /**
   * Closes the connection once the server has read every frame (waiting at most `ms`);
   * undefined when it has, else what went wrong, for people.
   */
  close(ms: number): Promise<string | undefined>;
}

/** The `ws` WebSocket the adapter holds (isomorphic-ws in Node). */
interface Socket {
  readyState: number;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close', f: (e: { code?: number }) => void): void;
}
interface AdapterFields {
  status: string;
  ws?: Socket;
}

const OPEN = 1;
/** The close code daxsim ends with (4000-4999 is for applications); the server echoes it. */
const DONE = 4000;

/** Connects to an inspector server: a Link, or why there is none (no answer within `ms`, a bad URL). */
export async function connect(url: string, ms: number): Promise<Link | string> {
  const lib = await import('@statelyai/inspect');
  let inspector: ReturnType<typeof lib.createWebSocketInspector>;
  try {
    inspector = lib.createWebSocketInspector({ url });
  } catch (e) {
    return `cannot connect to ${url}: ${(e as Error).message}`;
  }
  const fields = inspector.adapter as unknown as AdapterFields;
  // A server that closes the connection as soon as it opens leaves the status closed again
  // before a poll may see it open.
  let opened = false;
  fields.ws?.addEventListener('open', () => void (opened = true));
  const open = () => fields.status === 'open';
  await until(() => open() || (opened && fields.status === 'closed'), ms);
  if (!open()) {
    inspector.stop();
    return opened ? `the inspector server at ${url} closed the connection as soon as it opened` : `no inspector server answered at ${url} within ${ms} ms`;
  }
  const ws = fields.ws!;
  // The library stamps its frames with its version; take it from a frame it makes.
  let version = '';
  lib.createInspector({ send: (f) => void (version = f._version) }).snapshot('', {});
  let sent = 0;
  let unsent = 0;
  return {
    url,
    version,
    send: (frame) => {
      // Frames sent while the socket is not open are kept by the library, never sent.
      if (open()) sent++;
      else unsent++;
      inspector.adapter.send(frame);
    },
    async close(wait) {
      const frames = `${sent + unsent} inspection frames`;
      if (ws.readyState !== OPEN) {
        inspector.stop();
        return `the inspector server at ${url} closed the connection before it had read the ${frames}`;
      }
      let code: number | undefined;
      ws.addEventListener('close', (e) => void (code = e.code ?? 1005));
      ws.close(DONE, 'daxsim: end of the replay');
      await until(() => code !== undefined, wait);
      inspector.stop();
      if (code === undefined) return `the inspector server at ${url} did not read the ${frames} within ${wait} ms (it never answered the closing handshake)`;
      if (code !== DONE || unsent > 0) return `the inspector server at ${url} closed the connection (code ${code}) before it had read the ${frames}`;
      return undefined;
    },
  };
}

export interface Server {
  /** Where the inspector connects. */
  url: string;
  /** The page to open in a browser (it loads the Stately inspector from stately.ai). */
  page: string;
  stop(): void;
}

/** Starts the library's inspector server on `port`; a message when the port is taken. */
export async function serve(port: number, open: boolean): Promise<Server | string> {
  const taken = await new Promise<string | undefined>((resolve) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    probe.listen(port, () => probe.close(() => resolve(undefined)));
  });
  if (taken !== undefined) return `cannot start the inspector server on port ${port}: ${taken}`;
  const { createInspectorServer } = await import('@statelyai/inspect/server');
  const server = createInspectorServer({ port, autoOpen: open });
  return { url: `ws://localhost:${port}`, page: `http://localhost:${port}`, stop: () => server.stop() };
}

/** Polls `ready` every 10 ms; false if it is still not true after `ms`. */
export function until(ready: () => boolean, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (ready()) return resolve(true);
    const start = Date.now();
    const t = setInterval(() => {
      const ok = ready();
      if (ok || Date.now() - start >= ms) {
        clearInterval(t);
        resolve(ok);
      }
    }, 10);
  });
}
