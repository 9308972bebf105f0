// Invariants of the DAX core (issue 4), checked after every replayed step against the model's
// state and the step's outcome. Each check is written from kernel-semantics.md, not from the
// engine's own bookkeeping: readers are counted from the log's dax_read_lock / unlock steps
// (not from the dax_srcu machine), kills are seen as the dax_device's own events through the
// kernel's inspection hook, and objects are found from the handles outcomes report.
//
//   minors      a minor is never handed out while an earlier dax_device holding it is not
//               yet freed (§1 "Minor IDA", §3 "Minor reuse")
//   kill        kill_dax never completes while a reader that entered before it is inside (§4)
//   fault       no fault returns VM_FAULT_NOPAGE for a dax_device whose kill completed (§4)
//   free        a freed dax_device went through destroyed and a later grace period (§3)
//   region      a region is freed only after unbind (its devm action and sysfs group are gone)
//               and after its last dev_dax is released (§1, §6)
//   refcount    kref, device refs, cdev count and f_count never go below zero
//   final       an object in a final state never changes again (daxlog.md §2)
import type { AnyActorRef, InspectionEvent } from 'xstate';
import { DaxRegion, DevDax } from '../machines/device.ts';
import type { ObjectKind, StateName } from '../machines/events.ts';
import type { Kernel, KernelHooks } from '../machines/kernel.ts';
import { VmArea } from '../machines/mmap.ts';
import { KObject } from '../machines/objects.ts';
import { DaxDevice } from '../machines/super.ts';
import type { StepResult } from '../src/replay.ts';

export const FINAL: Record<ObjectKind, StateName> = { dax_device: 'freed', dev_dax: 'released', dax_region: 'freed', file: 'closed', mapping: 'unmapped' };

export interface Violation {
  invariant: 'minors' | 'kill' | 'fault' | 'free' | 'region' | 'refcount' | 'final';
  line: number;
  message: string;
}

interface Reader {
  id: number;
  task: string;
  line: number;
}
interface Kill {
  line: number;
  /** Readers inside when the kill stored alive = false. */
  readers: Reader[];
}
interface Tracked {
  state: StateName | null;
  destroyedAt?: number;
}
interface ActorEvent {
  ref: AnyActorRef;
  machine: string;
  event: string;
  context: Record<string, unknown>;
}

const COUNTS: Record<string, string[]> = { dax_region: ['kref'], dev_dax: ['refs', 'cdev'], file: ['fcount'] };

export class InvariantChecker {
  /** Give these to the Replayer (ReplayOptions.hooks) so kills are seen as they happen. */
  readonly hooks: KernelHooks = { inspect: (e) => this.inspect(e) };
  private events: ActorEvent[] = [];
  private readers: Reader[] = [];
  private nextReader = 0;
  private readonly tracked = new Map<KObject, Tracked>();
  /** Per dax_device actor: kills begun and not yet completed (oldest first), first completion. */
  private readonly kills = new Map<AnyActorRef, { pending: Kill[]; done?: number }>();
  /** Direct dax.kill calls that blocked, by "task@line". */
  private readonly killCalls = new Map<string, { dax: DaxDevice; kill: Kill }>();

