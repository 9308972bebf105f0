// The device-DAX and process events (daxlog.md §3) are added by the device-DAX work; until
// then the kernel refuses them as not modelled.
import type { CallTable, KernelCall } from './kernel.ts';
import type { EventType } from './events.ts';

export const DEVICE_CALLS: Partial<CallTable<EventType>> = {};
export type { KernelCall };
