#!/usr/bin/env node
// The daxsim command. It runs dist/daxsim.mjs, the bundle `npm ci` builds (scripts/build.mjs),
// while that bundle is newer than every source file; otherwise it runs the TypeScript sources
// through tsx, so an edited checkout never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'daxsim.mjs');

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

if (process.env.DAXSIM_FROM_SOURCE !== '1' && existsSync(bundle) && statSync(bundle).mtimeMs >= newestSource()) {
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/bin.ts');
}
