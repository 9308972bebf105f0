// The whole modelled kernel as XState actor logic. An app creates it like any other actor,
//   const kernel = createActor(daxKernelLogic, { input: { nr_dax: 256 }, inspect }).start();
//   kernel.send({ type: 'dax.alloc', dax: 'a', task: 'A' });
// sends it daxlog events (a log's event, with the step's task beside its fields; see SimEvent)
// and subscribes to its snapshots, whose context holds the last step and its outcome, every
// object's state, and the kernel's whole state as plain data.
//
// Each actor runs its steps on a DaxSim (src/embed.ts), so an outcome is the one replay gives.
// The transition is pure as XState expects: the DaxSim is the actor's cache of the state its
// snapshot holds, and it is restored from the snapshot whenever the two differ (a snapshot
// handed to the pure `transition()`, an actor created from a persisted snapshot).
//
// Once the kernel actor starts, the objects' own machines run as real actors beside it, and their
// inspection events go to the kernel actor's system, so an `inspect` given to createActor (the
// Stately inspector) sees each object's statechart as well as the kernel's events. XState does
// not say whether an inspector is attached, so they always run: a few microseconds an event,
// which a DaxSim without an inspector does not pay.
//
// A step the model cannot run (a handle never created, a bad field, a call by a blocked task)
// makes the transition throw a DaxSimError: the actor stops with status 'error', as any actor
// whose logic throws, and observers with an `error` callback get it.
import type { ActorLogic, ActorScope, ActorSystem, AnyActorRef, EventObject, InspectionEvent, Snapshot } from 'xstate';
import { KERNEL_FUNCTION, type EventType } from '../machines/events.ts';
import type { Outcome } from '../machines/outcome.ts';
import type { StateName } from '../machines/registry.ts';
import type { KernelState } from '../machines/state.ts';
import { DaxSim, type ConfigInput, type SimEvent } from './embed.ts';
import type { Divergence } from './expect.ts';
import type { StepResult } from './replay.ts';

/** A step as the kernel actor's snapshot names it. */
export interface StepInfo {
  seq: number;
  /** Its line in the log (without a log: the header is line 1 and each step the next line). */
  line: number;
  task: string;
  type: EventType;
  /** The kernel function the event stands for. */
  kernel: string;
}

export interface KernelActorContext {
  /** The modelled kernel's whole state, plain data (DaxSim.restore takes it back). */
  kernel: KernelState;
  /** Steps taken, and how many of them missed their expect. */
  steps: number;
  diverged: number;
  /** The last step's line. */
  line: number;
  /** The last step; null before the first. */
  step: StepInfo | null;
  /** The last step's outcome (daxlog.md §4); null before the first. */
  outcome: Outcome | null;
  /** How the last step's outcome missed its expect; empty when it did not. */
  divergences: Divergence[];
  /** Every object by label, with its state after the last step (null: a handle bound to NULL). */
  states: Record<string, StateName | null>;
}

export type KernelActorSnapshot = Snapshot<undefined> & { context: KernelActorContext };
/** What the kernel actor takes: any daxlog event, with the step's task (and seq, line, expect). */
export type KernelActorEvent = SimEvent;
export type KernelActorLogic = ActorLogic<KernelActorSnapshot, KernelActorEvent, ConfigInput | undefined, AnyActorSystem, EventObject>;
type AnyActorSystem = ActorSystem<any>; // as XState names it inside (not exported)
type Scope = ActorScope<KernelActorSnapshot, KernelActorEvent, AnyActorSystem, EventObject>;

/** The DaxSim of each kernel actor, by the actor. */
const sims = new WeakMap<AnyActorRef, DaxSim>();

/** The inspection hook that hands an object actor's events to the kernel actor's system. */
function forwardTo(scope: Scope): ((e: InspectionEvent) => void) | undefined {
  // XState 5 keeps the system's way to its inspectors internal; without it (another XState),
  // the objects are not inspected and the kernel actor still runs.
  const system = scope.system as unknown as { _sendInspectionEvent?: (e: InspectionEvent) => void };
  const send = system._sendInspectionEvent;
  return typeof send === 'function' ? (e) => send.call(system, e) : undefined;
}

function newSim(scope: Scope, config: ConfigInput | undefined): DaxSim {
  const sim = new DaxSim(config);
  sims.set(scope.self, sim);
  return sim;
}

/** The actor's DaxSim, holding the state `snapshot` holds. */
function simAt(scope: Scope, snapshot: KernelActorSnapshot): DaxSim {
  const c = snapshot.context;
  const sim = sims.get(scope.self) ?? newSim(scope, undefined);
  if (sim.model.s !== c.kernel || sim.steps !== c.steps) sim.restore({ daxsim: 1, steps: c.steps, line: c.line, diverged: c.diverged, state: c.kernel });
  return sim;
}

/** The snapshot's JSON (what inspectors and JSON.stringify show): all but the kernel's state. */
function toJSON(this: KernelActorSnapshot): object {
  const { kernel: _, ...shown } = this.context;
  return { status: this.status, output: this.output, error: this.error, context: shown };
}

function snapshotOf(sim: DaxSim, last: StepResult | undefined): KernelActorSnapshot {
  const s = sim.snapshot();
  const step = last?.step;
  const context: KernelActorContext = {
    kernel: s.state,
    steps: s.steps,
    diverged: s.diverged,
    line: s.line,
    step: step === undefined ? null : { seq: step.seq, line: step.line, task: step.task, type: step.event.type, kernel: KERNEL_FUNCTION[step.event.type] },
    outcome: last?.out ?? null,
    divergences: last?.diverged ?? [],
    states: sim.states,
  };
  return Object.assign({ status: 'active' as const, output: undefined, error: undefined, context }, { toJSON });
}

export const daxKernelLogic: KernelActorLogic = {
  getInitialSnapshot: (scope, input) => snapshotOf(newSim(scope, input), undefined),

  // The objects' actors start with the kernel actor (a snapshot handed to the pure transition()
  // runs without them).
  start(snapshot, scope) {
    const inspect = forwardTo(scope);
    if (inspect !== undefined) simAt(scope, snapshot).attachInspector(inspect);
  },

  transition(snapshot, event, scope) {
    const type = (event as EventObject).type;
    if (typeof type === 'string' && type.startsWith('xstate.')) {
      // XState's own events (xstate.stop, and whatever else it sends): not kernel calls.
      if (type !== 'xstate.stop') return snapshot;
      sims.get(scope.self)?.model.stopActors();
      return Object.assign({ status: 'stopped' as const, output: undefined, error: undefined, context: snapshot.context }, { toJSON });
    }
    const sim = simAt(scope, snapshot);
    return snapshotOf(sim, sim.send(event));
  },

  getPersistedSnapshot: ({ status, output, error, context }) => ({ status, output, error, context }) as KernelActorSnapshot,

  restoreSnapshot(persisted, scope) {
    const p = persisted as KernelActorSnapshot;
    const snapshot = Object.assign({ ...p, context: { ...p.context } }, { toJSON });
    simAt(scope, snapshot); // checks the state (a DaxSimError for one it cannot take)
    return snapshot;
  },
};

/** The DaxSim a kernel actor runs on (the inspect command reads the task making a call there). */
export function simOf(actor: AnyActorRef): DaxSim | undefined {
  return sims.get(actor);
}
