// The three tiers of daxsim (guide/style.md): kernel outcomes are data, divergences are
// returned values, and a log that cannot be replayed is a LogError. Only bugs throw anything
// else. `die` is the one way a LogError is raised; the public API catches it at its edge.
import { printable } from './text.ts';

/** A log that cannot be replayed; line 0 means the file as a whole (it cannot be read, say). */
export class LogError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    // The message goes to terminals: the file's name and the log text it quotes are anyone's.
    super(printable(line > 0 ? `${file}:${line}:${column}: ${reason}` : `${file}: ${reason}`));
    this.name = 'LogError';
  }
}

export function die(file: string, line: number, column: number, reason: string): never {
  throw new LogError(file, line, column, reason);
}

/** Runs f, returning a LogError it raises as a value; any other exception is a bug and passes. */
export function catchLogError<T>(f: () => T): T | LogError {
  try {
    return f();
  } catch (e) {
    if (e instanceof LogError) return e;
    throw e;
  }
}

/**
 * Misuse of the embedding API (src/embed.ts, src/actor.ts): a config, a step or a snapshot it
 * cannot take as given. The message says what was expected and what was found; `seq` is the
 * step it concerns, if any. The simulation is left as it was before the call that threw.
 */
export class DaxSimError extends Error {
  constructor(
    readonly reason: string,
    readonly seq?: number,
  ) {
    super(printable(seq === undefined ? reason : `step ${seq}: ${reason}`));
    this.name = 'DaxSimError';
  }
}
