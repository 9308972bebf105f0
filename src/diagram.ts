// The statecharts of the machines, read from their XState definitions (machine.root): the
// states, the initial and final ones, and every transition as an edge labelled with its event
// and guard. One reading serves `daxsim diagram` (Mermaid stateDiagram-v2, DOT) and the viewer
// (DOT rendered to SVG, nodes and edges with stable ids to mark the current state).
//
// A transition declared on the root (dev_dax's refcount events, all of dax_srcu) is taken from
// whichever child state the actor is in, so it is drawn from every child that is not final. A
// transition without a target keeps the state: it is drawn as a self-loop.
import { and, not, or } from 'xstate';
import { MACHINES, machineNamed, type MachineEntry } from '../machines/registry.ts';

export { MACHINES, machineNamed };
export type MachineInfo = MachineEntry;

export interface Edge {
  from: string;
  to: string;
  event: string;
  guard?: string;
  /** The kernel function the event stands for. */
  kernel: string;
}

export interface Chart {
  name: string;
  source: string;
  initial: string;
  states: { name: string; final: boolean }[];
  edges: Edge[];
}

interface Node {
  key: string;
  type: string;
  states: Record<string, Node>;
  initial?: { target: Node[] };
  transitions: Map<string, { target?: readonly Node[]; guard?: unknown; meta?: { kernel?: string } }[]>;
}

/** The statechart of one machine, in the order its definition declares states and events. */
export function chartOf(info: MachineInfo): Chart {
  const root = info.machine.root as unknown as Node;
  const children = Object.values(root.states);
  const edges: Edge[] = [];
  const add = (from: Node, owner: Node) => {
    for (const [event, list] of owner.transitions) {
      for (const t of list) {
        const e: Edge = { from: from.key, to: t.target?.[0]?.key ?? from.key, event, kernel: t.meta?.kernel ?? event };
        if (t.guard !== undefined) e.guard = guardText(t.guard);
        edges.push(e);
      }
    }
  };
  for (const s of children) {
    add(s, s);
    if (s.type !== 'final') add(s, root);
  }
  return {
    name: info.name,
    source: info.source,
    initial: root.initial!.target[0]!.key,
    states: children.map((s) => ({ name: s.key, final: s.type === 'final' })),
    edges,
  };
}

// XState's guard combinators are told apart by their shared check functions: their own names
// do not survive bundling (esbuild renames `and` to `and2`).
const COMBINATOR = new Map<unknown, string>([
  [(and([]) as unknown as Combinator).check, ' && '],
  [(or([]) as unknown as Combinator).check, ' || '],
  [(not('x') as unknown as Combinator).check, '!'],
]);
interface Combinator {
  check: unknown;
  guards: unknown[];
}

/** A guard as text: its name, or and/or/not of names (`holds_read_lock && has_waiters`). */
export function guardText(g: unknown): string {
  if (typeof g === 'string') return g;
  const f = g as Partial<Combinator> & { type?: string; name?: string };
  if (typeof f.type === 'string') return f.type;
  const op = COMBINATOR.get(f.check);
  if (op !== undefined && f.guards !== undefined) {
    const parts = f.guards.map(guardText);
    return op === '!' ? `!${parts[0]}` : parts.join(op);
  }
  return f.name ?? 'guard';
}

export function edgeLabel(e: Edge): string {
  return e.guard === undefined ? e.event : `${e.event} [${e.guard}]`;
}

/** Mermaid stateDiagram-v2; several charts become one composite state each. */
export function toMermaid(charts: Chart[]): string {
  const lines = ['stateDiagram-v2'];
  const one = charts.length === 1;
  for (const c of charts) {
    const pad = one ? '    ' : '        ';
    const id = (s: string) => (one ? s : `${c.name}_${s}`);
    if (one) lines.push(`    %% ${c.name} (${c.source})`);
    else lines.push(`    state "${c.name} (${c.source})" as ${c.name} {`);
    if (!one) for (const s of c.states) lines.push(`${pad}state "${s.name}" as ${id(s.name)}`);
    lines.push(`${pad}[*] --> ${id(c.initial)}`);
    for (const e of c.edges) lines.push(`${pad}${id(e.from)} --> ${id(e.to)} : ${edgeLabel(e)}`);
    for (const s of c.states) if (s.final) lines.push(`${pad}${id(s.name)} --> [*]`);
    if (!one) lines.push('    }');
  }
  return lines.join('\n') + '\n';
}

const esc = (s: string) => s.replace(/["\\]/g, '\\$&');
const q = (s: string) => `"${esc(s)}"`;

/**
 * Graphviz DOT; several charts become one cluster each. Node ids are `<machine>.<state>`, edge
 * ids `<machine>.<from>.<to>` (the initial pseudo-state is `[*]`). `compact` (the viewer's
 * small charts, which have captions of their own) leaves out the title and labels each edge
 * with its events' short names only.
 */
export function toDot(charts: Chart[], { compact = false } = {}): string {
  const one = charts.length === 1;
  const lines = [
    `digraph ${q(one ? charts[0]!.name : 'daxsim')} {`,
    '  rankdir=LR;',
    '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=12];',
    '  edge [fontname="Helvetica", fontsize=9, color="#555555"];',
  ];
  for (const c of charts) {
    const pad = one ? '  ' : '    ';
    if (!one) lines.push(`  subgraph ${q(`cluster_${c.name}`)} {`, `    label=${q(`${c.name} (${c.source})`)};`, '    fontname="Helvetica";');
    else if (!compact) lines.push(`  label=${q(`${c.name} (${c.source})`)};`, '  labelloc=t;', '  fontname="Helvetica";');
    const node = (s: string) => q(`${c.name}.${s}`);
    lines.push(`${pad}${node('[*]')} [id=${node('[*]')}, shape=point, width=0.12, label=""];`);
    for (const s of c.states) {
      lines.push(`${pad}${node(s.name)} [id=${node(s.name)}, label=${q(s.name)}${s.final ? ', peripheries=2' : ''}];`);
    }
    lines.push(`${pad}${node('[*]')} -> ${node(c.initial)} [id=${q(`${c.name}.[*].${c.initial}`)}];`);
    // One edge per pair of states, its label one line per transition.
    const pairs = new Map<string, Edge[]>();
    for (const e of c.edges) {
      const k = `${e.from}.${e.to}`;
      const list = pairs.get(k);
      if (list === undefined) pairs.set(k, [e]);
      else list.push(e);
    }
    for (const [k, list] of pairs) {
      const { from, to } = list[0]!;
      const texts = compact ? [...new Set(list.map((e) => e.event.slice(e.event.indexOf('.') + 1)))] : list.map(edgeLabel);
      const label = `"${texts.map(esc).join('\\n')}"`;
      const kernel = [...new Set(list.map((e) => e.kernel))].join(', ');
      lines.push(`${pad}${node(from)} -> ${node(to)} [id=${q(`${c.name}.${k}`)}, label=${label}, tooltip=${q(kernel)}];`);
    }
    if (!one) lines.push('  }');
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
