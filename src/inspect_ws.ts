// The WebSocket side of `daxsim inspect`, through @statelyai/inspect 0.7: its WebSocket
// inspector sends the frames, and its inspector server relays them to the Stately inspector in
// a browser tab.
//
// The adapter keeps its socket and status private and offers no way to know that it is
// connected or that its frames have left; daxsim needs both (frames sent before the socket
// opens are kept only up to 200, and the command must not end before the last frame is
// written), so it reads the two fields, `status` and `ws`, that 0.7.2 has. A failed connection
// is retried every 5 s for ever, even after stop(): the command ends the process itself.
import { createServer } from 'node:net';
import type { StatelyInspectionEvent } from '@statelyai/inspect';

export interface Link {
  url: string;
  /** The library version the frames are stamped with. */
  version: string;
  send(frame: StatelyInspectionEvent): void;
  /** Waits (at most `ms`) for every frame to be written, then closes the socket. */
  close(ms: number): Promise<void>;
}

interface AdapterFields {
  status: string;
  ws?: { bufferedAmount: number; readyState: number };
}

/** Connects to an inspector server; undefined when none answers within `ms`. */
export async function connect(url: string, ms: number): Promise<Link | undefined> {
  const lib = await import('@statelyai/inspect');
  const inspector = lib.createWebSocketInspector({ url });
  const fields = inspector.adapter as unknown as AdapterFields;
  if (!(await until(() => fields.status === 'open', ms))) {
    inspector.stop();
    return undefined;
  }
  // The library stamps its frames with its version; take it from a frame it makes.
  let version = '';
  lib.createInspector({ send: (f) => void (version = f._version) }).snapshot('', {});
  return {
    url,
    version,
    send: (frame) => inspector.adapter.send(frame),
    async close(wait) {
      await until(() => (fields.ws?.bufferedAmount ?? 0) === 0, wait);
      inspector.stop();
      await until(() => fields.ws?.readyState === 3, Math.min(wait, 1000));
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
