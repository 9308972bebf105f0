// Runs an XState machine definition without an actor: a table compiled once from the
// definition gives, for each state and event type, the candidate transitions in XState's order
// of priority (the state's own, then its parent's), each with its guard, its assign actions and
// its target. `transition` picks the first candidate whose guard holds, as XState does, and
// returns the next state value and context, or undefined when XState would ignore the event.
//
// The machines of this project are flat: a root with atomic (or final) children, transitions on
// the children and on the root, guards by name (with and/or/not), assign actions by name or
// inline, and context from input. Anything else (nested or parallel states, entry/exit actions,
// eventless or delayed transitions, invocations, wildcard events, actions other than assign) is
// refused when the machine is compiled, so that the table never silently differs from XState.
// test/compile.test.ts holds the table equal to createActor on random event sequences.
import { and, not, or, type AnyStateMachine } from 'xstate';

type Args = { context: unknown; event: { type: string } };
type GuardFn = (args: Args) => boolean;
type Assigner = (context: Record<string, unknown>, event: { type: string }) => Record<string, unknown>;

export interface CompiledTransition {
  guard: GuardFn | undefined;
  assigns: Assigner[];
  /** The target state's key; undefined for a transition that stays (targetless). */
  target: string | undefined;
  /** The transition's `meta` (the kernel symbol it stands for). */
  meta: { kernel?: string } | undefined;
}

export interface Snapshot<V extends string = string, C = unknown> {
  value: V;
  context: C;
}

export interface CompiledMachine<V extends string = string, C = unknown, E extends { type: string } = { type: string }, I = unknown> {
  readonly id: string;
  readonly definition: AnyStateMachine;
  readonly states: readonly V[];
  readonly finals: ReadonlySet<V>;
  /** Each event type → the kernel function its first transition's meta names. */
  readonly symbols: Readonly<Record<string, string>>;
  /** The initial snapshot for an input (context from the definition's context factory). */
  initial(input: I): Snapshot<V, C>;
  /** The snapshot after event, or undefined when no transition takes it (XState ignores it). */
  transition(value: V, context: C, event: E): (Snapshot<V, C> & { taken: CompiledTransition }) | undefined;
}

// XState's guard combinators are told apart by the check functions they share (their own
// names do not survive bundling: esbuild renames `and` to `and2`).
const COMBINATORS = new Map<unknown, 'and' | 'or' | 'not'>([
  [(and([]) as unknown as { check: unknown }).check, 'and'],
  [(or([]) as unknown as { check: unknown }).check, 'or'],
  [(not('x') as unknown as { check: unknown }).check, 'not'],
]);

/** Why a definition cannot be compiled; thrown at load time. */
export class UnsupportedMachine extends Error {}

function refuse(machine: string, what: string): never {
  throw new UnsupportedMachine(`machine ${machine}: ${what} is not supported by the compiled runner (machines/compile.ts)`);
}

interface NodeLike {
  key: string;
  type: string;
  states: Record<string, NodeLike>;
  entry: unknown[];
  exit: unknown[];
  always?: unknown[];
  after?: unknown[];
  invoke?: unknown[];
  transitions: Map<string, TransitionLike[]>;
  config: { initial?: string; context?: unknown };
}
interface TransitionLike {
  guard?: unknown;
  actions: unknown[];
  target?: NodeLike[];
  reenter?: boolean;
  meta?: { kernel?: string };
}

