// The adapter between the modelled kernel and the Stately inspector: XState's inspection
// events become the frames @statelyai/inspect sends (`@xstate.actor`, `@xstate.event`,
// `@xstate.snapshot`; microsteps and actions are dropped, as the library drops them).
//
// The replay runs through the kernel actor (src/actor.ts): each step of the log is an event of
// the actor named `kernel` ({"type": "dax.kill", "dax": "a", "task": "B", "seq": 6, "line": 7,
// "kernel": "kill_dax"}), and the objects' own actors take the events the kernel sends them, so
// the inspector's sequence view reads like the log, with arrows from `kernel` to the objects.
// Every frame a step causes carries the step: `step: {seq, line, task, kernel}`.
//
// Why not the library's own `inspector.inspect` observer: it converts each event later, on a
// timer, and reads the actor's snapshot then, so an `@xstate.actor` frame of a fast replay
// showed the object's last state instead of its first; and its session ids are XState's
// (`x:0`, `x:1`, from a process-wide counter). Here each frame is made when the event happens,
// actors are named and identified by their handles (`dax0.0/dax_dev`, a reused handle's next
// object `dax0.0/dax_dev#2`), contexts are JSON (bigints as "0x…" hex, as the log writes
// them), and each event carries the kernel function it stands for and the task making it.
//
// Only the inspect command loads this module; the plain replay passes no hook and pays nothing.
import type { StatelyInspectionEvent } from '@statelyai/inspect';
import { createActor, type Actor, type ActorRefLike, type AnyActorLogic, type AnyEventObject, type InspectionEvent } from 'xstate';
import { KERNEL_FUNCTION, type EventType } from '../machines/events.ts';
import { daxKernelLogic, simOf, type KernelActorEvent } from './actor.ts';
import { guardText, MACHINES } from './diagram.ts';
import type { ConfigInput } from './embed.ts';
import { DaxSimError, die } from './errors.ts';
import { LogReader } from './log.ts';
import type { StepResult, Summary } from './replay.ts';

export interface FrameOptions {
  /** The @statelyai/inspect version the frames are stamped with (`_version`). */
  version: string;
  /** The task making the current kernel call, when there is one. */
  task?: () => string | undefined;
  /** The clock of `createdAt` (milliseconds); the library uses Date.now. */
  now?: () => number;
}

/** What the inspected actors are: the kernel actor, and root actors of a machine named by their handles. */
interface KernelActor {
  id: string;
  sessionId: string;
  logic: AnyActorLogic;
  getSnapshot(): unknown;
}

/** The step a frame belongs to, as each frame it causes carries it. */
export interface StepTag {
  seq: number;
  line: number;
  task: string;
  kernel: string;
}
const actorOf = (ref: ActorRefLike) => ref as unknown as KernelActor;

/** A frame before the stamps every frame gets. */
type Unstamped<F = StatelyInspectionEvent> = F extends unknown ? Omit<F, 'createdAt' | 'id' | '_version'> : never;

const SYMBOLS = new Map<string, Readonly<Record<string, string>>>(MACHINES.map((m) => [m.name, m.symbols]));

export class InspectionFrames {
  /** XState session id → the frames' session id. */
  private readonly sessions = new Map<string, string>();
  /** How many actors each handle has named. */
  private readonly named = new Map<string, number>();
  /** Each frame session's root: the kernel actor's, or its own. */
  private readonly roots = new Map<string, string>();
  private readonly definitions = new Map<AnyActorLogic, string | undefined>();
  /**
   * Actors announced but not yet sent: XState announces an actor before it has a snapshot,
   * so its frame goes out just before the actor's first event (its xstate.init).
   */
  private readonly announced = new Map<string, KernelActor>();
  private count = 0;
  /** The step of the kernel actor's event being taken, from its event until its snapshot. */
  private step: StepTag | undefined;
  /** The kernel actor's frame session id, once announced. */
  private kernelSession: string | undefined;
  private lastSeq = 0;
  private lastLine = 1;

  constructor(
    private readonly send: (frame: StatelyInspectionEvent) => void,
    private readonly options: FrameOptions,
  ) {}

  /** The Kernel's `inspect` hook. */
  readonly inspect = (e: InspectionEvent): void => {
    if (e.type === '@xstate.actor') this.announced.set(e.actorRef.sessionId, actorOf(e.actorRef));
    else if (e.type === '@xstate.event') {
      const ref = actorOf(e.actorRef);
      const call = ref.logic === daxKernelLogic && !e.event.type.startsWith('xstate.');
      if (call) this.step = this.tag(e.event);
      const sessionId = this.session(ref);
      // The objects take their events from the kernel, which runs the log's calls.
      const sourceId = e.sourceRef !== undefined ? this.session(actorOf(e.sourceRef)) : this.step !== undefined && !call ? this.kernelSession : undefined;
      this.emit({ type: '@xstate.event', event: this.event(ref, e.event), sourceId, sessionId, rootId: this.roots.get(sessionId)! });
    } else if (e.type === '@xstate.snapshot') {
      const ref = actorOf(e.actorRef);
      const sessionId = this.session(ref);
      this.emit({ type: '@xstate.snapshot', event: this.event(ref, e.event), snapshot: json(e.snapshot) as never, sessionId, rootId: this.roots.get(sessionId)! });
      if (ref.logic === daxKernelLogic) this.step = undefined; // the kernel's snapshot ends the step
    }
  };

  /** The step a kernel actor's event is: its seq and line, or those that follow the last step's. */
  private tag(event: AnyEventObject): StepTag {
    const seq = typeof event['seq'] === 'number' ? event['seq'] : this.lastSeq + 1;
    const line = typeof event['line'] === 'number' ? event['line'] : this.lastLine + 1;
    this.lastSeq = seq;
    this.lastLine = line;
    const task = typeof event['task'] === 'string' ? event['task'] : 'main';
    return { seq, line, task, kernel: KERNEL_FUNCTION[event.type as EventType] ?? event.type };
  }

