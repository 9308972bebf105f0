// What the viewer shows, computed by replaying the log where the viewer runs (the browser):
// each step's result, and after it the state of every object (the dax_srcu domain, then each
// object by the label it has then), the tasks left blocked, and what changed. Browser-safe:
// no node: imports.
import type { Kernel } from '../../machines/kernel.ts';
import type { KernelState } from '../../machines/state.ts';
import { LogError } from '../errors.ts';
import { splitLines } from '../log.ts';
import { Replayer, type StepResult, type Summary } from '../replay.ts';

export interface ObjectRow {
  /** Stable across steps, while the label may change (`dax0.0` becomes `dax0.0~1`). */
  key: number;
  label: string;
  /** The daxlog kind, or dax_srcu for the global domain. */
  kind: string;
  /** The state name; for a NULL or ERR_PTR result, the pointer ("NULL", "-ENOMEM"). */
  state: string;
  /** False for a handle bound to NULL or an ERR_PTR. */
  object: boolean;
  /** The machine context as `name=value` pairs (live objects only). */
  fields: string;
}

export interface ViewStep {
  result: StepResult;
  /** Every object after the step, in the registry's order (rebuilt on demand, see buildView). */
  readonly objects: ObjectRow[];
  /** Tasks asleep after the step. */
  blocked: Summary['blocked'];
  /** Keys of the rows whose state changed in the step (new objects included). */
  changed: Set<number>;
  /** Keys of the rows whose fields, but not state, changed. */
  touched: Set<number>;
  /** For each changed row, the state it left (undefined for a new object). */
  before: Map<number, string | undefined>;
}

export interface View {
  file: string;
  note?: string;
  tasks: string[];
  steps: ViewStep[];
  summary?: Summary;
  error?: LogError;
}

/** A row with where it sorts: its handle's first binding, then 0 for the holder, n for `~n`. */
interface Placed extends ObjectRow {
  place: number;
  sub: number;
}

/** Full rows kept every CHECKPOINT steps; between them each step keeps only what it changed. */
const CHECKPOINT = 128;

/**
 * Replays the log and records, per step, only the rows of the handles the step touched (the
 * objects it changed or made, and the handles its event names, whose holders may have been
 * displaced or dropped), so building the view costs what the replay costs and its memory grows
 * with the changes, not with objects times steps. The rows of a step are put together when it
 * is shown, from the last full set of rows before it.
 */
