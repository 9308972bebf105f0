// Bundles the command line into dist/daxsim.mjs so that `daxsim` starts without compiling
// TypeScript at run time. Runs from `npm ci` / `npm install` (the prepare script). bin/daxsim.js
// uses the bundle only while it is newer than every source file, and tsx otherwise. Also builds
// dist/viewer.js, the browser program `daxsim view` inlines into its page.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { viewerBuildOptions } from './viewer.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

await build({
  entryPoints: ['src/bin.ts'],
  outfile: 'dist/daxsim.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
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

await build({ ...viewerBuildOptions(root), outfile: join(root, 'dist', 'viewer.js') });
