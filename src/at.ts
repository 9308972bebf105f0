// What `daxsim replay LOG --at N` shows (daxlog.md §9): after step N, every object's state and
// context, the dax_srcu domain, the page tables and the blocked tasks, read from the kernel's
// state. The same report serves scripts (--json, one object) and people; the viewer builds its
// object and page-table panels from the same pieces (objectAt, pageTableEntry, contextText), so
// the page and the command line cannot disagree.
import type { Kernel } from '../machines/kernel.ts';
import { labelled, leavesOf, type AnyRecord, type KernelState, type Leaf, type NullBinding } from '../machines/state.ts';

export interface AtObject {
  label: string;
  kind: string;
  state: string;
  context?: Record<string, unknown>;
}

export interface AtPageTableEntry {
  vma: string;
  size: string;
  start: string;
  end: string;
  phys: string;
  write: boolean;
}

export interface AtReport {
  step: number;
  line: number;
  objects: AtObject[];
  dax_srcu: { state: string; context: Record<string, unknown> };
  page_tables: AtPageTableEntry[];
  blocked: { task: string; type: string; line: number; where: string }[];
}

/** Context fields that point at other objects (by id): shown by the object's label. */
const POINTERS = new Set(['region', 'dax', 'devdax', 'private', 'file']);

function context(s: KernelState, ctx: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ctx)) out[k] = POINTERS.has(k) && typeof v === 'number' ? (s.objects[v]?.label ?? null) : v;
  return out;
}

/** One object, or a handle bound to NULL or an ERR_PTR, as the report lists it. */
export function objectAt(s: KernelState, label: string, o: AnyRecord | NullBinding): AtObject {
  return 'ptr' in o ? { label, kind: o.kind, state: o.ptr } : { label, kind: o.kind, state: o.value, context: context(s, o.context as object) };
}

export const SPAN = { PTE: 1n << 12n, PMD: 1n << 21n, PUD: 1n << 30n };

/** A page-table leaf as the report lists it: the vma's label, the virtual range, where it maps. */
export function pageTableEntry(s: KernelState, l: Leaf): AtPageTableEntry {
  return {
    vma: s.objects[l.vma]?.label ?? String(l.vma),
    size: l.size,
    start: l.base,
    end: '0x' + (BigInt(l.base) + SPAN[l.size]).toString(16),
    phys: l.phys,
    write: l.write,
  };
}

export function atReport(k: Kernel, step: number, line: number): AtReport {
  const s = k.s;
  return {
    step,
    line,
    objects: labelled(s).map(([label, o]) => objectAt(s, label, o)),
    dax_srcu: { state: s.srcu.value, context: s.srcu.context as unknown as Record<string, unknown> },
    page_tables: leavesOf(s).map((l) => pageTableEntry(s, l)),
    blocked: k.blockedTasks(),
  };
}

const value = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(value).join(', ')}]` : v !== null && typeof v === 'object' ? `{${Object.entries(v).map(([k, x]) => `${k}: ${value(x)}`).join(', ')}}` : v === null ? 'NULL' : String(v);

/** A context as the report prints it: `name=value` pairs. */
export function contextText(ctx: Record<string, unknown>): string {
  return Object.entries(ctx)
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(' ');
}

/** The report for people: a section each, one line per object, entry or task. */
export function formatAt(r: AtReport, escape: (s: string) => string = (s) => s): string {
  const lines = [`after step ${r.step} (line ${r.line})`, 'objects'];
  const w = Math.max(8, ...r.objects.map((o) => o.label.length));
  if (r.objects.length === 0) lines.push('  (none)');
  for (const o of r.objects) {
    const ctx = o.context === undefined ? '' : ` ${contextText(o.context)}`;
    lines.push(`  ${escape(o.label).padEnd(w)}  ${o.kind.padEnd(10)}  ${o.state.padEnd(12)}${escape(ctx)}`);
  }
  lines.push('dax_srcu', `  ${r.dax_srcu.state}  ${escape(contextText(r.dax_srcu.context))}`);
  lines.push('page tables');
  if (r.page_tables.length === 0) lines.push('  (none)');
  for (const p of r.page_tables) lines.push(`  ${escape(p.vma)}  ${p.size} ${p.start}-${p.end} -> ${p.phys}${p.write ? ' writable' : ' read-only'}`);
  lines.push('blocked');
  if (r.blocked.length === 0) lines.push('  (none)');
  for (const b of r.blocked) lines.push(`  ${escape(b.task)}  ${b.type} (line ${b.line}), sleeping in ${escape(b.where)}`);
  return lines.join('\n') + '\n';
}
