// daxsim diagram [MACHINE] --format mermaid|dot|svg: the statecharts, read from the machine
// definitions. Without MACHINE, all of them in one diagram (one composite state or cluster per
// machine). SVG is rendered here, offline, by Graphviz compiled to WebAssembly.
import { InvalidArgumentError } from 'commander';
import { chartOf, machineNamed, MACHINES, toDot, toMermaid } from '../diagram.ts';
import { LogError } from '../errors.ts';
import { outputTarget, replaceWith } from '../replace.ts';
import { renderSvg } from '../svg.ts';
import { logError, type DaxsimCommand, type Status } from './types.ts';

export type Format = 'mermaid' | 'dot' | 'svg';
const FORMATS: Format[] = ['mermaid', 'dot', 'svg'];

export async function diagram(machine: string | undefined, opts: { format: Format; output?: string }): Promise<Status> {
  const infos = machine === undefined ? [...MACHINES] : [machineNamed(machine)];
  if (infos[0] === undefined) {
    process.stderr.write(`daxsim: no machine ${JSON.stringify(machine)}; the machines are ${MACHINES.map((m) => m.name).join(', ')}\n`);
    return 2;
  }
  const charts = infos.map((m) => chartOf(m!));
  const text = opts.format === 'mermaid' ? toMermaid(charts) : opts.format === 'dot' ? toDot(charts) : await renderSvg(toDot(charts));
  if (opts.output === undefined) {
    process.stdout.write(text);
    return 0;
  }
  // As record and view write -o: never over a device or a directory, never half a file.
  const target = outputTarget(opts.output, undefined, 'the diagram');
  const error = target instanceof LogError ? target : replaceWith(opts.output, target, text);
  return error === undefined ? 0 : logError(error);
}

function format(v: string): Format {
  if (!(FORMATS as string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${FORMATS.join(', ')}`);
  return v as Format;
}

export const diagramCommand: DaxsimCommand = {
  register(program, exit) {
    program
      .command('diagram')
      .description('print the statecharts of the machines as Mermaid stateDiagram-v2, DOT, or SVG')
      .argument('[machine]', `one of ${MACHINES.map((m) => m.name).join(', ')} (default: all)`)
      .option('-f, --format <format>', 'mermaid, dot or svg', format, 'mermaid' as Format)
      .option('-o, --output <file>', 'write to this file (a regular file or a new one) instead of standard output')
      .action(async (machine: string | undefined, opts: { format: Format; output?: string }) => exit(await diagram(machine, opts)));
  },
};
