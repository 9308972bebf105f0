// The shape every kernel object has in the kernel's state (daxlog.md §2): an id (its creation
// order), its kind, the handle the log created it under and the label it has now (`<handle>` or
// `<handle>~n`), and its machine's state value and context. Pointers between objects are ids.

export type ObjId = number;

/** The kinds of object a log names, as daxlog.md §2 calls them. */
export type ObjectKind = 'dax_device' | 'dev_dax' | 'dax_region' | 'file' | 'mapping';

export interface ObjectRecord<K extends ObjectKind = ObjectKind, V extends string = string, C = unknown> {
  id: ObjId;
  kind: K;
  handle: string;
  label: string;
  value: V;
  context: C;
}