  /** Checks the state after step r; the first violation found, if any. */
  after(k: Kernel, r: StepResult): Violation | undefined {
    const { line, task, event: e } = r.step;
    const out = r.out;
    const before = this.readers;
    if (out.oops === undefined && e.type === 'dax_srcu.read_lock') this.readers = [...before, { id: this.nextReader++, task, line }];
    if (out.oops === undefined && e.type === 'dax_srcu.read_unlock') {
      const i = before.map((x) => x.task).lastIndexOf(task);
      if (i >= 0) this.readers = before.filter((_, j) => j !== i);
    }
    const fail = (invariant: Violation['invariant'], message: string): Violation => ({ invariant, line, message: `line ${line}: ${message}` });

    for (const label of Object.keys(out.state)) {
      const o = k.objects.get(label); // a label with "~" is an older object, tracked already
      if (o instanceof KObject && !this.tracked.has(o)) this.tracked.set(o, { state: null });
    }
    const events = this.events;
    this.events = [];
    const completed: [AnyActorRef, Kill | undefined][] = [];
    for (const ev of events) {
      for (const key of COUNTS[ev.machine] ?? []) {
        const n = ev.context[key] as number;
        if (n < 0) return fail('refcount', `${ev.machine} ${ev.ref.id}: ${key} went below zero (${n}) on ${ev.event}`);
      }
      if (ev.machine !== 'dax_device') continue;
      const info = this.killsOf(ev.ref);
      if (ev.event === 'dax.kill') info.pending.push({ line, readers: before });
      if (ev.event === 'dax.kill_synchronized') {
        completed.push([ev.ref, info.pending.shift()]);
        info.done ??= line;
      }
    }
    for (const [ref, kill] of completed) {
      const v = kill && this.stillInside(kill);
      if (v !== undefined) return fail('kill', `kill_dax of ${ref.id} (begun at line ${kill!.line}) completed while ${v}`);
    }
    const v = this.killCall(k, r, before);
    if (v !== undefined) return fail('kill', v);

    const gp = e.type === 'rcu.grace_period';
    for (const [o, t] of this.tracked) {
      const now = o.state;
      if (now === t.state) continue;
      const was = t.state;
      t.state = now;
      if (was !== null && was === FINAL[o.kind]) return fail('final', `${o.kind} ${o.label} left its final state ${was} for ${now}`);
      if (o.kind === 'dax_device' && now === 'destroyed') t.destroyedAt = line;
      if (o.kind === 'dax_device' && now === 'freed') {
        if (t.destroyedAt === undefined) return fail('free', `dax_device ${o.label} was freed (from ${was}) without being destroyed first`);
        if (!gp) return fail('free', `dax_device ${o.label} was freed by ${e.type}, not by an RCU grace period after its destroy at line ${t.destroyedAt}`);
      }
      if (o instanceof DaxRegion && now === 'freed') {
        const why = this.regionHeld(o);
        if (why !== undefined) return fail('region', `region ${o.label} was freed while ${why}`);
      }
    }

    const minors = new Map<number, DaxDevice>();
    for (const o of this.tracked.keys()) {
      if (!(o instanceof DaxDevice) || o.state === 'freed') continue;
      const m = o.ctx.minor;
      const other = minors.get(m);
      if (other !== undefined) return fail('minors', `minor ${m} is held by both ${other.label} (${other.state}) and ${o.label} (${o.state})`);
      minors.set(m, o);
    }

    const nopage =
      (e.type === 'vma.fault' && out.ret === 'VM_FAULT_NOPAGE') || (e.type === 'vma.access' && out.attempts?.some(([, x]) => x === 'VM_FAULT_NOPAGE'));
    if (nopage) {
      const vma = k.objects.get((e as { vma: string }).vma);
      const dax = vma instanceof VmArea ? vma.file.dax : undefined;
      const done = dax?.live ? this.kills.get(dax.actor)?.done : undefined;
      if (done !== undefined && done < line) return fail('fault', `${e.type} on ${(vma as VmArea).label} returned VM_FAULT_NOPAGE for ${dax!.label}, whose kill completed at line ${done}`);
    }
    return undefined;
  }

  private inspect(e: InspectionEvent): void {
    if (e.type !== '@xstate.snapshot') return;
    const snap = e.snapshot as { machine?: { id: string }; context?: Record<string, unknown> };
    const machine = snap.machine?.id;
    if (machine === undefined || machine === 'dax_srcu') return;
    this.events.push({ ref: e.actorRef as AnyActorRef, machine, event: e.event.type, context: snap.context ?? {} });
  }

  private killsOf(ref: AnyActorRef): { pending: Kill[]; done?: number } {
    let info = this.kills.get(ref);
    if (info === undefined) this.kills.set(ref, (info = { pending: [] }));
    return info;
  }

  /** The first reader that was inside when kill began and is inside still, described. */
  private stillInside(kill: Kill): string | undefined {
    const r = kill.readers.find((x) => this.readers.some((y) => y.id === x.id));
    return r && `task ${r.task}'s dax_read_lock from line ${r.line} is still held`;
  }

  /** A direct dax.kill call: when it returns (now or when woken), its earlier readers are gone. */
  private killCall(k: Kernel, r: StepResult, before: Reader[]): string | undefined {
    const { line, task, event: e } = r.step;
    if (e.type === 'dax.kill' && r.out.oops === undefined) {
      const dax = k.objects.get(e.dax);
      if (dax instanceof DaxDevice) {
        const kill = { line, readers: before };
        if (r.out.blocked) this.killCalls.set(`${task}@${line}`, { dax, kill });
        else {
          const v = this.completeCall(dax, kill, line);
          if (v !== undefined) return v;
        }
      }
    }
    for (const w of r.out.woke ?? []) {
      const call = this.killCalls.get(`${w.task}@${w.line}`);
      if (call === undefined) continue;
      this.killCalls.delete(`${w.task}@${w.line}`);
      const v = this.completeCall(call.dax, call.kill, line);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  private completeCall(dax: DaxDevice, kill: Kill, line: number): string | undefined {
    if (dax.live) this.killsOf(dax.actor).done ??= line;
    const v = this.stillInside(kill);
    return v && `kill_dax(${dax.label}) from line ${kill.line} returned while ${v}`;
  }

  /** Why region must not be freed yet, if anything holds it. */
  private regionHeld(region: DaxRegion): string | undefined {
    const p = region.parent;
    if (p.devres.some((a) => a.target === region)) return `its devm action dax_region_unregister is still registered on ${p.name} (no unbind yet)`;
    if (p.group === region) return `its dax_region/ sysfs group is still on ${p.name}`;
    for (const o of this.tracked.keys()) {
      if (o instanceof DevDax && o.region === region && o.state !== 'released') return `${o.label} (${o.state}) still holds a reference`;
    }
    return undefined;
  }
}
