// Turns abstract commands (test/arbitraries.ts) into a valid daxlog, one step at a time, by
// replaying as it goes: each command is resolved against the model the steps so far have built,
// following daxlog.md's rules for a valid log. A step names only handles the log created (of
// the right kind), creates objects only under handles that are unused or final, never comes
// from a blocked task, and lists a failure site only where the call is sure to reach it (the
// first site on its path, given what the model holds). A command with nothing to act on becomes
// the command that would make something (an access with no mapping, an mmap); one that has no
// valid form at all (every task blocked) is dropped. Anything the replay then rejects as a log
// error is a failure of the engine or of these files, and the property reports it.
//
// Ownership is respected where the kernel leaves it to the caller: put_dax only on devices from
// dax.alloc (a dev_dax owns its dax_device), dax_region_put only once per region from
// dax_region.alloc. Handle pools are disjoint per kind, since handles share one namespace.
import type { Cmd, GenConfig } from './arbitraries.ts';
import { stepFor } from './steps.ts';
import type { Kernel } from '../machines/kernel.ts';
import { Replayer, type ReplayOptions, type StepResult } from '../src/replay.ts';

export const TASKS = ['main', 'A', 'B', 'C'] as const;

export type Json = string | number | boolean | null | undefined | Json[] | { [k: string]: Json };
export type StepObject = { task: string; event: { type: string; [k: string]: Json } };

/** A log being generated: its lines so far and the replay of them. */
export class LogBuilder {
  readonly lines: string[] = [];
  readonly replayer: Replayer;
  readonly tasks: string[];
  /** Regions (by id) from dax_region.alloc whose caller reference the log has not yet put. */
  readonly owned = new Set<number>();
  /**
   * Invariants the log's own misuse may break: a region put beyond the caller's reference frees
   * it while the kernel still holds it, which the region invariant rightly reports.
   */
  readonly misused = new Set<string>();
  /** The steps of blocked tasks, by task. */
  private readonly sleeping = new Map<string, StepObject>();

  private readonly prefill: boolean;

  constructor(config: GenConfig, options: ReplayOptions = {}) {
    this.replayer = new Replayer('generated.jsonl', options);
    this.tasks = TASKS.slice(0, config.tasks);
    this.prefill = config.prefill;
    // A prefilled log runs with the smallest bound, 256 minors.
    const nr = config.prefill && (config.nr_dax ?? 32768) > 256 ? 256 : config.nr_dax;
    const c: Record<string, Json> = { nr_dax: nr, thp: config.thp, pud: config.pud, fs_dax: config.fs_dax };
    this.write(JSON.stringify({ daxlog: 1, config: c }));
  }

  /** The steps a log with `prefill` starts with: all minors but two taken. */
  prefillSteps(): StepObject[] {
    const n = this.prefill ? this.kernel.s.nrDax - 2 : 0;
    return Array.from({ length: n }, (_, i) => ({ task: 'main', event: { type: 'dax.alloc', dax: `m${i}` } }));
  }

  get kernel(): Kernel {
    return this.replayer.model!;
  }

  /** Resolves cmd into a step and replays it; undefined when it has no valid form now. */
  step(cmd: Cmd): StepResult | undefined {
    const s = stepFor(this, cmd);
    return s === undefined ? undefined : this.feed(s);
  }

  /**
   * A dev handle named by a call that sleeps (a probe waiting for device_lock): it is taken
   * when the call wakes, so no other step may take it meanwhile.
   */
  reserved(handle: string): boolean {
    for (const s of this.sleeping.values()) if (s.event['dev'] === handle) return true;
    return false;
  }

  feed(s: StepObject): StepResult {
    const bound = s.event.type === 'dax_region.put' ? this.kernel.s.handles[s.event['parent'] as string] : undefined;
    const before = typeof bound === 'number' ? bound : undefined;
    const r = this.write(JSON.stringify(s.task === 'main' ? { event: s.event } : s))!;
    if (r.out.blocked) this.sleeping.set(s.task, s);
    for (const w of r.out.woke ?? []) this.sleeping.delete(w.task);
    if (s.event.type === 'dax_region.put' && (before === undefined || !this.owned.has(before))) this.misused.add('region');
    if (before !== undefined) this.owned.delete(before);
    if (s.event.type === 'dax_region.alloc' && typeof r.out.ret === 'string' && r.out.ret !== 'NULL') {
      const id = this.kernel.s.handles[r.out.ret];
      if (typeof id === 'number') this.owned.add(id);
    }
    return r;
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }

  private write(line: string): StepResult | undefined {
    this.lines.push(line);
    return this.replayer.feed(line, this.lines.length);
  }
}
