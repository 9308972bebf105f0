// What the viewer shows, computed by replaying the log where the viewer runs (the browser):
// each step's result, and after it the state of every object (the dax_srcu domain, then each
// object by the label it has then), the tasks left blocked, and what changed. Browser-safe:
// no node: imports.
import { KObject, type Named } from '../../machines/objects.ts';
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
 * Replays the log and records, per step, only the rows of the objects the step touched (and of
 * those the registry relabelled, retired or dropped), so building the view costs what the
 * replay costs and its memory grows with the changes, not with objects times steps. The rows of
 * a step are put together when it is shown, from the last full set of rows before it.
 */
export function buildView(text: string, file: string): View {
  const journal = new Set<Named>();
  const dropped = new Set<Named>();
  const r = new Replayer(file, {
    hooks: {
      journal: (obj, change) => {
        journal.add(obj);
        if (change === 'dropped') dropped.add(obj);
        else dropped.delete(obj);
      },
    },
  });
  const view: View = { file, tasks: [], steps: [] };
  const keys = new WeakMap<object, number>();
  let made = 0;
  const keyOf = (o: object) => {
    let k = keys.get(o);
    if (k === undefined) keys.set(o, (k = ++made));
    return k;
  };
  const places = new Map<string, number>();
  const rows = new Map<number, Placed>();
  const deltas: { rows: Placed[]; removed: number[] }[] = [];
  const checkpoints: Placed[][] = [];

  const rowOf = (obj: Named): Placed => {
    const handle = obj.handle;
    let place = places.get(handle);
    if (place === undefined) places.set(handle, (place = places.size));
    const key = keyOf(obj);
    // A handle bound to NULL or an ERR_PTR is never displaced: only live objects are.
    if (!(obj instanceof KObject)) return { key, label: handle, kind: obj.kind, state: obj.ptr, object: false, fields: '', place, sub: 0 };
    const sub = obj.label === handle ? 0 : Number(obj.label.slice(handle.length + 1));
    const ctx = obj.live ? (obj.actor.getSnapshot() as { context: object }).context : undefined;
    return { key, label: obj.label, kind: obj.kind, state: obj.state, object: true, fields: ctx === undefined ? '' : fields(ctx), place, sub };
  };

  const rowsAt = (i: number): ObjectRow[] => {
    const c = Math.floor(i / CHECKPOINT);
    const at = new Map(checkpoints[c]!.map((row) => [row.key, row]));
    for (let j = c * CHECKPOINT + 1; j <= i; j++) {
      for (const k of deltas[j]!.removed) at.delete(k);
      for (const row of deltas[j]!.rows) at.set(row.key, row);
    }
    return [...at.values()].sort((a, b) => a.place - b.place || a.sub - b.sub);
  };

  try {
    splitLines(text, (line, n) => {
      const result = r.feed(line, n);
      const k = r.model!;
      if (result === undefined) return;
      if (!view.tasks.includes(result.step.task)) view.tasks.push(result.step.task);
      const srcu = k.srcu.getSnapshot();
      const now: Placed[] = [{ key: keyOf(k.srcu), label: 'dax_srcu', kind: 'dax_srcu', state: String(srcu.value), object: true, fields: fields(srcu.context), place: -1, sub: 0 }];
      const seen = new Set<Named>();
      const removed: number[] = [];
      for (const obj of [...k.touched, ...journal]) {
        if (seen.has(obj)) continue;
        seen.add(obj);
        if (dropped.has(obj)) removed.push(keyOf(obj));
        else now.push(rowOf(obj));
      }
      journal.clear();
      dropped.clear();
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

/** A context as `name=value` pairs: bigints in hex, lists and records compactly. */
export function fields(ctx: object): string {
  return Object.entries(ctx)
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(' ');
}

function value(v: unknown): string {
  if (typeof v === 'bigint') return '0x' + v.toString(16);
  if (Array.isArray(v)) return `[${v.map(value).join(', ')}]`;
  if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k}: ${value(x)}`).join(', ')}}`;
  return v === null ? 'NULL' : String(v);
}
