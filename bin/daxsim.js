#!/usr/bin/env node
// The daxsim command. It runs dist/daxsim.mjs, the bundle `npm ci` builds (scripts/build.mjs),
// while that bundle is newer than every source file; otherwise it runs the TypeScript sources
// through tsx, so an edited checkout never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'daxsim.mjs');

function newestSource() {
  let newest = 0;
  for (const dir of ['src', 'machines']) {
    for (const name of readdirSync(join(root, dir))) newest = Math.max(newest, statSync(join(root, dir, name)).mtimeMs);
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
