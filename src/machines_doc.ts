// docs/machines.md, written from the machine definitions (machines/registry.ts): for each
// machine, what it models, its states, the input it must be started with (the definition's root
// meta, machines/input.ts) and every transition with its event, guard, target, kernel function
// and description. `npm run docs` writes the file; test/machines_doc.test.ts holds it equal to
// what this gives, so the page cannot drift from the definitions.
import type { AnyStateMachine } from 'xstate';
import { KIND_TEXT, type InputSpec } from '../machines/input.ts';
import { MACHINES, type MachineEntry } from '../machines/registry.ts';
import { guardText } from './diagram.ts';

interface Node {
  key: string;
  type: string;
  description?: string;
  states: Record<string, Node>;
  transitions: Map<string, { target?: readonly Node[]; guard?: unknown; meta?: { kernel?: string }; description?: string }[]>;
  config: { initial?: string };
}

interface RootMeta {
  input?: InputSpec;
  example?: unknown;
  payload?: Record<string, string>;
}

/** The name a machine is exported under: daxDeviceMachine for dax_device. */
export function exportName(id: string): string {
  return `${id.replace(/_(.)/g, (_, c: string) => c.toUpperCase())}Machine`;
}

const code = (s: string) => `\`${s}\``;
/** A table cell: no line breaks, no unescaped pipes. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function section(entry: MachineEntry): string[] {
  const m: AnyStateMachine = entry.machine;
  const root = m.root as unknown as Node;
  const meta = (m.root.meta ?? {}) as RootMeta;
  const children = Object.values(root.states);
  const finals = children.filter((s) => s.type === 'final').map((s) => s.key);
  const name = exportName(m.id);
  const lines = [`## ${m.id}`, '', `${root.description ?? `${m.id} (${entry.source})`}.`, ''];
  const states = children.map((s) => `${code(s.key)}${s.key === root.config.initial ? ' (initial)' : ''}${s.type === 'final' ? ' (final)' : ''}`);
  lines.push(`States: ${states.join(', ')}.`, '');
  if (meta.input === undefined) {
    lines.push(`Input: none. \`createActor(${name}).start()\`.`, '');
  } else {
    lines.push(
      `Input, all required (a missing or mistyped field stops the actor with a \`MachineInputError\`):`,
      `\`createActor(${name}, { input: ${JSON.stringify(meta.example)} })\`.`,
      '',
      '| field | kind | meaning |',
      '|---|---|---|',
      ...Object.entries(meta.input).map(([k, f]) => `| ${code(k)} | ${cell(KIND_TEXT[f.kind])} | ${cell(f.doc)} |`),
      '',
    );
  }
  lines.push('| event | in | guard | to | kernel function | what happens |', '|---|---|---|---|---|---|');
  const row = (from: string, event: string, t: { target?: readonly Node[]; guard?: unknown; meta?: { kernel?: string }; description?: string }, own: string) => {
    const to = t.target?.[0]?.key;
    const guard = t.guard === undefined ? '' : code(guardText(t.guard));
    lines.push(`| ${code(event)} | ${from} | ${cell(guard)} | ${to === undefined ? `(${own})` : code(to)} | ${code(t.meta?.kernel ?? event)} | ${cell(t.description ?? '')} |`);
  };
  for (const s of children) for (const [event, list] of s.transitions) for (const t of list) row(code(s.key), event, t, 'stays');
  const anywhere = finals.length === 0 ? 'any state' : `any but ${finals.map(code).join(', ')}`;
  for (const [event, list] of root.transitions) for (const t of list) row(anywhere, event, t, 'stays');
  lines.push('');
  const payload = Object.entries(meta.payload ?? {});
  if (payload.length > 0) lines.push('What the events carry besides `type`:', '', ...payload.map(([e, what]) => `- ${code(e)}: ${what}`), '');
  return lines;
}

export function machinesDoc(): string {
  const lines = [
    '# The machines',
    '',
    '<!-- Written by `npm run docs` from the machine definitions (src/machines_doc.ts); test/machines_doc.test.ts holds it equal to them. -->',
    '',
    'Every kind of kernel object daxsim models is an XState machine that the package exports. Inside',
    'daxsim the kernel sends them their events as it runs a log\'s calls (docs/daxlog.md §3); each',
    'one also runs on its own, as any XState machine:',
    '',
    '```ts',
    "import { createActor } from 'xstate';",
    "import { daxDeviceMachine } from 'daxsim';",
    '',
    "const dev = createActor(daxDeviceMachine, { input: { minor: 0, private: 'a' } }).start();",
    "dev.send({ type: 'dax.kill' });",
    "dev.getSnapshot().value; // 'killing'",
    '```',
    '',
    'An event with no transition from the state the actor is in is ignored, as XState ignores it',
    '(`snapshot.can(event)` tells). A transition without a target keeps the state, "(stays)" below;',
    'one declared on the machine itself is taken in whichever state the actor is in ("any").',
    '',
    '| machine | export | models | states |',
    '|---|---|---|---|',
    ...MACHINES.map((e) => `| ${code(e.name)} | ${code(exportName(e.machine.id))} | ${cell(e.source)} | ${Object.keys(e.machine.root.states).map(code).join(', ')} |`),
    '',
  ];
  for (const e of MACHINES) lines.push(...section(e));
  return lines.join('\n').replace(/\n+$/, '\n');
}
