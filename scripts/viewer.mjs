// The esbuild options of the viewer's program, dist/viewer.js: the browser build of the replay
// and the machines that `daxsim view` inlines into its page. Shared by scripts/build.mjs and
// by `daxsim view` when it has to build the program itself (src/viewer/script.ts), so both
// give the same bytes.
import { join } from 'node:path';

export function viewerBuildOptions(root) {
  return {
    absWorkingDir: root,
    entryPoints: [join(root, 'src', 'viewer', 'app.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  };
}
