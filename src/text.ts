// Text from a log (or a file name) on its way to a terminal. A log is anyone's input: a string
// such as "\u001b]0;TITLE\u0007\u001b[2J" would retitle and clear the terminal of whoever
// replays it, a newline would forge an output line, and a right-to-left override would show
// text in another order than it is. So every place that echoes log text to a person passes it
// through `printable`, which writes such characters as JSON escapes (`\u001b`): visible, and
// what the character is called in the log itself.

/**
 * C0 controls (newline and tab included), DEL and the C1 controls (a terminal may take U+009B
 * as CSI), and the invisible or reordering characters: soft hyphen, zero-width and direction
 * marks, line and paragraph separators, bidirectional embeddings, overrides and isolates, word
 * joiner, byte order mark, interlinear annotation marks.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff\ufff9-\ufffb]/g;

const escape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** `s` with the characters a terminal would act on or not show written as `\uXXXX`. */
export function printable(s: string): string {
  return s.replace(UNPRINTABLE, escape);
}
