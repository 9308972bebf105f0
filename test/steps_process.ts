// Resolvers for the process side (files and mappings) of generated logs: see test/steps.ts.
import { choose, FDS, free, hex, isState, K, M, misuse, named, none, opt, pick, VMAS, type Made, type Resolver } from './handles.ts';
import type { Cmd, Op } from './arbitraries.ts';
import type { Json } from './generate.ts';
import type { Kernel } from '../machines/kernel.ts';
import type { AnyRecord } from '../machines/state.ts';
import type { FileRecord } from '../machines/file.ts';

/** A vma's bounds, when the handle names a mapped vma. */
function span(o: AnyRecord | undefined): { start: bigint; end: bigint } | undefined {
  return o?.kind === 'mapping' && o.value === 'mapped' ? { start: BigInt(o.context.start), end: BigInt(o.context.end) } : undefined;
}

export const PROCESS: Record<Extract<Op, `file.${string}` | `vma.${string}`>, Resolver> = {
  'file.open': (k, c) => {
    const fds = FDS.filter((h) => free(k, h));
    const nodes = Object.keys(k.s.nodes);
    if (fds.length === 0 || (nodes.length === 0 && !misuse(c.b))) return undefined;
    const dev = pick(misuse(c.b) ? [...nodes, 'dax0.0', 'dax9.9'] : nodes, c.b);
    return [{ fd: pick(fds, c.a), dev: c.c % 4 === 0 ? `/dev/${dev}` : dev }, none];
  },
  'file.close': (k, c) => {
    const fd = choose(k, FDS, 'file', c.a, isState('open'));
    return fd === undefined ? undefined : [{ fd }, none];
  },
  'file.mmap': (k, c) => mmap(k, c),
  'vma.munmap': (k, c) => {
    const h = choose(k, VMAS, 'mapping', c.a, isState('mapped'));
    if (h === undefined) return undefined;
    const v = span(named(k, h));
    if (v === undefined) return [{ vma: h }, none];
    const size = v.end - v.start;
    const cut = pick([4n * K, 2n * M, size / 2n, size], c.c);
    // A head (off 0, len < size) or a tail (off, to the end): daxlog v1 has no middle cuts.
    const e = pick([{}, { off: '0', len: hex(cut) }, { off: hex(cut) }, { off: hex(size) }], c.b);
    return [{ vma: h, ...e }, none];
  },
  'vma.fault': (k, c) => {
    const h = choose(k, VMAS, 'mapping', c.a, isState('mapped'));
    if (h === undefined) return undefined;
    return [{ vma: h, off: hex(offset(k, h, c.c)), size: pick(['PTE', 'PMD', 'PUD', 'PMD', 3], c.b), write: c.d % 2 === 0 }, none];
  },
  'vma.access': (k, c) => {
    const h = choose(k, VMAS, 'mapping', c.a, isState('mapped'));
    if (h === undefined) return undefined;
    return [{ vma: h, off: hex(offset(k, h, c.c)), write: c.d % 2 === 0 }, none];
  },
};

function mmap(k: Kernel, c: Cmd): Made {
  // Mostly a file of a live device; its mmap after a kill is -ENXIO, or an oops (scenario 43).
  const alive = (o: AnyRecord) => {
    const d = k.s.objects[(o as FileRecord).context.dax];
    return o.value === 'open' && (o as FileRecord).context.private !== null && d?.kind === 'dax_device' && d.value !== 'freed' && d.context.alive;
  };
  const fd = choose(k, FDS, 'file', c.a, alive);
  const vmas = VMAS.filter((h) => free(k, h));
  if (fd === undefined || vmas.length === 0) return undefined;
  const f = named(k, fd);
  const dev = f?.kind === 'file' ? k.s.objects[f.context.devdax] : undefined;
  const region = dev?.kind === 'dev_dax' ? k.s.objects[dev.context.region] : undefined;
  const align = BigInt(region?.kind === 'dax_region' ? region.context.align : 0x200000);
  const size = dev?.kind === 'dev_dax' ? dev.context.res.reduce((n, r) => n + BigInt(r.end) - BigInt(r.start) + 1n, 0n) : 4n * M;
  const len = BigInt.asUintN(64, pick([align, 2n * align, size, 3n * M, M, 4n * K, 2n * size], c.b));
  const pgoff = pick([undefined, undefined, undefined, align >> 12n, 1n], c.c);
  const mode = c.d % 10;
  const e: Record<string, Json> = { fd, vma: pick(vmas, c.a >> 2), len: hex(len), pgoff: opt(pgoff), flags: mode === 0 ? 'MAP_PRIVATE' : 'MAP_SHARED' };
  if (mode === 1) e['addr'] = '0x7e0000000000'; // a hint
  if (mode === 2) {
    // MAP_FIXED over an existing mapping's start or a free range, never splitting one in two.
    const spans = k.s.mm.vmas.map((id) => span(k.s.objects[id])!);
    const addr = pick([...spans.map((v) => v.start), 0x7e0000000000n], c.d >> 4);
    const end = addr + ((len + 4n * K - 1n) & ~(4n * K - 1n));
    if (spans.filter((v) => v.start < end && addr < v.end).every((v) => addr <= v.start || end >= v.end)) {
      e['flags'] = 'MAP_SHARED|MAP_FIXED';
      e['addr'] = hex(addr);
    }
  }
  return [e, none];
}

/** An offset into a mapping: inside it mostly, sometimes at or past its end (SIGSEGV). */
function offset(k: Kernel, h: string, n: number): bigint {
  const v = span(named(k, h));
  const size = v === undefined ? 4n * M : v.end - v.start;
  return pick([0n, 0x1000n, 0x200000n, 0x234567n, 0x40001000n, size - 1n, size, size / 2n], n);
}
