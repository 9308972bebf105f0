// lib/idr.c (v4.12): the IDA as super.c and device.c use it through ida_simple_get /
// ida_simple_remove, on plain data. ida_simple_get(ida, start, end) hands out the lowest free id
// in [start, end); end 0 means "up to the IDA maximum" 0x80000000. The allocator here is exact
// for start 0, the only start the DAX code uses.
//
// Invariants: every id below `next` that is not allocated sits in `free`, a binary min-heap;
// ids at or above `next` were never handed out. So the lowest free id is free[0] when the heap
// is not empty, else `next`; both operations are O(log n). The functions change the state they
// are given: callers own it (copy-on-write happens in the kernel).

export const IDA_MAX = 0x80000000;

export interface IdaState {
  next: number;
  /** Freed ids below next, as a binary min-heap. */
  free: number[];
}

/**
 * An empty heap that IDAs share until one frees an id (idaRemove gives it its own then; idaGet
 * takes nothing from an empty one): a log of 32768 probes makes 32768 region IDAs, nearly all of
 * which never free one.
 */
export const NO_FREE_IDS: number[] = Object.freeze([]) as unknown as number[];

export function newIda(): IdaState {
  return { next: 0, free: NO_FREE_IDS };
}

/** Whether id is allocated. */
export function idaHas(ida: IdaState, id: number): boolean {
  return id >= 0 && id < ida.next && !ida.free.includes(id);
}

/** ida_simple_get(ida, 0, end): the lowest free id, or -ENOSPC when none is below end. */
export function idaGet(ida: IdaState, end: number): number | '-ENOSPC' {
  const limit = end === 0 ? IDA_MAX : Math.min(end, IDA_MAX);
  const h = ida.free;
  const id = h.length > 0 ? h[0]! : ida.next;
  if (id >= limit) return '-ENOSPC';
  if (id === ida.next) ida.next++;
  else {
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      siftDown(h, 0);
    }
  }
  return id;
}

/** ida_simple_remove: false when the id was not allocated (the IDA then WARNs). */
export function idaRemove(ida: IdaState, id: number): boolean {
  if (!idaHas(ida, id)) return false;
  const h = ida.free === NO_FREE_IDS ? (ida.free = []) : ida.free;
  h.push(id);
  siftUp(h, h.length - 1);
  return true;
}

/** How many ids are allocated. */
export function idaSize(ida: IdaState): number {
  return ida.next - ida.free.length;
}

function siftUp(h: number[], i: number): void {
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (h[p]! <= h[i]!) break;
    [h[p], h[i]] = [h[i]!, h[p]!];
    i = p;
  }
}

function siftDown(h: number[], i: number): void {
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < h.length && h[l]! < h[m]!) m = l;
    if (r < h.length && h[r]! < h[m]!) m = r;
    if (m === i) return;
    [h[m], h[i]] = [h[i]!, h[m]!];
    i = m;
  }
}
