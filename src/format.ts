// Human output of replay and verify. Each step names the kernel function it stands for; the
// details follow on indented lines. Colour comes from kleur, which honours NO_COLOR and is off
// when the output is not a terminal.
import kleur from 'kleur';
import { KERNEL_FUNCTION, type EventType } from '../machines/events.ts';
import { stringify } from './json.ts';
import type { Json } from './log.ts';
import type { StepResult, Summary } from './replay.ts';

const show = (v: unknown): string => (typeof v === 'string' ? v : stringify(v));

export function formatStep(r: StepResult): string {
  const { step, out } = r;
  const args = Object.entries(step.input['event'] as Record<string, Json>)
    .filter(([k]) => k !== 'type')
    .map(([k, v]) => `${k}=${show(v)}`)
    .join(' ');
  const head = `${kleur.dim(`#${step.seq} line ${step.line}`)} ${kleur.cyan(step.task)} ${kleur.bold(KERNEL_FUNCTION[step.event.type])}(${args})`;
  const result = out.blocked ? kleur.yellow('blocked') : out.oops !== undefined ? kleur.red('oops') : `= ${stringify(out.ret ?? null)}`;
  const lines = [`${head} ${result}`];
  const detail = (label: string, text: string) => lines.push(`    ${label.padEnd(9)}${text}`);
  for (const w of out.woke ?? []) {
    detail('woke', `${w.task} ${KERNEL_FUNCTION[w.type as EventType]} (line ${w.line}) ${w.oops !== undefined ? `oops: ${w.oops}` : `= ${stringify(w.ret ?? null)}`}`);
  }
  const states = Object.entries(out.state);
  if (states.length > 0) detail('state', states.map(([h, s]) => `${h}: ${s}`).join(', '));
  if (out.minor !== undefined) detail('minor', String(out.minor));
  if (out.attempts !== undefined && out.attempts.length > 0) detail('attempts', out.attempts.map(([s, v]) => `${s} ${v}`).join(', '));
  if (out.map !== undefined) detail('map', `${out.map} phys ${out.phys}`);
  for (const w of out.warn ?? []) detail('warn', kleur.yellow(w));
  for (const l of out.log ?? []) detail('log', l);
  if (out.oops !== undefined) detail('oops', kleur.red(out.oops));
  for (const d of r.diverged ?? []) {
    if (d.key === 'invariant') lines.push(kleur.red(`    ✗ invariant ${show(d.expected)} broken: ${show(d.actual)}`));
    else lines.push(kleur.red(`    ✗ ${d.key}: expected ${show(d.expected)}, got ${show(d.actual)}`));
  }
  return lines.join('\n') + '\n';
}

export function formatSummary(s: Summary): string {
  const parts = [`${s.steps} steps`, s.diverged === 0 ? 'no divergence' : `${s.diverged} diverged`];
  const blocked = s.blocked.map((b) => `task ${b.task} blocked in ${KERNEL_FUNCTION[b.type]} (line ${b.line}), sleeping in ${b.where}`);
  parts.push(blocked.length === 0 ? 'no task left blocked' : blocked.join(', '));
  return parts.join('; ') + '\n';
}
