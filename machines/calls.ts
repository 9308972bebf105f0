// The shapes kernel functions share: what a sleeping call yields (Wait), the calls by event
// type (CallTable), RCU callbacks, and the failure-injection sites of a call (FailSites).
import type { EventType, FailSite, KernelEvent } from './events.ts';
import type { Kernel } from './kernel.ts';
import { refuse, type Ret } from './outcome.ts';

/** Where a sleeping task waits, and when it can go on. */
export interface Wait {
  /** The kernel function it sleeps in, for people: "synchronize_srcu", "device_lock(pfn0)". */
  readonly where: string;
  ready(): boolean;
  /** Runs when the task is woken, before its call resumes. */
  wake?(): void;
}

/** A kernel function that may sleep is a generator that yields what it waits for. */
export type Sleeps = Generator<Wait, Ret, void>;
export type KernelCall<E extends KernelEvent = KernelEvent> = (k: Kernel, e: E, fail: FailSites) => Ret | Sleeps;
export type CallTable<T extends EventType> = { [K in T]: KernelCall<Extract<KernelEvent, { type: K }>> };

/** RCU callbacks queued by call_rcu, run by the next grace period. */
export interface RcuCallback {
  name: string;
  run: () => void;
}

/** The failure-injection sites a call lists; each listed site fails the call's next reach of it. */
export class FailSites {
  private readonly left: (FailSite | undefined)[];
  constructor(list: FailSite[] | undefined) {
    this.left = list === undefined ? [] : [...list];
  }
  /** The call reached `site`: true when it must fail there. */
  take(site: FailSite): boolean {
    const i = this.left.indexOf(site);
    if (i < 0) return false;
    this.left[i] = undefined;
    return true;
  }
  /** A call that lists no site (the common case) shares this one. */
  static readonly NONE = new FailSites(undefined);
  /** Log error for the first listed site the call never reached. */
  checkReached(line?: number): void {
    const i = this.left.findIndex((s) => s !== undefined);
    if (i >= 0) refuse(['event', 'fail', i], `event.fail: this call never reaches the site ${JSON.stringify(this.left[i])}`, line);
  }
}
