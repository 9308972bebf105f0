// Human output of replay and verify. Each step names the kernel function it stands for; the
// details follow on indented lines. Colour comes from kleur, which honours NO_COLOR and is off
// when the output is not a terminal. Everything taken from the log (arguments, handles, tasks,
// states, values, messages) goes through `printable` before it is coloured: a log's strings
// must not reach the terminal as escape sequences.
import kleur from 'kleur';
import { KERNEL_FUNCTION, type EventType } from '../machines/events.ts';
import { stringify } from './json.ts';
import type { Json } from './log.ts';
import type { StepResult, Summary } from './replay.ts';
import type { Outcome } from '../machines/outcome.ts';
import { HUMAN_DETAILS, type DetailKey } from './outcome_fields.ts';
import { printable } from './text.ts';

const show = (v: unknown): string => printable(typeof v === 'string' ? v : stringify(v));
const json = (v: unknown): string => printable(stringify(v));

/** The arguments of a call as the log wrote them: `vma=v off=2M` (printable). */
export function callArgs(event: Record<string, Json>): string {
  return Object.entries(event)
    .filter(([k]) => k !== 'type')
    .map(([k, v]) => `${printable(k)}=${show(v)}`)
    .join(' ');
}

/** What a call gave back, as replay prints it: `= 0`, `= "VM_FAULT_SIGBUS"`, blocked, oops. */
export function resultText(out: { blocked?: boolean; oops?: string; ret?: unknown }): string {
  return out.blocked ? 'blocked' : out.oops !== undefined ? 'oops' : `= ${json(out.ret ?? null)}`;
}

export function formatStep(r: StepResult): string {
  const { step, out } = r;
  const args = callArgs(step.input['event'] as Record<string, Json>);
  const head = `${kleur.dim(`#${step.seq} line ${step.line}`)} ${kleur.cyan(printable(step.task))} ${kleur.bold(KERNEL_FUNCTION[step.event.type])}(${args})`;
  const result = out.blocked ? kleur.yellow('blocked') : out.oops !== undefined ? kleur.red('oops') : resultText(out);
  const lines = [`${head} ${result}`];
  for (const { key, label } of HUMAN_DETAILS) for (const text of DETAILS[key](out)) lines.push(`    ${label.padEnd(9)}${text}`);
  for (const d of r.diverged ?? []) {
    if (d.key === 'invariant') lines.push(kleur.red(`    ✗ invariant ${show(d.expected)} broken: ${show(d.actual)}`));
    else lines.push(kleur.red(`    ✗ ${printable(d.key)}: expected ${show(d.expected)}, got ${show(d.actual)}`));
  }
  return lines.join('\n') + '\n';
}

/** The text of each detail line an outcome field gives (none when it has nothing to show). */
const DETAILS: { [K in DetailKey]: (out: Outcome) => string[] } = {
  woke: (out) => (out.woke ?? []).map((w) => `${printable(w.task)} ${KERNEL_FUNCTION[w.type as EventType]} (line ${w.line}) ${w.oops !== undefined ? `oops: ${printable(w.oops)}` : `= ${json(w.ret ?? null)}`}`),
  state: (out) => {
    const states = Object.entries(out.state);
    return states.length === 0 ? [] : [states.map(([h, s]) => `${printable(h)}: ${printable(String(s))}`).join(', ')];
  },
  minor: (out) => (out.minor === undefined ? [] : [String(out.minor)]),
  attempts: (out) => (out.attempts === undefined || out.attempts.length === 0 ? [] : [out.attempts.map(([s, v]) => `${s} ${v}`).join(', ')]),
  map: (out) => (out.map === undefined ? [] : [`${out.map} phys ${out.phys}`]),
  warn: (out) => (out.warn ?? []).map((w) => kleur.yellow(printable(w))),
  log: (out) => (out.log ?? []).map((l) => printable(l)),
  oops: (out) => (out.oops === undefined ? [] : [kleur.red(printable(out.oops))]),
};

export function formatSummary(s: Summary): string {
  const parts = [`${s.steps} steps`, s.diverged === 0 ? 'no divergence' : `${s.diverged} diverged`];
  const blocked = s.blocked.map((b) => `task ${printable(b.task)} blocked in ${KERNEL_FUNCTION[b.type]} (line ${b.line}), sleeping in ${b.where}`);
  parts.push(blocked.length === 0 ? 'no task left blocked' : blocked.join(', '));
  return parts.join('; ') + '\n';
}
