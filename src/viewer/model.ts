// What the viewer shows, computed by replaying the log where the viewer runs (the browser):
// each step's result, and after it the state of every object (the dax_srcu domain, then each
// object by the label it has then), the tasks left blocked, and what changed. Browser-safe:
// no node: imports.
import { KObject } from '../../machines/objects.ts';
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
  objects: ObjectRow[];
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

export function buildView(text: string, file: string): View {
  const r = new Replayer(file);
  const view: View = { file, tasks: [], steps: [] };
  const keys = new WeakMap<object, number>();
  let made = 0;
  const keyOf = (o: object) => {
    let k = keys.get(o);
    if (k === undefined) keys.set(o, (k = ++made));
    return k;
  };
  let prev = new Map<number, ObjectRow>();
  try {
    splitLines(text, (line, n) => {
      const result = r.feed(line, n);
      const k = r.model!;
      if (result === undefined) return;
      if (!view.tasks.includes(result.step.task)) view.tasks.push(result.step.task);
      const srcu = k.srcu.getSnapshot();
      const objects: ObjectRow[] = [{ key: keyOf(k.srcu), label: 'dax_srcu', kind: 'dax_srcu', state: String(srcu.value), object: true, fields: fields(srcu.context) }];
      for (const [label, obj] of k.objects.labelled()) {
        const key = keyOf(obj);
        if (obj instanceof KObject) {
          const ctx = obj.live ? (obj.actor.getSnapshot() as { context: object }).context : undefined;
          objects.push({ key, label, kind: obj.kind, state: obj.state, object: true, fields: ctx === undefined ? '' : fields(ctx) });
        } else objects.push({ key, label, kind: obj.kind, state: obj.ptr, object: false, fields: '' });
      }
      const step: ViewStep = { result, objects, blocked: k.blockedTasks(), changed: new Set(), touched: new Set(), before: new Map() };
      for (const row of objects) {
        const old = prev.get(row.key);
        if (old === undefined || old.state !== row.state) {
          step.changed.add(row.key);
          step.before.set(row.key, old?.state);
        } else if (old.fields !== row.fields) step.touched.add(row.key);
      }
      prev = new Map(objects.map((o) => [o.key, o]));
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
