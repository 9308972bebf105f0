// A whole log read into memory, for the commands that need all of it before they start (the
// inspector paces its steps, the viewer embeds the text). Same checks and messages as the
// streaming commands: UTF-8, line length, and a file that cannot be read.
import { LogError } from '../errors.ts';
import { readLines } from '../io.ts';

/** The lines of `path` ('-' for standard input), line n at index n - 1; or a log error. */
export async function readLog(path: string): Promise<string[] | LogError> {
  const lines: string[] = [];
  try {
    await readLines(path, (text) => lines.push(text));
    return lines;
  } catch (e) {
    if (e instanceof LogError) return e;
    if (e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string') return new LogError(path, 0, 0, `cannot read: ${e.message}`);
    throw e;
  }
}

/** True for a line that holds an object (not blank, not a `#` comment). */
export function holdsObject(text: string): boolean {
  const t = text.trimStart();
  return t.length > 0 && t[0] !== '#';
}
