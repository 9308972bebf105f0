#!/usr/bin/env node
// The daxsim command. An installed package runs dist/daxsim.mjs, the bundle built before the
// package was packed, and nothing else: it ships no sources and needs no tsx.
//
// A checkout is told apart by its src/ directory (the package leaves it out). There the bundle
// that `npm ci` built runs while it is newer than every source file; after an edit the
// TypeScript sources run through tsx, a devDependency, so an edited checkout never runs stale
// code. DAXSIM_FROM_SOURCE=1 asks for the sources in a checkout whatever the times say.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'daxsim.mjs');
const checkout = existsSync(join(root, 'src'));

// Sub-directories (src/commands, src/viewer) count too. A walk: readdirSync's `recursive`
// option costs a few milliseconds of start-up on Node 20.
function newestSource(dir = root, names = ['src', 'machines']) {
  let newest = 0;
  for (const name of names) {
    const path = join(dir, name);
    const st = statSync(path);
    newest = Math.max(newest, st.isDirectory() ? newestSource(path, readdirSync(path)) : st.mtimeMs);
  }
  return newest;
}

/** Runs the sources through tsx; false when tsx cannot be loaded (dev dependencies left out). */
async function runSources() {
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    return false;
  }
  tsx.register();
  await import('../src/bin.ts');
  return true;
}

const built = existsSync(bundle);
const fresh = built && (!checkout || (process.env.DAXSIM_FROM_SOURCE !== '1' && statSync(bundle).mtimeMs >= newestSource()));

if (fresh || !(await runSources())) {
  if (!built) {
    process.stderr.write('daxsim: dist/daxsim.mjs is missing and tsx is not installed: run `npm ci` (or `npm run build`)\n');
    process.exit(2);
  }
  if (!fresh) process.stderr.write('daxsim: warning: tsx is not installed, so this runs dist/daxsim.mjs, which may be older than the sources\n');
  await import(pathToFileURL(bundle).href);
}