  /** Frames sent so far. */
  get frames(): number {
    return this.count;
  }

  private actor(ref: KernelActor): void {
    const handle = ref.id;
    const n = (this.named.get(handle) ?? 0) + 1;
    this.named.set(handle, n);
    const sessionId = n === 1 ? handle : `${handle}#${n}`;
    this.sessions.set(ref.sessionId, sessionId);
    // The objects' actors are shown inside the kernel actor's.
    const parentId = ref.logic === daxKernelLogic ? undefined : this.kernelSession;
    if (ref.logic === daxKernelLogic) this.kernelSession = sessionId;
    this.roots.set(sessionId, parentId ?? sessionId);
    this.emit({
      type: '@xstate.actor',
      name: handle,
      sessionId,
      rootId: parentId ?? sessionId,
      parentId,
      definition: this.definition(ref.logic),
      snapshot: json(ref.getSnapshot()) as never,
    });
  }

  private emit(frame: Unstamped): void {
    const createdAt = String((this.options.now ?? Date.now)());
    const step = this.step === undefined ? {} : { step: this.step };
    this.send({ ...frame, ...step, createdAt, id: String(++this.count), _version: this.options.version } as StatelyInspectionEvent);
  }

  private session(ref: KernelActor): string {
    const pending = this.announced.get(ref.sessionId);
    if (pending !== undefined) {
      this.announced.delete(ref.sessionId);
      this.actor(pending);
    }
    return this.sessions.get(ref.sessionId) ?? ref.id;
  }

  /** The event as JSON, with the kernel function it stands for and the task making the call. */
  private event(ref: KernelActor, event: AnyEventObject): AnyEventObject {
    const out = json(event) as AnyEventObject;
    if (event.type.startsWith('xstate.')) return out;
    if (ref.logic === daxKernelLogic) {
      // A call of the log: the step's task, and the kernel function it stands for.
      out['task'] ??= 'main';
      out['kernel'] = KERNEL_FUNCTION[event.type as EventType];
      return out;
    }
    const kernel = SYMBOLS.get((ref.logic as { id?: string }).id ?? '')?.[event.type];
    if (kernel !== undefined) out['kernel'] = kernel;
    // dax_srcu's events name their task themselves.
    const task = this.options.task?.();
    if (task !== undefined && out['task'] === undefined) out['task'] = task;
    return out;
  }

  /** A machine's definition as the inspector reads it: its config, functions by name, guards as text. */
  private definition(logic: AnyActorLogic): string | undefined {
    if (!this.definitions.has(logic)) this.definitions.set(logic, logic.config === undefined ? undefined : JSON.stringify(logic.config, replacer));
    return this.definitions.get(logic);
  }
}

function replacer(_key: string, v: unknown): unknown {
  if (typeof v === 'function') return { type: 'guards' in v ? guardText(v) : v.name };
  if (typeof v === 'bigint') return '0x' + v.toString(16);
  return v;
}

/** A JSON copy: snapshots through their toJSON, bigints as hex strings. */
export function json(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, replacer) ?? 'null');
}

/**
 * A log replayed through the kernel actor, its frames sent as they are made. Fed lines as the
 * Replayer is, it gives the same step results (each step is sent to the actor with its task,
 * seq, line and expect, and the actor runs it as replay does).
 */
export class InspectedReplay {
  private readonly reader: LogReader;
  private kernel: Actor<typeof daxKernelLogic> | undefined;
  readonly frames: InspectionFrames;

  constructor(
    readonly file: string,
    send: (frame: StatelyInspectionEvent) => void,
    options: Omit<FrameOptions, 'task'>,
  ) {
    this.reader = new LogReader(file);
    this.frames = new InspectionFrames(send, { ...options, task: () => (this.kernel === undefined ? undefined : simOf(this.kernel)?.model.current) });
  }

  /** Whether the header has been read (the kernel actor runs). */
  get started(): boolean {
    return this.kernel !== undefined;
  }

  /** The kernel actor, once the header has been read. */
  get actor(): Actor<typeof daxKernelLogic> | undefined {
    return this.kernel;
  }

  feed(text: string, line: number): StepResult | undefined {
    const got = this.reader.feed(text, line);
    if (got === undefined) return undefined;
    if (!('event' in got)) {
      const input = got.input['config'] as ConfigInput | undefined;
      this.kernel = createActor(daxKernelLogic, { id: 'kernel', input, inspect: this.frames.inspect });
      this.kernel.subscribe({ error: () => {} }); // a failed step is read from the snapshot below
      this.kernel.start();
      return undefined;
    }
    const k = this.kernel!;
    const expect = got.input['expect'];
    k.send({ ...(got.input['event'] as object), task: got.task, seq: got.seq, line: got.line, ...(expect !== undefined && { expect }) } as unknown as KernelActorEvent);
    const s = k.getSnapshot();
    if (s.status === 'error') {
      if (s.error instanceof DaxSimError) die(this.file, line, 1, s.error.reason);
      throw s.error;
    }
    const c = s.context;
    return c.divergences.length > 0 ? { step: got, out: c.outcome!, diverged: c.divergences } : { step: got, out: c.outcome! };
  }

  end(): Summary {
    this.reader.end();
    const c = this.kernel!.getSnapshot().context;
    return { steps: this.reader.stepCount, diverged: c.diverged, blocked: simOf(this.kernel!)!.blocked };
  }

  /** Stops the kernel actor and the objects' actors. */
  stop(): void {
    this.kernel?.stop();
  }
}
