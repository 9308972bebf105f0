// The library that `import 'daxsim'` and `require('daxsim')` load (package.json's exports):
//   dist/esm/  tsc's output for src/index.ts and every module it reaches: one ES module and one
//              .d.ts per source file, laid out as the sources are (dist/esm/src, dist/esm/machines);
//   dist/cjs/  index.js, an esbuild bundle of the same entry as CommonJS, and a copy of the
//              declarations that TypeScript reads as CommonJS ones (dist/cjs/package.json says
//              "type": "commonjs"), so a require() is typed without an ESM/CJS mismatch.
// Dependencies stay imports in both, so an application shares its xstate with daxsim's machines.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

export async function buildLibrary(root) {
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (${r.error?.message ?? `exit ${r.status}`})`);

  const esm = join(root, 'dist', 'esm');
  const cjs = join(root, 'dist', 'cjs');
  mkdirSync(cjs, { recursive: true });
  writeFileSync(join(cjs, 'package.json'), '{ "type": "commonjs" }\n');
  cpSync(esm, cjs, { recursive: true, filter: (src) => !src.endsWith('.js') });
  await build({
    absWorkingDir: root,
    entryPoints: ['src/index.ts'],
    outfile: join(cjs, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    legalComments: 'none',
    logLevel: 'warning',
  });
}
