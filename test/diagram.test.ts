// The statecharts: read from the machine definitions, written as Mermaid and DOT, rendered to
// SVG offline, and printed by `daxsim diagram`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, transition, type AnyStateMachine } from 'xstate';
import { STATE_NAMES } from '../machines/registry.ts';
import { chartOf, edgeLabel, MACHINES, toDot, toMermaid, type Chart } from '../src/diagram.ts';
import { renderSvg } from '../src/svg.ts';

const INPUT: Record<string, unknown> = {
  dax_device: { minor: 0, private: 'p' },
  dax_srcu: undefined,
  dax_region: { id: 0 },
  dev_dax: { name: 'dax0.0' },
  file: { dev: 'dax0.0', private: 'dax0.0' },
  vm_area: { start: 0x200000n, end: 0x400000n, pgoff: 0n, shared: true },
};
const charts = MACHINES.map(chartOf);
const chart = (name: string) => charts.find((c) => c.name === name)!;

const read = suite('chartOf');

read('has every state of every machine, the initial one first, the final ones marked', () => {
  for (const m of MACHINES) {
    const c = chartOf(m);
    const names = m.kind === 'dax_srcu' ? ['idle', 'reading', 'synchronizing'] : [...STATE_NAMES[m.kind]];
    assert.equal(c.states.map((s) => s.name), names, m.name);
    assert.is(c.initial, names[0], m.name);
    const finals = c.states.filter((s) => s.final).map((s) => s.name);
    assert.equal(finals, { dax_device: ['freed'], dax_srcu: [], dax_region: ['freed'], dev_dax: ['released'], file: [], vm_area: ['unmapped'] }[m.name], m.name);
  }
});

read('draws the transitions of the definitions, with guards, and root transitions from every live state', () => {
  const has = (c: Chart, from: string, to: string, label: string) =>
    assert.ok(c.edges.some((e) => e.from === from && e.to === to && edgeLabel(e) === label), `${c.name}: ${from} -> ${to} : ${label}`);
  has(chart('dax_device'), 'alive', 'killing', 'dax.kill');
  has(chart('dax_device'), 'destroyed', 'freed', 'rcu.callback');
  has(chart('dax_region'), 'active', 'freed', 'dax_region.put [last_reference]');
  has(chart('dev_dax'), 'registered', 'released', 'dev_dax.put_device [last_ref]');
  has(chart('dev_dax'), 'unregistered', 'released', 'dev_dax.put_device [last_ref]');
  has(chart('dax_srcu'), 'synchronizing', 'reading', 'dax_srcu.read_unlock [holds_read_lock && ends_every_wait && !last_reader]');
  assert.not.ok(chart('dev_dax').edges.some((e) => e.from === 'released'), 'nothing leaves a final state');
  assert.ok(chart('dax_device').edges.every((e) => e.kernel !== e.event), 'each event names its kernel function');
  assert.is(chart('dax_device').edges.find((e) => e.event === 'dax.put')!.kernel, 'put_dax');
});

read("every edge that is its event's only one from its state is a transition the machine takes", () => {
  let checked = 0;
  for (const m of MACHINES) {
    const machine = m.machine as AnyStateMachine;
    const context = createActor(machine, { input: INPUT[m.name] }).getSnapshot().context;
    const edges = chartOf(m).edges;
    const only = edges.filter((e) => e.guard === undefined && edges.filter((x) => x.from === e.from && x.event === e.event).length === 1);
    for (const e of only) {
      const [next] = transition(machine, machine.resolveState({ value: e.from, context }), { type: e.event } as never);
      assert.is(next.value, e.to, `${m.name}: ${e.from} + ${e.event}`);
      checked++;
    }
  }
  assert.ok(checked >= 12, `only ${checked} edges checked`);
});

read.run();

const write = suite('toMermaid and toDot');