export function compileMachine<V extends string, C, E extends { type: string }, I>(machine: AnyStateMachine): CompiledMachine<V, C, E, I> {
  const id = machine.id;
  const root = machine.root as unknown as NodeLike;
  const impl = machine.implementations as { guards: Record<string, unknown>; actions: Record<string, unknown> };
  const checkNode = (n: NodeLike, where: string) => {
    if (n.entry.length > 0 || n.exit.length > 0) refuse(id, `entry or exit actions (${where})`);
    if ((n.always?.length ?? 0) > 0) refuse(id, `an eventless transition (${where})`);
    if ((n.after?.length ?? 0) > 0) refuse(id, `a delayed transition (${where})`);
    if ((n.invoke?.length ?? 0) > 0) refuse(id, `an invocation (${where})`);
    for (const type of n.transitions.keys()) if (type.includes('*')) refuse(id, `the wildcard event ${type} (${where})`);
  };
  if (root.type !== 'compound') refuse(id, `a root of type ${root.type}`);
  checkNode(root, 'root');
  const states = Object.keys(root.states) as V[];
  const finals = new Set<V>();
  for (const key of states) {
    const n = root.states[key]!;
    if (n.type !== 'atomic' && n.type !== 'final') refuse(id, `the ${n.type} state ${key}`);
    if (n.type === 'final') finals.add(key as V);
    checkNode(n, key);
  }

  const guard = (g: unknown): GuardFn => {
    if (typeof g === 'string') {
      const f = impl.guards[g];
      if (f === undefined) refuse(id, `the guard ${g}, which is not implemented,`);
      return guard(f);
    }
    if (typeof g === 'function') {
      const h = g as { check?: unknown; guards?: unknown[]; name: string };
      if (h.check === undefined) return (args) => (g as (a: Args) => boolean)(args);
      const parts = (h.guards ?? []).map(guard);
      const op = COMBINATORS.get(h.check);
      if (op === 'and') return (a) => parts.every((p) => p(a));
      if (op === 'or') return (a) => parts.some((p) => p(a));
      if (op === 'not') return (a) => !parts[0]!(a);
      refuse(id, `the built-in guard ${h.name}`);
    }
    if (typeof g === 'object' && g !== null && 'type' in g) {
      if ('params' in g) refuse(id, `a guard with params (${String((g as { type: string }).type)})`);
      return guard((g as { type: string }).type);
    }
    return refuse(id, `the guard ${String(g)}`);
  };

  const action = (a: unknown): Assigner => {
    const resolved = typeof a === 'string' ? impl.actions[a] : typeof a === 'object' && a !== null && 'type' in a ? refuse(id, 'an action object') : a;
    const f = resolved as { type?: string; assignment?: unknown } | undefined;
    if (f?.type !== 'xstate.assign') refuse(id, `the action ${typeof a === 'string' ? a : (f?.type ?? String(a))} (only assign is)`);
    const assignment = f.assignment;
    if (typeof assignment === 'function') {
      return (context, event) => (assignment as (x: Args) => Record<string, unknown>)({ context, event });
    }
    const entries = Object.entries(assignment as Record<string, unknown>);
    return (context, event) => {
      const partial: Record<string, unknown> = {};
      for (const [k, v] of entries) partial[k] = typeof v === 'function' ? (v as (x: Args) => unknown)({ context, event }) : v;
      return partial;
    };
  };

  const compileTransition = (t: TransitionLike): CompiledTransition => {
    const targets = t.target ?? [];
    if (targets.length > 1) refuse(id, 'a transition with several targets');
    const target = targets[0];
    if (target !== undefined && root.states[target.key] !== target) refuse(id, `a target outside the root's children (${target.key})`);
    return { guard: t.guard === undefined ? undefined : guard(t.guard), assigns: t.actions.map(action), target: target?.key, meta: t.meta };
  };

  // Per state, per event type: the state's own transitions, then the root's.
  const table = new Map<string, Map<string, CompiledTransition[]>>();
  const rootOn = new Map([...root.transitions].map(([type, ts]) => [type, ts.map(compileTransition)]));
  for (const key of states) {
    const own = new Map([...root.states[key]!.transitions].map(([type, ts]) => [type, ts.map(compileTransition)]));
    const merged = new Map<string, CompiledTransition[]>();
    for (const type of new Set([...own.keys(), ...rootOn.keys()])) merged.set(type, [...(own.get(type) ?? []), ...(rootOn.get(type) ?? [])]);
    table.set(key, merged);
  }

  const symbols: Record<string, string> = {};
  for (const byType of table.values()) {
    for (const [type, ts] of byType) for (const t of ts) if (t.meta?.kernel !== undefined) symbols[type] ??= t.meta.kernel;
  }

  const initialKey = root.config.initial;
  if (initialKey === undefined || !(initialKey in root.states)) refuse(id, 'a missing initial state');
  const contextConfig = root.config.context;

  return {
    id,
    definition: machine,
    states,
    finals,
    symbols,
    initial(input) {
      const context = typeof contextConfig === 'function' ? (contextConfig as (a: { input: I }) => C)({ input }) : (structuredClone(contextConfig) as C);
      return { value: initialKey as V, context };
    },
    transition(value, context, event) {
      if (finals.has(value)) return undefined;
      const candidates = table.get(value)?.get(event.type);
      if (candidates === undefined) return undefined;
      for (const t of candidates) {
        if (t.guard !== undefined && !t.guard({ context, event })) continue;
        let next = context as Record<string, unknown>;
        const assigns = t.assigns;
        if (assigns.length > 0) {
          // As XState's assign: a new context with each update over the one before (string keys
          // only: a hash kept on the old context under a symbol must not follow it). One new
          // object serves all of a transition's assigns: no one else has seen it in between.
          const merged: Record<string, unknown> = {};
          for (const k in next) merged[k] = next[k];
          for (let i = 0; i < assigns.length; i++) {
            const update = assigns[i]!(merged, event);
            for (const k in update) merged[k] = update[k];
          }
          next = merged;
        }
        return { value: (t.target ?? value) as V, context: next as C, taken: t };
      }
      return undefined;
    },
  };
}
