// Kernel objects as the log names them (daxlog.md §2): each has a handle, a kind and a state.
// A live object is a started XState actor; once it reaches a final state its actor is
// stopped and only the final state is kept, so memory follows live objects.
//
// Handle rules: a handle names the newest object created under it; creating under a handle
// whose object is still live is a log error (checked by the caller before any state changes).
// An object that loses its handle while still live is named `<handle>~<n>`, n the lowest
// number not taken by another such object of that handle, kept until the object is final.
// A handle whose creation returned NULL or an ERR_PTR names that pointer, with state null.
import type { Actor, AnyMachineSnapshot, AnyStateMachine } from 'xstate';
import type { ObjectKind, StateName } from './events.ts';

export class KObject<M extends AnyStateMachine = AnyStateMachine> {
  label: string;
  private actorRef: Actor<M> | undefined;
  private finalState: StateName | undefined;

  constructor(
    readonly kind: ObjectKind,
    readonly handle: string,
    actor: Actor<M>,
  ) {
    this.label = handle;
    this.actorRef = actor;
  }

  get actor(): Actor<M> {
    if (this.actorRef === undefined) throw new Error(`bug: ${this.label} is final and has no actor`);
    return this.actorRef;
  }

  get state(): StateName {
    return this.finalState ?? ((this.actorRef!.getSnapshot() as AnyMachineSnapshot).value as StateName);
  }

  get live(): boolean {
    return this.finalState === undefined && (this.actorRef!.getSnapshot() as AnyMachineSnapshot).status === 'active';
  }

  /** Stops the actor of an object that reached its final state; the state stays readable. */
  retire(): void {
    if (this.actorRef === undefined) return;
    this.finalState = this.state;
    this.actorRef.stop();
    this.actorRef = undefined;
  }
}

/** What a handle names when its creating call returned NULL or an ERR_PTR. */
export class NullObject {
  readonly live = false;
  readonly state = null;
  constructor(
    readonly kind: ObjectKind,
    readonly handle: string,
    readonly ptr: string,
  ) {}
}

export type Named = KObject | NullObject;

/** What happened to an object's place in the registry, for a viewer that follows it. */
export type RegistryChange = 'bound' | 'relabelled' | 'retired' | 'dropped';

export class Registry {
  private readonly byHandle = new Map<string, Named>();
  private readonly displaced = new Map<string, Map<number, KObject>>();

  /** journal, when given, hears of every change of the registry (viewers; replay has none). */
  constructor(private readonly journal?: (obj: Named, change: RegistryChange) => void) {}

  get(handle: string): Named | undefined {
    return this.byHandle.get(handle);
  }

  /**
   * The live object a new one under `handle` would displace, if any (a log error). A closed
   * file is final for its handle (daxlog.md §2) even while a mapping still holds the struct
   * file; a new open under the handle displaces it to `<handle>~<n>`.
   */
  liveAt(handle: string): KObject | undefined {
    const cur = this.byHandle.get(handle);
    return cur instanceof KObject && cur.live && cur.state !== 'closed' ? cur : undefined;
  }

  /** Binds handle to obj; a still-live holder of the handle becomes `<handle>~<n>`. */
  bind(handle: string, obj: Named): void {
    const old = this.byHandle.get(handle);
    if (old instanceof KObject && old.live) {
      let older = this.displaced.get(handle);
      if (older === undefined) this.displaced.set(handle, (older = new Map()));
      let n = 1;
      while (older.has(n)) n++;
      older.set(n, old);
      old.label = `${handle}~${n}`;
      this.journal?.(old, 'relabelled');
    } else if (old !== undefined) this.journal?.(old, 'dropped');
    this.byHandle.set(handle, obj);
    this.journal?.(obj, 'bound');
  }

  /** Called when obj reached a final state: it keeps its handle, or is dropped if displaced. */
  retire(obj: KObject): void {
    obj.retire();
    if (obj.label === obj.handle) {
      this.journal?.(obj, 'retired');
      return;
    }
    const older = this.displaced.get(obj.handle)!;
    older.delete(Number(obj.label.slice(obj.handle.length + 1)));
    if (older.size === 0) this.displaced.delete(obj.handle);
    this.journal?.(obj, 'dropped');
  }

  /**
   * Every object by the label it has now, for viewers (not used by replay): each handle in the
   * order it was first bound, followed by its displaced objects `<handle>~<n>` in order of n.
   */
  *labelled(): Generator<[string, Named]> {
    for (const [handle, obj] of this.byHandle) {
      yield [handle, obj];
      const older = this.displaced.get(handle);
      if (older !== undefined) for (const n of [...older.keys()].sort((a, b) => a - b)) yield [`${handle}~${n}`, older.get(n)!];
    }
  }

  /** The state of whatever a label names now: a handle, or `<handle>~<n>`. */
  stateOf(label: string): StateName | null {
    const m = /^(.*)~(\d+)$/.exec(label);
    if (m) return this.displaced.get(m[1]!)?.get(Number(m[2]))?.state ?? null;
    return this.byHandle.get(label)?.state ?? null;
  }
}