write('Mermaid stateDiagram-v2 of one machine gives back its edges, start and final states', () => {
  for (const c of charts) {
    const lines = toMermaid([c]).trimEnd().split('\n');
    assert.is(lines[0], 'stateDiagram-v2');
    assert.ok(lines.includes(`    [*] --> ${c.initial}`), c.name);
    const edges = lines.map((l) => /^ {4}(\w+) --> (\w+) : (.+)$/.exec(l)).filter((m) => m !== null);
    assert.equal(edges.map((m) => [m[1], m[2], m[3]]), c.edges.map((e) => [e.from, e.to, edgeLabel(e)]), c.name);
    for (const s of c.states.filter((x) => x.final)) assert.ok(lines.includes(`    ${s.name} --> [*]`), `${c.name}: ${s.name} is final`);
    assert.ok(lines.slice(1).every((l) => /^ {4}(%%|\[\*\]|\w+ -->)/.test(l)), c.name);
  }
});

write('Mermaid of all machines nests one composite state per machine, ids prefixed', () => {
  const text = toMermaid(charts);
  for (const c of charts) {
    assert.ok(text.includes(`    state "${c.name} (${c.source})" as ${c.name} {`), c.name);
    for (const s of c.states) assert.ok(text.includes(`        state "${s.name}" as ${c.name}_${s.name}\n`), `${c.name}.${s.name}`);
  }
  assert.is((text.match(/\{$/gm) ?? []).length, (text.match(/^ {4}\}$/gm) ?? []).length);
});

write('DOT renders offline to SVG with a node per state and an edge per pair of states', async () => {
  for (const c of charts) {
    const svg = await renderSvg(toDot([c]));
    assert.match(svg, /<svg /);
    for (const s of c.states) assert.match(svg, new RegExp(`<g id="${c.name}\\.${s.name.replace(/[[\]*]/g, '\\$&')}" class="node">`));
    const pairs = new Set(c.edges.map((e) => `${e.from}.${e.to}`));
    assert.is((svg.match(/class="edge"/g) ?? []).length, pairs.size + 1, `${c.name}: edges and the initial arrow`);
  }
  const all = await renderSvg(toDot(charts));
  assert.is((all.match(/class="cluster"/g) ?? []).length, charts.length);
  assert.is(await renderSvg(toDot(charts)), all, 'the same bytes every time');
});

write.run();

const cli = suite('daxsim diagram');
const BIN = join(process.cwd(), 'bin', 'daxsim.js');
const daxsim = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, 'diagram', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

cli('prints one machine or all of them, in Mermaid by default, DOT or SVG', () => {
  assert.equal(daxsim(['dev_dax']), { code: 0, out: toMermaid([chart('dev_dax')]), err: '' });
  assert.equal(daxsim(['dax_srcu', '--format', 'dot']), { code: 0, out: toDot([chart('dax_srcu')]), err: '' });
  assert.is(daxsim([]).out, toMermaid(charts));
  const svg = daxsim(['--format', 'svg']);
  assert.is(svg.code, 0);
  assert.match(svg.out, /^<\?xml[\s\S]*<svg [\s\S]*<\/svg>\n$/);
  for (const m of MACHINES) assert.ok(svg.out.includes(`<title>cluster_${m.name}</title>`), m.name);
});

cli('writes to -o, and exits 2 for an unknown machine or format', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'daxsim-')), 'vm.svg');
  assert.is(daxsim(['vm_area', '-f', 'svg', '-o', out]).code, 0);
  assert.match(readFileSync(out, 'utf8'), /<g id="vm_area\.unmapped" class="node">/);
  const bad = daxsim(['dax']);
  assert.is(bad.code, 2);
  assert.is(bad.err, 'daxsim: no machine "dax"; the machines are dax_device, dax_srcu, dax_region, dev_dax, file, vm_area\n');
  assert.is(daxsim(['--format', 'png']).code, 2);
});

cli('the README shows the real output of daxsim diagram dax_device', () => {
  const readme = readFileSync('README.md', 'utf8');
  const at = readme.indexOf('$ npx daxsim diagram dax_device\n');
  assert.ok(at >= 0);
  const shown = readme.slice(at).split('\n').slice(1).join('\n');
  assert.is(shown.slice(0, shown.indexOf('```')), daxsim(['dax_device']).out);
});

cli.run();
