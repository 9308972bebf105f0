// daxsim coverage: which kernel branches a set of logs reaches (machines/branches.ts), which
// WARNs and oopses fire, and which states and transitions of every machine are entered. It
// listens through the kernel's hooks, so the plain replay path does not pay for it.
import type { AnyStateMachine, InspectionEvent } from 'xstate';
import { BRANCH_IDS, BRANCHES, type Branch } from '../machines/branches.ts';
import type { KernelHooks } from '../machines/kernel.ts';
import type { StepResult } from './replay.ts';

import { MACHINES as REGISTRY } from '../machines/registry.ts';

/** The machine definitions, from the one registry (machines/registry.ts). */
export const MACHINES: AnyStateMachine[] = REGISTRY.map((m) => m.machine as AnyStateMachine);

/** A transition of a machine definition: source state ('*' for the machine's own), event, target. */
export interface TransitionDef {
  machine: string;
  from: string;
  event: string;
  to: string;
}

const key = (t: TransitionDef) => `${t.machine}: ${t.from} --${t.event}--> ${t.to}`;

/** The states and transitions a machine definition has. A targetless transition keeps its state. */
export function structure(m: AnyStateMachine): { states: string[]; transitions: TransitionDef[] } {
  const root = m.root;
  const states = Object.keys(root.states);
  const seen = new Map<string, TransitionDef>();
  const add = (from: string, event: string, to: string) => {
    const t = { machine: m.id, from, event, to };
    seen.set(key(t), t);
  };
  for (const [name, node] of Object.entries(root.states)) {
    for (const [event, ts] of node.transitions) for (const t of ts) add(name, event, t.target?.[0]?.key ?? name);
  }
  for (const [event, ts] of root.transitions) for (const t of ts) add('*', event, t.target?.[0]?.key ?? '(same)');
  return { states, transitions: [...seen.values()] };
}

export class Coverage {
  readonly branches = new Map<Branch, number>(BRANCH_IDS.map((b) => [b, 0]));
  readonly states = new Map<string, Map<string, number>>();
  readonly transitions = new Map<string, number>();
  readonly warns = new Map<string, number>();
  readonly oopses = new Map<string, number>();
  logs = 0;
  steps = 0;
  private readonly defs = MACHINES.map(structure);
  private readonly last = new Map<string, string>();

  constructor() {
    for (const [i, m] of MACHINES.entries()) {
      this.states.set(m.id, new Map(this.defs[i]!.states.map((s) => [s, 0])));
      for (const t of this.defs[i]!.transitions) this.transitions.set(key(t), 0);
    }
  }

  /** The hooks to replay a log with. */
  get hooks(): KernelHooks {
    return { branch: (b) => this.branches.set(b, this.branches.get(b)! + 1), inspect: (e) => this.inspected(e) };
  }

  step(r: StepResult): void {
    this.steps++;
    for (const w of r.out.warn ?? []) this.warns.set(w, (this.warns.get(w) ?? 0) + 1);
    if (r.out.oops !== undefined) {
      const kind = r.out.oops.split(':')[0]!;
      this.oopses.set(kind, (this.oopses.get(kind) ?? 0) + 1);
    }
  }

  private inspected(e: InspectionEvent): void {
    if (e.type !== '@xstate.snapshot') return;
    const ref = e.actorRef as { sessionId: string; logic?: { id?: string } };
    const machine = ref.logic?.id;
    const snap = e.snapshot as { value?: unknown };
    if (machine === undefined || typeof snap.value !== 'string') return;
    const to = snap.value;
    const counts = this.states.get(machine);
    if (counts !== undefined) counts.set(to, (counts.get(to) ?? 0) + 1);
    const from = this.last.get(ref.sessionId);
    this.last.set(ref.sessionId, to);
    if (from === undefined) return;
    const event = e.event.type;
    for (const k of [
      key({ machine, from, event, to }),
      key({ machine, from: '*', event, to }),
      key({ machine, from: '*', event, to: '(same)' }),
    ]) {
      if (this.transitions.has(k) && (k.endsWith('(same)') ? from === to : true)) {
        this.transitions.set(k, this.transitions.get(k)! + 1);
        return;
      }
    }
  }

  /** Everything reached in full. */
  get complete(): boolean {
    return [...this.branches.values()].every((n) => n > 0) && [...this.states.values()].every((m) => [...m.values()].every((n) => n > 0));
  }

  report(all = false): string {
    const out: string[] = [];
    const missed = BRANCH_IDS.filter((b) => this.branches.get(b) === 0);
    out.push(`${this.logs} logs, ${this.steps} steps`);
    out.push(`kernel branches: ${BRANCH_IDS.length - missed.length} of ${BRANCH_IDS.length} reached`);
    for (const b of all ? BRANCH_IDS : missed) out.push(`  ${String(this.branches.get(b)).padStart(6)}  ${b.padEnd(42)} ${BRANCHES[b]}`);
    out.push(`WARNs: ${[...this.warns.values()].reduce((a, b) => a + b, 0)} fired, ${this.warns.size} kinds`);
    for (const [w, n] of [...this.warns].sort()) out.push(`  ${String(n).padStart(6)}  ${w}`);
    out.push(`oopses: ${[...this.oopses.values()].reduce((a, b) => a + b, 0)}`);
    for (const [o, n] of [...this.oopses].sort()) out.push(`  ${String(n).padStart(6)}  ${o}`);
    for (const m of MACHINES) {
      const s = this.states.get(m.id)!;
      const sMiss = [...s].filter(([, n]) => n === 0).map(([k]) => k);
      const ts = [...this.transitions].filter(([k]) => k.startsWith(`${m.id}: `));
      const tMiss = ts.filter(([, n]) => n === 0);
      out.push(`machine ${m.id}: states ${s.size - sMiss.length} of ${s.size}, transitions ${ts.length - tMiss.length} of ${ts.length}`);
      for (const st of all ? [...s.keys()] : sMiss) out.push(`  ${String(s.get(st)).padStart(6)}  state ${st}`);
      for (const [k, n] of all ? ts : tMiss) out.push(`  ${String(n).padStart(6)}  ${k.slice(m.id.length + 2)}`);
    }
    return out.join('\n') + '\n';
  }
}
