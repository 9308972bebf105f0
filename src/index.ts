// daxsim's public entry for embedding: the machines, the log format, replay and verify.
export { daxDeviceMachine, DAX_DEVICE_SYMBOL, type DaxDeviceContext, type DaxDeviceEvent } from '../machines/dax_device.ts';
export { daxSrcuMachine, DAX_SRCU_SYMBOL, type DaxSrcuContext, type DaxSrcuEvent } from '../machines/dax_srcu.ts';
export { Kernel, FailSites, type KernelConfig } from '../machines/kernel.ts';
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
