// The README's "As a library" section as a user types it: its console blocks hold `$ npm install
// …`, `$ cat FILE` followed by the file, and `$ node FILE` followed by what it prints. Read here
// once, for the README test (against the sources) and the package test (against the installed
// tarball, verbatim).

export interface LibrarySession {
  /** The `npm install` line, without `$ `. */
  install: string[];
  /** Each file shown by `cat`, by name. */
  files: Map<string, string>;
  /** Each `node FILE` and the output shown under it. */
  runs: { file: string; output: string }[];
}

export function librarySession(readme: string): LibrarySession {
  const start = readme.indexOf('\nAs a library');
  const section = readme.slice(start, readme.indexOf('\n---\n', start));
  const session: LibrarySession = { install: [], files: new Map(), runs: [] };
  for (const block of section.matchAll(/```console\n([\s\S]*?)```/g)) {
    let into: ((line: string) => void) | undefined;
    for (const line of block[1]!.split('\n').slice(0, -1)) {
      const command = /^\$ (\S+) ?(.*)$/.exec(line);
      if (command === null) {
        if (into === undefined) throw new Error(`README: a line before any command: ${line}`);
        into(line);
      } else if (command[1] === 'npm') {
        session.install.push(line.slice(2));
        into = undefined;
      } else if (command[1] === 'cat') {
        const name = command[2]!;
        session.files.set(name, '');
        into = (l) => session.files.set(name, session.files.get(name)! + l + '\n');
      } else if (command[1] === 'node') {
        const run = { file: command[2]!, output: '' };
        session.runs.push(run);
        into = (l) => void (run.output += l + '\n');
      } else throw new Error(`README: a command the tests do not know: ${line}`);
    }
  }
  return session;
}
