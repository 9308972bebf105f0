// lib/idr.c (v4.12): the IDA as super.c and device.c use it through ida_simple_get /
// ida_simple_remove. ida_simple_get(ida, start, end) hands out the lowest free id in
// [start, end); end 0 means "up to the IDA maximum" 0x80000000. The allocator here is exact
// for start 0, which is the only start the DAX code uses.
//
// Invariants: every id below `next` that is not allocated sits in the min-heap `free`; ids at
// or above `next` were never handed out. So the lowest free id is min(free) when the heap is
// not empty, else `next`; both operations are O(log n).

export const IDA_MAX = 0x80000000;

export class Ida {
  private next = 0;
  private readonly free: number[] = []; // binary min-heap
  private readonly used = new Set<number>();

  /** ida_simple_get(ida, 0, end): the lowest free id, or -ENOSPC when none is below end. */
  get(end: number): number | '-ENOSPC' {
    const limit = end === 0 ? IDA_MAX : Math.min(end, IDA_MAX);
    const id = this.free.length > 0 ? this.free[0]! : this.next;
    if (id >= limit) return '-ENOSPC';
    if (id === this.next) this.next++;
    else this.pop();
    this.used.add(id);
    return id;
  }

  /** ida_simple_remove: false when the id was not allocated (the IDA then WARNs). */
  remove(id: number): boolean {
    if (!this.used.delete(id)) return false;
    this.push(id);
    return true;
  }

  has(id: number): boolean {
    return this.used.has(id);
  }

  get size(): number {
    return this.used.size;
  }

  private push(id: number): void {
    this.free.push(id);
    this.siftUp(this.free.length - 1);
  }

  private pop(): void {
    const last = this.free.pop()!;
    if (this.free.length > 0) {
      this.free[0] = last;
      this.siftDown(0);
    }
  }

  private siftUp(i: number): void {
    const h = this.free;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]! <= h[i]!) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  private siftDown(i: number): void {
    const h = this.free;
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
}