export function buildView(text: string, file: string): View {
  const r = new Replayer(file);
  const view: View = { file, tasks: [], steps: [] };
  const nullKeys = new WeakMap<object, number>();
  let nulls = 0;
  const places = new Map<string, number>();
  const rows = new Map<number, Placed>();
  /** The keys of the rows each handle has (its holder and its displaced objects). */
  const keysOf = new Map<string, number[]>();
  const deltas: { rows: Placed[]; removed: number[] }[] = [];
  const checkpoints: Placed[][] = [];
  const SRCU_KEY = 0;

  const rowsOfHandle = (k: Kernel, handle: string): Placed[] => {
    const s = k.s;
    let place = places.get(handle);
    if (place === undefined) places.set(handle, (place = places.size));
    const out: Placed[] = [];
    const b = s.handles[handle];
    if (b !== undefined) {
      if (typeof b === 'number') out.push(objectRow(s, b, place, 0));
      else {
        // A handle bound to NULL or an ERR_PTR is never displaced: only live objects are.
        let key = nullKeys.get(b);
        if (key === undefined) nullKeys.set(b, (key = -++nulls));
        out.push({ key, label: handle, kind: b.kind, state: b.ptr, object: false, fields: '', place, sub: 0 });
      }
    }
    const older = s.displaced[handle];
    if (older !== undefined) for (const n of Object.keys(older).map(Number).sort((x, y) => x - y)) out.push(objectRow(s, older[n]!, place, n));
    return out;
  };

  const rowsAt = (i: number): ObjectRow[] => {
    const c = Math.floor(i / CHECKPOINT);
    const at = new Map(checkpoints[c]!.map((row) => [row.key, row]));
    for (let j = c * CHECKPOINT + 1; j <= i; j++) {
      for (const key of deltas[j]!.removed) at.delete(key);
      for (const row of deltas[j]!.rows) at.set(row.key, row);
    }
    return [...at.values()].sort((a, b) => a.place - b.place || a.sub - b.sub);
  };

  try {
    splitLines(text, (line, n) => {
      // Displaced objects that became final last step leave the registry as this step begins.
      const retiring = r.model === undefined ? [] : r.model.s.retiring.map((id) => r.model!.s.objects[id]!.handle);
      const result = r.feed(line, n);
      const k = r.model!;
      if (result === undefined) return;
      if (!view.tasks.includes(result.step.task)) view.tasks.push(result.step.task);
      const srcu = k.s.srcu;
      const now: Placed[] = [{ key: SRCU_KEY, label: 'dax_srcu', kind: 'dax_srcu', state: srcu.value, object: true, fields: fields(srcu.context, k.s), place: -1, sub: 0 }];
      const removed: number[] = [];
      const affected = affectedHandles(k, result.step.input['event'] as Record<string, unknown>, rows, keysOf);
      for (const h of retiring) affected.add(h);
      for (const handle of affected) {
        const fresh = rowsOfHandle(k, handle);
        const keep = new Set(fresh.map((x) => x.key));
        for (const key of keysOf.get(handle) ?? []) if (!keep.has(key)) removed.push(key);
        keysOf.set(handle, [...keep]);
        now.push(...fresh);
      }
      const index = view.steps.length;
      const changed = new Set<number>();
      const touched = new Set<number>();
      const before = new Map<number, string | undefined>();
      const delta: Placed[] = [];
      for (const row of now) {
        const old = rows.get(row.key);
        if (old === undefined || old.state !== row.state) {
          changed.add(row.key);
          before.set(row.key, old?.state);
        } else if (old.fields !== row.fields) touched.add(row.key);
        else if (old.label === row.label) continue;
        rows.set(row.key, row);
        delta.push(row);
      }
      for (const key of removed) rows.delete(key);
      deltas.push({ rows: delta, removed });
      if (index % CHECKPOINT === 0) checkpoints.push([...rows.values()]);
      const step = {
        result,
        blocked: k.blockedTasks(),
        changed,
        touched,
        before,
        get objects(): ObjectRow[] {
          return rowsAt(index);
        },
      };
      view.steps.push(step);
    });
    view.summary = r.end();
  } catch (e) {
    if (!(e instanceof LogError)) throw e;
    view.error = e;
  }
  const note = r.model === undefined ? undefined : r.header?.note;
  if (note !== undefined) view.note = note;
  return view;
}

/** The row of an object, its fields read from its machine's context. */
function objectRow(s: KernelState, id: number, place: number, sub: number): Placed {
  const o = s.objects[id]!;
  return { key: id, label: o.label, kind: o.kind, state: o.value, object: true, fields: fields(o.context as object, s), place, sub };
}

/**
 * The handles whose rows a step may have changed: those of the objects it changed or made, and
 * those its event names (a creation binds one and may displace its holder), with their
 * dax_device handles (`<dev>/dax_dev`).
 */
function affectedHandles(k: Kernel, event: Record<string, unknown>, rows: Map<number, Placed>, keysOf: Map<string, number[]>): Set<string> {
  const out = new Set<string>();
  for (const id of k.record.touched?.keys() ?? []) {
    const o = k.s.objects[id];
    if (o !== undefined) out.add(o.handle);
    else {
      const row = rows.get(id);
      if (row !== undefined) out.add(row.label.replace(/~\d+$/, ''));
    }
  }
  for (const key of ['dax', 'parent', 'dev', 'fd', 'vma']) {
    const v = event[key];
    if (typeof v !== 'string') continue;
    out.add(v);
    out.add(`${v}/dax_dev`);
  }
  for (const h of [...out]) if (k.s.handles[h] === undefined && k.s.displaced[h] === undefined && (keysOf.get(h)?.length ?? 0) === 0) out.delete(h);
  return out;
}


/** Context fields that point at other objects (by id): shown by the object's label. */
const POINTERS = new Set(['region', 'dax', 'devdax', 'private', 'file']);

/** A context as `name=value` pairs: pointers by label, lists and records compactly. */
export function fields(ctx: object, s?: KernelState): string {
  return Object.entries(ctx)
    .map(([k, v]) => `${k}=${s !== undefined && POINTERS.has(k) && typeof v === 'number' ? (s.objects[v]?.label ?? `#${v}`) : value(v)}`)
    .join(' ');
}

function value(v: unknown): string {
  if (typeof v === 'bigint') return '0x' + v.toString(16);
  if (Array.isArray(v)) return `[${v.map(value).join(', ')}]`;
  if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k}: ${value(x)}`).join(', ')}}`;
  return v === null ? 'NULL' : String(v);
}
