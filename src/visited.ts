// The explorer's set of visited states: for each, 56 bits of its 64-bit hash and the sleep set
// (a bitmask of at most 7 task indices) it was explored with, in one 64-bit slot of an
// open-addressing table. The table grows by half when it is 80% full, so it is always more than
// half full: 8 bytes a slot, at most 16 bytes a state. A slot of zeros is empty.
//
// Sleep sets and a visited set together need one more rule (Godefroid): a state reached again
// with a smaller sleep set must still explore the moves its first visit left asleep. `visit`
// returns those moves, and keeps the intersection of the two sleep sets.

/** The most tasks whose moves a sleep set can hold here (the explorer uses none beyond). */
export const SLEEP_TASKS = 7;

export class VisitedSet {
  private slots: Uint32Array;
  private size_: number;
  private used = 0;

  constructor(capacity = 1 << 14) {
    this.size_ = capacity;
    this.slots = new Uint32Array(capacity * 2);
  }

  get size(): number {
    return this.used;
  }

  /**
   * Visits the state with hash (a, b), reached with sleep set `sleep`: -1 when it is new, else
   * the moves it must still explore (those its earlier visits left asleep and this one does
   * not; 0 when none).
   */
  visit(a: number, b: number, sleep: number): number {
    if (this.used * 5 >= this.size_ * 4) this.grow();
    const hi = (b & 0xffffff00) | 0x80; // never 0: an empty slot's second word is 0
    const s = this.slots;
    const n = this.size_;
    for (let i = this.start(a, hi, n); ; i = i + 1 === n ? 0 : i + 1) {
      const x = s[2 * i]!;
      const y = s[2 * i + 1]!;
      if (y === 0) {
        s[2 * i] = a;
        s[2 * i + 1] = hi | (sleep & 0x7f);
        this.used++;
        return -1;
      }
      if (x === a && (y & 0xffffff00) === (hi & 0xffffff00)) {
        const old = y & 0x7f;
        s[2 * i + 1] = (y & 0xffffff80) | (old & sleep);
        return old & ~sleep & 0x7f;
      }
    }
  }

  /** Adds the hash (a, b) with no sleep set; false when it was there already. */
  add(a: number, b: number): boolean {
    return this.visit(a, b, 0) === -1;
  }

  /** Bytes the table holds. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  private start(a: number, hi: number, n: number): number {
    return Math.floor(((Math.imul(a ^ hi, 0x9e3779b1) >>> 0) / 4294967296) * n);
  }

  private grow(): void {
    const old = this.slots;
    const n = Math.ceil(this.size_ * 1.5);
    const slots = new Uint32Array(n * 2);
    for (let j = 0; j < old.length; j += 2) {
      const a = old[j]!;
      const y = old[j + 1]!;
      if (y === 0) continue;
      let i = this.start(a, (y & 0xffffff00) | 0x80, n);
      while (slots[2 * i + 1] !== 0) i = i + 1 === n ? 0 : i + 1;
      slots[2 * i] = a;
      slots[2 * i + 1] = y;
    }
    this.slots = slots;
    this.size_ = n;
  }
}
