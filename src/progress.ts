// Progress of a long replay or verify on stderr: steps done, steps per second and the share of
// the file read, redrawn in place. Only for a terminal, only after about two seconds, and never
// under --json; it writes nothing to stdout, so output stays the same bytes.
import type { Writable } from 'node:stream';

export interface ProgressOptions {
  /** Total bytes of the input, when known (not for standard input). */
  total?: number | undefined;
  /** Milliseconds before the first report. */
  after?: number;
  now?: () => number;
}

export class Progress {
  private readonly start: number;
  private readonly now: () => number;
  private shown = false;
  private lastDraw = 0;

  constructor(
    private readonly out: Writable & { isTTY?: boolean },
    private readonly options: ProgressOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.start = this.now();
  }

  /** Whether anything will ever be drawn (a terminal). */
  get active(): boolean {
    return this.out.isTTY === true;
  }

  update(steps: number, bytes: number): void {
    if (!this.active) return;
    const t = this.now();
    const elapsed = t - this.start;
    if (elapsed < (this.options.after ?? 2000) || t - this.lastDraw < 200) return;
    this.lastDraw = t;
    this.shown = true;
    const rate = Math.round((steps / elapsed) * 1000);
    const pct = this.options.total ? `, ${((bytes / this.options.total) * 100).toFixed(1)}% of the file` : '';
    this.out.write(`\r\x1b[K${steps} steps, ${rate} steps/s${pct}`);
  }

  /** Clears the line if anything was drawn. */
  done(): void {
    if (this.shown) this.out.write('\r\x1b[K');
  }
}
