// DOT to SVG with Graphviz compiled to WebAssembly (@viz-js/viz): no network, no binary to
// install, the same bytes on every run. Loaded on first use, so commands that draw nothing
// never pay for it.
let viz: Promise<{ renderString(dot: string, options: { format: 'svg' }): string }> | undefined;

export async function renderSvg(dot: string): Promise<string> {
  viz ??= import('@viz-js/viz').then((m) => m.instance());
  return (await viz).renderString(dot, { format: 'svg' });
}
