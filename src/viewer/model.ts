// What the viewer shows for one step, from the kernel's state before and after it (history.ts):
// the dax_srcu domain and every object by the label it has after the step, with its state and
// context as `replay --at` prints them (at.ts), what changed, and the page tables. Browser-safe:
// no node: imports.
import { labelled, type AnyRecord, type KernelState, type NullBinding } from '../../machines/state.ts';
import { contextText, objectAt } from '../at.ts';
import type { StepAt } from './history.ts';
import { pageTables, type PageTables } from './pgtable.ts';

export interface ObjectRow {
  /** Stable across steps, while the label may change (`dax0.0` becomes `dax0.0~1`): the object's id, 0 for dax_srcu. */
  key: number;
  label: string;
  /** The daxlog kind, or dax_srcu for the global domain. */
  kind: string;
  /** The state name; for a NULL or ERR_PTR result, the pointer ("NULL", "-ENOMEM"). */
  state: string;
  /** False for a handle bound to NULL or an ERR_PTR. */
  object: boolean;
  /** The context as `replay --at` prints it (`name=value` pairs), for live objects. */
  context: string;
}

export interface StepView extends StepAt {
  /** dax_srcu, then every object after the step, in the registry's order. */
  objects: ObjectRow[];
  /** Keys of the rows whose state changed in the step (new objects included). */
  changed: Set<number>;
  /** Keys of the rows whose context, but not state, changed. */
  touched: Set<number>;
  /** For each changed row, the state it left (undefined for a new object). */
  was: Map<number, string | undefined>;
  pages: PageTables;
}

/** Keys for NULL bindings (they have no id): negative, one per binding, for the page's life. */
const nullKeys = new WeakMap<NullBinding, number>();
let nulls = 0;
const nullKey = (b: NullBinding): number => {
  let k = nullKeys.get(b);
  if (k === undefined) nullKeys.set(b, (k = -++nulls));
  return k;
};

/** A row whose context is written out only when asked for: a page shows a few hundred of a state's objects. */
class Row implements ObjectRow {
  private text: string | undefined;
  constructor(
    readonly key: number,
    readonly label: string,
    readonly kind: string,
    readonly state: string,
    readonly object: boolean,
    private readonly s: KernelState,
    private readonly o: AnyRecord | undefined,
  ) {}

  get context(): string {
    return (this.text ??= contextOf(this.s, this.label, this.o));
  }
}

export function stepView(at: StepAt): StepView {
  const { before, after } = at;
  const changed = new Set<number>();
  const touched = new Set<number>();
  const was = new Map<number, string | undefined>();
  const srcu: ObjectRow = { key: 0, label: 'dax_srcu', kind: 'dax_srcu', state: after.srcu.value, object: true, context: contextText(after.srcu.context as never) };
  if (before.srcu.value !== after.srcu.value) {
    changed.add(0);
    was.set(0, before.srcu.value);
  } else if (before.srcu !== after.srcu && contextText(before.srcu.context as never) !== srcu.context) touched.add(0);
  const objects = [srcu];
  for (const [label, o] of labelled(after)) {
    if ('ptr' in o) {
      const key = nullKey(o);
      objects.push(new Row(key, label, o.kind, o.ptr, false, after, undefined));
      if (before.handles[o.handle] !== o) {
        changed.add(key);
        was.set(key, undefined);
      }
      continue;
    }
    const row = new Row(o.id, label, o.kind, o.value, true, after, o);
    objects.push(row);
    const old = before.objects[o.id];
    if (old === undefined || old.value !== o.value) {
      changed.add(o.id);
      was.set(o.id, old?.value);
    } else if (old !== o && contextOf(before, label, old) !== row.context) touched.add(o.id);
  }
  return { ...at, objects, changed, touched, was, pages: pageTables(before, after) };
}

/** An object's context as replay --at prints it (objectAt), or nothing for a NULL binding. */
function contextOf(s: KernelState, label: string, o: AnyRecord | undefined): string {
  const c = o === undefined ? undefined : objectAt(s, label, o).context;
  return c === undefined ? '' : contextText(c);
}
