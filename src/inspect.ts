// The adapter between the modelled kernel and the Stately inspector: XState's inspection
// events, as the Kernel's `inspect` hook receives them, become the frames @statelyai/inspect
// sends (`@xstate.actor`, `@xstate.event`, `@xstate.snapshot`; microsteps and actions are
// dropped, as the library drops them).
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
import type { ActorRefLike, AnyEventObject, AnyStateMachine, InspectionEvent } from 'xstate';
import { guardText, MACHINES } from './diagram.ts';

export interface FrameOptions {
  /** The @statelyai/inspect version the frames are stamped with (`_version`). */
  version: string;
  /** The task making the current kernel call, when there is one. */
  task?: () => string | undefined;
  /** The clock of `createdAt` (milliseconds); the library uses Date.now. */
  now?: () => number;
}

/** What the actors of a kernel are: root actors of a machine, named by their handles. */
interface KernelActor {
  id: string;
  sessionId: string;
  logic: AnyStateMachine;
  getSnapshot(): unknown;
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
  private readonly definitions = new Map<AnyStateMachine, string>();
  /**
   * Actors announced but not yet sent: XState announces an actor before it has a snapshot,
   * so its frame goes out just before the actor's first event (its xstate.init).
   */
  private readonly announced = new Map<string, KernelActor>();
  private count = 0;

  constructor(
    private readonly send: (frame: StatelyInspectionEvent) => void,
    private readonly options: FrameOptions,
  ) {}

  /** The Kernel's `inspect` hook. */
  readonly inspect = (e: InspectionEvent): void => {
    if (e.type === '@xstate.actor') this.announced.set(e.actorRef.sessionId, actorOf(e.actorRef));
    else if (e.type === '@xstate.event') {
      const ref = actorOf(e.actorRef);
      const sessionId = this.session(ref);
      const sourceId = e.sourceRef === undefined ? undefined : this.session(actorOf(e.sourceRef));
      this.emit({ type: '@xstate.event', event: this.event(ref, e.event), sourceId, sessionId, rootId: sessionId });
    } else if (e.type === '@xstate.snapshot') {
      const ref = actorOf(e.actorRef);
      const sessionId = this.session(ref);
      this.emit({ type: '@xstate.snapshot', event: this.event(ref, e.event), snapshot: json(e.snapshot) as never, sessionId, rootId: sessionId });
    }
  };

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
    this.emit({
      type: '@xstate.actor',
      name: handle,
      sessionId,
      rootId: sessionId,
      parentId: undefined,
      definition: this.definition(ref.logic),
      snapshot: json(ref.getSnapshot()) as never,
    });
  }

  private emit(frame: Unstamped): void {
    const createdAt = String((this.options.now ?? Date.now)());
    this.send({ ...frame, createdAt, id: String(++this.count), _version: this.options.version } as StatelyInspectionEvent);
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
    const kernel = SYMBOLS.get(ref.logic.id)?.[event.type];
    if (kernel !== undefined) out['kernel'] = kernel;
    // dax_srcu's events name their task themselves.
    const task = this.options.task?.();
    if (task !== undefined && out['task'] === undefined && !event.type.startsWith('xstate.')) out['task'] = task;
    return out;
  }

  /** The machine's definition as the inspector reads it: its config, functions by name, guards as text. */
  private definition(machine: AnyStateMachine): string {
    let d = this.definitions.get(machine);
    if (d === undefined) this.definitions.set(machine, (d = JSON.stringify(machine.config, replacer)));
    return d;
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
