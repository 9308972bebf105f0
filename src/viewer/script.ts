// The viewer's program for `daxsim view`: dist/viewer.js, which `npm ci` builds, while it is
// newer than every source file; otherwise built now with esbuild's API and the same options
// (scripts/viewer.mjs), so an edited checkout never inlines a stale program.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The package's root: the nearest directory above this module with daxsim's package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'daxsim') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('bug: daxsim cannot find its own package.json');
    dir = up;
  }
}

function newest(root: string): number {
  let t = statSync(join(root, 'scripts', 'viewer.mjs')).mtimeMs;
  for (const dir of ['src', 'machines']) {
    for (const name of readdirSync(join(root, dir), { recursive: true })) t = Math.max(t, statSync(join(root, dir, String(name))).mtimeMs);
  }
  return t;
}

export async function viewerScript(): Promise<string> {
  const root = packageRoot();
  const dist = join(root, 'dist', 'viewer.js');
  // An installed package ships no sources (nor scripts/), so its program is never stale.
  const installed = !existsSync(join(root, 'src'));
  if (existsSync(dist) && (installed || statSync(dist).mtimeMs >= newest(root))) return readFileSync(dist, 'utf8');
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (e) {
    // An installed package without its devDependencies: the program it shipped with.
    if (existsSync(dist)) return readFileSync(dist, 'utf8');
    throw e;
  }
  const { viewerBuildOptions } = (await import(pathToFileURL(join(root, 'scripts', 'viewer.mjs')).href)) as {
    viewerBuildOptions(root: string): import('esbuild').BuildOptions;
  };
  const out = await esbuild.build({ ...viewerBuildOptions(root), write: false });
  return out.outputFiles[0]!.text;
}
