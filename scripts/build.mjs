// Bundles the command line into dist/daxsim.mjs so that `daxsim` starts without compiling
// TypeScript at run time. Runs from `npm ci` / `npm install` (the prepare script). bin/daxsim.js
// uses the bundle only while it is newer than every source file, and tsx otherwise.
import { build } from 'esbuild';

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
  // CommonJS dependencies bundled into an ES module still call require() for Node built-ins.
  banner: { js: "import { createRequire as __daxsimRequire } from 'node:module'; const require = __daxsimRequire(import.meta.url);" },
});
