// daxsim's public entry for embedding: the machines, the log format, replay and verify.
export { daxDeviceMachine, DAX_DEVICE_SYMBOL, type DaxDeviceContext, type DaxDeviceEvent } from '../machines/dax_device.ts';
export { daxSrcuMachine, DAX_SRCU_SYMBOL, type DaxSrcuContext, type DaxSrcuEvent } from '../machines/dax_srcu.ts';
export { daxRegionMachine, DAX_REGION_SYMBOL, type DaxRegionContext, type DaxRegionEvent } from '../machines/dax_region.ts';
export { devDaxMachine, DEV_DAX_SYMBOL, type DevDaxContext, type DevDaxEvent } from '../machines/dev_dax.ts';
export { fileMachine, FILE_SYMBOL, type FileContext, type FileEvent } from '../machines/file.ts';
export { vmAreaMachine, VM_AREA_SYMBOL, type VmAreaContext, type VmAreaEvent } from '../machines/vm_area.ts';
export { Kernel, FailSites, type KernelConfig } from '../machines/kernel.ts';
export { DEVICE_CALLS } from '../machines/device_calls.ts';
export { Ida } from '../machines/ida.ts';
export {
  EVENT_TYPES,
  FAIL_SITES,
  KERNEL_FUNCTION,
  STATE_NAMES,
  type EventType,
  type KernelEvent,
  type ObjectKind,
  type StateName,
} from '../machines/events.ts';
export type { Outcome, Ret, Woken } from '../machines/outcome.ts';
export { LogError } from './errors.ts';
export { DEFAULT_CONFIG, LogReader, parseLog, serialiseLog, serialiseStep, type Expect, type Header, type ParsedLog, type Step } from './log.ts';
export { diverges, type Divergence } from './expect.ts';
export { Replayer, replayText, type ReplayResult, type StepResult, type Summary } from './replay.ts';
export { verifyText, verifyStatus, type Verdict } from './verify.ts';
export { findLogs, recordFile, replayFile, verifyFile } from './files.ts';
