// The package for browsers (package.json's "browser" condition, which bundlers such as esbuild
// take when they build for a page): everything src/index.ts exports except the functions that
// read and write files (findLogs, recordFile, replayFile, verifyFile), whose Node built-ins a
// page has not.
export { daxDeviceMachine, type DaxDeviceContext, type DaxDeviceEvent, type DaxDeviceState } from '../machines/dax_device.ts';
export { daxSrcuMachine, type DaxSrcuContext, type DaxSrcuEvent, type DaxSrcuState } from '../machines/dax_srcu.ts';
export { daxRegionMachine, type DaxRegionContext, type DaxRegionEvent, type DaxRegionState } from '../machines/dax_region.ts';
export { devDaxMachine, type DevDaxContext, type DevDaxEvent, type DevDaxState } from '../machines/dev_dax.ts';
export { fileMachine, type FileContext, type FileEvent, type FileState } from '../machines/file.ts';
export { vmAreaMachine, type VmAreaContext, type VmAreaEvent, type VmAreaState } from '../machines/vm_area.ts';
export { MACHINES, OBJECT_MACHINES, SRCU_MACHINE, STATE_NAMES, FINAL, type StateName, type MachineEntry } from '../machines/registry.ts';
export { compileMachine, UnsupportedMachine, type CompiledMachine } from '../machines/compile.ts';
export { MachineInputError, type InputField, type InputKind, type InputSpec } from '../machines/input.ts';
export { Kernel, DEFAULT_CONFIG, initialState, withDefaults, type BlockedTask, type KernelConfig, type KernelHooks, type KernelProgram, type PartialConfig } from '../machines/kernel.ts';
export { PROGRAM, CALLS } from '../machines/calls.ts';
export type { KernelState, StateConfig } from '../machines/state.ts';
export type { ObjectKind } from '../machines/records.ts';
export { EVENTS, EVENT_TYPES, FAIL_SITES, KERNEL_FUNCTION, type EventType, type EventOf, type KernelEvent } from '../machines/events.ts';
export type { Outcome, Ret, Woken } from '../machines/outcome.ts';
export { DaxSimError, LogError } from './errors.ts';
export { daxKernelLogic, type KernelActorContext, type KernelActorEvent, type KernelActorLogic, type KernelActorSnapshot, type StepInfo } from './actor.ts';
export { DaxSim, type ConfigInput, type LogEvent, type LogEventOf, type SimEvent, type SimOptions, type SimSnapshot, type StepInput, type U64Spelling } from './embed.ts';
export { LogReader, parseLog, serialiseLog, serialiseStep, type Expect, type Header, type ParsedLog, type Step } from './log.ts';
export { diverges, type Divergence } from './expect.ts';
export { Replayer, replayText, type ReplayOptions, type ReplayPoint, type ReplayResult, type StepResult, type Summary } from './replay.ts';
export { verifyText, verifyStatus, type Verdict } from './verify.ts';
