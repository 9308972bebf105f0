// The one registry of the machines: for each kind of kernel object (and the global dax_srcu
// domain), its XState definition, the kernel source file it models, its state names and final
// states, and the table compiled from the definition that the replay runs. The diagram,
// coverage, viewer, inspector and tests all read the machines from here.
import type { AnyStateMachine } from 'xstate';
import { compileMachine, type CompiledMachine } from './compile.ts';
import { daxDeviceMachine, type DaxDeviceContext, type DaxDeviceEvent, type DaxDeviceState } from './dax_device.ts';
import { daxRegionMachine, type DaxRegionContext, type DaxRegionEvent, type DaxRegionState } from './dax_region.ts';
import { daxSrcuMachine, type DaxSrcuContext, type DaxSrcuEvent, type DaxSrcuState } from './dax_srcu.ts';
import { devDaxMachine, type DevDaxContext, type DevDaxEvent, type DevDaxState } from './dev_dax.ts';
import { fileMachine, type FileContext, type FileEvent, type FileState } from './file.ts';
import type { ObjectKind } from './records.ts';
import { vmAreaMachine, type VmAreaContext, type VmAreaEvent, type VmAreaState } from './vm_area.ts';

export interface MachineEntry<V extends string = string, C = unknown, E extends { type: string } = { type: string }> {
  /** The machine's id, as diagrams and the inspector name it. */
  name: string;
  /** The daxlog kind of its objects (daxlog.md §2); dax_srcu is the one global domain. */
  kind: ObjectKind | 'dax_srcu';
  /** Where the kernel has what the machine models. */
  source: string;
  /** The XState definition: the single source of the machine's behaviour. */
  machine: AnyStateMachine;
  /** The table compiled from the definition, which the replay runs. */
  compiled: CompiledMachine<V, C, E, never>;
  /** Each event the machine takes → the kernel function its transitions stand for (their meta). */
  symbols: Readonly<Record<string, string>>;
}

function entry<V extends string, C, E extends { type: string }>(machine: AnyStateMachine, kind: ObjectKind | 'dax_srcu', source: string): MachineEntry<V, C, E> {
  const compiled = compileMachine<V, C, E, never>(machine);
  return { name: machine.id, kind, source, machine, compiled, symbols: compiled.symbols };
}

/** The machine of each kind of object the log names. */
export const OBJECT_MACHINES = {
  dax_device: entry<DaxDeviceState, DaxDeviceContext, DaxDeviceEvent>(daxDeviceMachine, 'dax_device', 'drivers/dax/super.c'),
  dax_region: entry<DaxRegionState, DaxRegionContext, DaxRegionEvent>(daxRegionMachine, 'dax_region', 'drivers/dax/device.c'),
  dev_dax: entry<DevDaxState, DevDaxContext, DevDaxEvent>(devDaxMachine, 'dev_dax', 'drivers/dax/device.c'),
  file: entry<FileState, FileContext, FileEvent>(fileMachine, 'file', 'fs/char_dev.c, drivers/dax/device.c'),
  mapping: entry<VmAreaState, VmAreaContext, VmAreaEvent>(vmAreaMachine, 'mapping', 'mm/mmap.c, drivers/dax/device.c'),
} satisfies Record<ObjectKind, MachineEntry<string, unknown, never>>;

export const SRCU_MACHINE = entry<DaxSrcuState, DaxSrcuContext, DaxSrcuEvent>(daxSrcuMachine, 'dax_srcu', 'drivers/dax/super.c');

/** Every machine, in the order diagrams and viewers show them. */
export const MACHINES: readonly MachineEntry[] = [
  OBJECT_MACHINES.dax_device,
  SRCU_MACHINE,
  OBJECT_MACHINES.dax_region,
  OBJECT_MACHINES.dev_dax,
  OBJECT_MACHINES.file,
  OBJECT_MACHINES.mapping,
] as unknown as MachineEntry[];

/** The machine of that name (its id: dax_device, dax_srcu, dax_region, dev_dax, file, vm_area). */
export function machineNamed(name: string): MachineEntry | undefined {
  return MACHINES.find((m) => m.name === name);
}

export const OBJECT_KINDS = Object.keys(OBJECT_MACHINES) as ObjectKind[];

/** Object states as daxlog.md §2 names them, per kind of object. */
export const STATE_NAMES = Object.fromEntries(OBJECT_KINDS.map((k) => [k, OBJECT_MACHINES[k].compiled.states])) as {
  [K in ObjectKind]: readonly string[];
};
export type StateName = DaxDeviceState | DevDaxState | DaxRegionState | FileState | VmAreaState;

/** The state an object of a kind ends in (for a file, closed: the fd's end). */
export const FINAL: Record<ObjectKind, StateName> = {
  dax_device: 'freed',
  dev_dax: 'released',
  dax_region: 'freed',
  file: 'closed',
  mapping: 'unmapped',
};
