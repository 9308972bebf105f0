// Builds dist/, everything the package runs (package.json's prepare script: `npm ci`,
// `npm install` and `npm pack` run it):
//   dist/daxsim.mjs  the command line, bundled so that `daxsim` starts without compiling
//                    TypeScript (bin/daxsim.js runs it; in a checkout only while it is newer
//                    than every source file, and the sources through tsx otherwise);
//   dist/viewer.js   the browser program `daxsim view` inlines into its page;
//   dist/esm, dist/cjs  the library (scripts/build-lib.mjs).
// dist/ is emptied first, so a module removed from the sources leaves nothing behind.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildLibrary } from './build-lib.mjs';
import { viewerBuildOptions } from './viewer.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The command's source map (1.4 MB) helps in a checkout only: a packed build leaves it out.
const packing = ['pack', 'publish'].includes(process.env.npm_command ?? '');

rmSync(join(root, 'dist'), { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: ['src/bin.ts'],
  outfile: join(root, 'dist', 'daxsim.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: packing ? false : 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  // jsonc-parser's main entry is a UMD build that requires its own files at run time.
  mainFields: ['module', 'main'],
  // Loaded on demand by inspect, view and diagram only, from node_modules: the replay starts
  // without parsing them (Graphviz's WebAssembly alone is 1.2 MB).
  external: ['esbuild', '@viz-js/viz', '@statelyai/inspect', '@statelyai/inspect/server', 'ws'],
  // CommonJS dependencies bundled into an ES module still call require() for Node built-ins.
  banner: { js: "import { createRequire as __daxsimRequire } from 'node:module'; const require = __daxsimRequire(import.meta.url);" },
});

// The entry of explore's worker threads, alone: a worker starts without the command line.
await build({
  absWorkingDir: root,
  entryPoints: ['src/explore_worker.ts'],
  outfile: join(root, 'dist', 'explore_worker.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
  mainFields: ['module', 'main'],
  banner: { js: "import { createRequire as __daxsimRequire } from 'node:module'; const require = __daxsimRequire(import.meta.url);" },
});

await build({ ...viewerBuildOptions(root), outfile: join(root, 'dist', 'viewer.js') });

await buildLibrary(root);
