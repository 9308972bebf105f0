// What a page of `daxsim view` carries (one JSON object in the page), and how much of a log one
// page may hold. Browser-safe: no node: imports.
import type { KernelState } from '../../machines/state.ts';
import type { NamedViolation } from '../cex.ts';
import type { Summary } from '../replay.ts';
import type { Digest } from './digest.ts';

/**
 * The most steps one page holds. Past it a page grows past what a browser opens quickly (the
 * log's text is inside it, and the page replays the steps near its cursor from checkpoints it
 * makes as it goes); `view` then asks for a window with --from/--to. At this size the page of
 * the bench's log is 16 MB, opens in under 2 s and has replayed every step 2 s later
 * (bench/VIEW.md).
 */
export const MAX_PAGE_STEPS = 200_000;
/** The most bytes of log text one page holds (long notes make a few steps a large page). */
export const MAX_PAGE_BYTES = 24 << 20;
/**
 * The largest page written, the kernel's state before a part included (a part late in a log of
 * tens of thousands of devices starts from a state of tens of MB).
 */
export const MAX_PAGE_SIZE = 64 << 20;

export interface PageData {
  /** The log's name as the page shows it. */
  file: string;
  note?: string;
  /** The violation a counterexample of `daxsim explore` names in its header. */
  violation?: NamedViolation;
  /** The header line (its text and line number): the page replays from it. */
  header: { text: string; line: number };
  /** The steps the page holds, from..to (1-based, as seq counts them), of the log's `steps`. */
  from: number;
  to: number;
  steps: number;
  /**
   * The line of step `from`: the page's log text (logText, in its own element) is the log's
   * lines from there to the line of step `to`.
   */
  first: number;
  /** The kernel's state before step `from`, when that is not the first step. */
  state?: KernelState;
  digest: Digest;
  /** The whole log's summary (as replay ends), whatever part the page holds. */
  summary: Summary;
}

/** The page's data as the text of a `<script type="application/json">`: no `<` to end it early. */
export function encodeData(d: PageData): string {
  return JSON.stringify(d).replace(/</g, '\\u003c');
}

/**
 * Log text as the raw text of a `<script>` element that is not a program, so that the page holds
 * the log as it is rather than as a JSON string (a quarter larger: every quote escaped). Two
 * characters change, neither the meaning of a line. A `<` (which could end the element) is
 * written `\u003c`: in a valid log it can only be in a JSON string, where that is the same
 * character, or in a comment, which no one reads. A carriage return (which HTML reads as a line
 * break) becomes a space: JSON whitespace for JSON whitespace, and at a line's end, where a CRLF
 * log has one, a blank the reader skips too.
 */
export function encodeLogText(text: string): string {
  return text.replace(/</g, '\\u003c').replace(/\r/g, ' ');
}
