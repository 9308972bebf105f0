// Writing the file a user names with -o (record, view, diagram) so that no failure damages a
// file (daxlog.md §8 ruling 17). The output is written to a temporary file beside it and
// renamed over it only when complete: a log error, a full disk or an interrupt leaves what was
// there as it was, and no temporary file behind.
//
// Before anything is read, the target is checked. Refused: the log being read (by name, by a
// hard or symbolic link, or as standard input redirected from it), a directory, a device, a
// FIFO or a socket (renaming over a device would swap /dev/null for a regular file), and a
// symbolic link that leads nowhere. A symbolic link to a regular file is followed, as cp does:
// the file it points to is replaced and the link stays a link.
import { closeSync, fchmodSync, fchownSync, fstatSync, fsyncSync, lstatSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LogError } from './errors.ts';

/**
 * Where `output` may be written, as a path to rename over (a symbolic link resolved), or why it
 * may not. `input` is the log being read ('-' for standard input), if any; `what` names the
 * output in a refusal ("the recorded log").
 */
export function outputTarget(output: string, input: string | undefined, what: string): string | LogError {
  const refuse = (over: string) => new LogError(output, 0, 0, `refusing to write ${what} over ${over}; choose another -o`);
  let link: Stats;
  try {
    link = lstatSync(output);
  } catch (e) {
    return errno(e) === 'ENOENT' ? output : cannotWrite(output, e);
  }
  let st: Stats;
  try {
    st = statSync(output);
  } catch {
    return refuse('a symbolic link to nothing');
  }
  if (st.isDirectory()) return refuse('a directory');
  if (st.isCharacterDevice() || st.isBlockDevice()) return refuse('a device');
  if (st.isFIFO()) return refuse('a FIFO');
  if (!st.isFile()) return refuse('something that is not a regular file');
  const same = input === undefined ? undefined : sameAsInput(st, output, input);
  if (same !== undefined) return refuse(`its input${same}`);
  return link.isSymbolicLink() ? realpathSync(output) : output;
}

/**
 * Whether the regular file `st` is the log being read: undefined if not, else how (the empty
 * string when the two names are the same).
 */
function sameAsInput(st: Stats, output: string, input: string): string | undefined {
  let of: Stats;
  try {
    of = input === '-' ? fstatSync(0) : statSync(input);
  } catch {
    return undefined; // an input that cannot be read is reported as such when it is read
  }
  if (of.dev !== st.dev || of.ino !== st.ino) return undefined;
  if (input === '-') return ' (standard input reads it)';
  return input === output ? '' : ` (the same file as ${input})`;
}

/** The signals that end a run, and the status a shell gives for each (128 + the number). */
const INTERRUPTS: [NodeJS.Signals, number][] = [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
];

/**
 * A new file that replaces `target` when committed. Until then it is a temporary file beside
 * the target, removed by discard(), and by the handlers it installs for the signals that end
 * the process (which then exits with 128 + the signal's number). Errors are LogErrors naming
 * `output`, the path as the user wrote it.
 */
export class ReplacementFile {
  private readonly tmp: string;
  private fd: number | undefined;
  /** Whether the temporary file exists (created, and not yet renamed or removed). */
  private pending = false;
  private readonly traps: [NodeJS.Signals, () => void][];

  constructor(
    readonly output: string,
    private readonly target: string,
  ) {
    this.tmp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
    this.traps = INTERRUPTS.map(([signal, status]) => [signal, () => this.interrupted(signal, status)]);
    this.fd = this.attempt(() => openSync(this.tmp, 'wx', 0o666));
    this.pending = true;
    for (const [signal, trap] of this.traps) process.on(signal, trap);
    const fd = this.fd;
    this.attempt(() => keepOwnerAndMode(fd, target));
  }

  /** Appends text (UTF-8). A write that stops short (a full disk) is tried on, to its error. */
  write(text: string): void {
    const fd = this.fd!;
    const bytes = Buffer.from(text);
    for (let done = 0; done < bytes.length; ) done += this.attempt(() => writeSync(fd, bytes, done));
  }

  /** Puts the new file in the target's place. */
  commit(): void {
    const fd = this.fd!;
    this.attempt(() => {
      fsyncSync(fd);
      this.fd = undefined;
      closeSync(fd);
      renameSync(this.tmp, this.target);
    });
    this.pending = false;
    this.untrap();
  }

  /** Removes the temporary file, unless it was committed; safe to call more than once. */
  discard(): void {
    if (this.fd !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      try {
        closeSync(fd);
      } catch {
        // The file is being thrown away: an error closing it changes nothing.
      }
    }
    if (this.pending) rmSync(this.tmp, { force: true });
    this.pending = false;
    this.untrap();
  }

  private untrap(): void {
    for (const [signal, trap] of this.traps) process.off(signal, trap);
  }

  private interrupted(signal: NodeJS.Signals, status: number): never {
    this.discard();
    process.stderr.write(`daxsim: ${new LogError(this.output, 0, 0, `interrupted by ${signal}; nothing written`).message}\n`);
    process.exit(status);
  }

  /** Runs a file operation; its failure discards the file and becomes a LogError. */
  private attempt<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (errno(e) === undefined) throw e;
      this.discard();
      throw cannotWrite(this.output, e);
    }
  }
}

/** Writes all of `text` in the place of `target` (from outputTarget); a LogError if it cannot. */
export function replaceWith(output: string, target: string, text: string): LogError | undefined {
  let file: ReplacementFile | undefined;
  try {
    file = new ReplacementFile(output, target);
    file.write(text);
    file.commit();
    return undefined;
  } catch (e) {
    if (e instanceof LogError) return e;
    throw e;
  } finally {
    file?.discard();
  }
}

/**
 * The replaced file's mode and, when we may (as root), its owner: replacing a file must not
 * open a private log to others, or take it away from its owner.
 */
function keepOwnerAndMode(fd: number, target: string): void {
  let old: Stats;
  try {
    old = statSync(target);
  } catch {
    return; // a new file: the default mode, as for any file we create
  }
  // Permission bits only: a set-user-ID bit must not pass to content it was never given for.
  fchmodSync(fd, old.mode & 0o777);
  if (process.getuid?.() !== 0) return;
  try {
    fchownSync(fd, old.uid, old.gid);
  } catch {
    // A file system without owners (FAT) refuses: the new file has the owner all files there have.
  }
}

function cannotWrite(output: string, e: unknown): LogError {
  // Node's message ends with the call and the path ("..., open '/d/.x.123.tmp'"): the path
  // would name the temporary file, which the user never asked for.
  const reason = (e as Error).message.replace(/, \w+(?: '.*')?$/, '');
  return new LogError(output, 0, 0, `cannot write: ${reason}`);
}

function errno(e: unknown): string | undefined {
  const code = e instanceof Error ? (e as NodeJS.ErrnoException).code : undefined;
  return typeof code === 'string' ? code : undefined;
}
