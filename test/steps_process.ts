// Resolvers for the process side (files and mappings) of generated logs: see test/steps.ts.
import { choose, FDS, free, hex, isState, K, M, misuse, none, opt, pick, VMAS, type Made, type Resolver } from './handles.ts';
import type { Cmd, Op } from './arbitraries.ts';
import type { Json } from './generate.ts';
import type { Kernel } from '../machines/kernel.ts';
import { OpenFile } from '../machines/chrdev.ts';
import { VmArea } from '../machines/mmap.ts';

export const PROCESS: Record<Extract<Op, `file.${string}` | `vma.${string}`>, Resolver> = {
  'file.open': (k, c) => {
    const fds = FDS.filter((h) => free(k, h));
    const nodes = [...k.nodes.keys()];
    if (fds.length === 0 || (nodes.length === 0 && !misuse(c.b))) return undefined;
    return [{ fd: pick(fds, c.a), dev: pick(misuse(c.b) ? [...nodes, 'dax0.0', 'dax9.9'] : nodes, c.b) }, none];
  },
  'file.close': (k, c) => {
    const fd = choose(k, FDS, 'file', c.a, isState('open'));
    return fd === undefined ? undefined : [{ fd }, none];
  },
  'file.mmap': (k, c) => mmap(k, c),
  'vma.munmap': (k, c) => {
    const h = choose(k, VMAS, 'mapping', c.a, isState('mapped'));
    if (h === undefined) return undefined;
    const v = k.objects.get(h);
    if (!(v instanceof VmArea) || v.state !== 'mapped') return [{ vma: h }, none];
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
  const fd = choose(k, FDS, 'file', c.a, (o) => o.state === 'open' && (o as OpenFile).priv !== null && (o as OpenFile).dax.ctx.alive);
  const vmas = VMAS.filter((h) => free(k, h));
  if (fd === undefined || vmas.length === 0) return undefined;
  const f = k.objects.get(fd);
  const dev = f instanceof OpenFile ? f.dev : undefined;
  const align = BigInt(dev?.region.align ?? 0x200000);
  const size = dev?.size ?? 4n * M;
  const len = BigInt.asUintN(64, pick([align, 2n * align, size, 3n * M, M, 4n * K, 2n * size], c.b));
  const pgoff = pick([undefined, undefined, undefined, align >> 12n, 1n], c.c);
  const mode = c.d % 10;
  const e: Record<string, Json> = { fd, vma: pick(vmas, c.a >> 2), len: hex(len), pgoff: opt(pgoff), flags: mode === 0 ? 'MAP_PRIVATE' : 'MAP_SHARED' };
  if (mode === 1) e['addr'] = '0x7e0000000000'; // a hint
  if (mode === 2) {
    // MAP_FIXED over an existing mapping's start or a free range, never splitting one in two.
    const addr = pick([...k.mm.vmas.map((v) => v.start), 0x7e0000000000n], c.d >> 4);
    const end = addr + ((len + 4n * K - 1n) & ~(4n * K - 1n));
    if (k.mm.overlapping(addr, end).every((v) => addr <= v.start || end >= v.end)) {
      e['flags'] = 'MAP_SHARED|MAP_FIXED';
      e['addr'] = hex(addr);
    }
  }
  return [e, none];
}

/** An offset into a mapping: inside it mostly, sometimes at or past its end (SIGSEGV). */
function offset(k: Kernel, h: string, n: number): bigint {
  const v = k.objects.get(h);
  const size = v instanceof VmArea && v.state === 'mapped' ? v.end - v.start : 4n * M;
  return pick([0n, 0x1000n, 0x200000n, 0x234567n, 0x40001000n, size - 1n, size, size / 2n], n);
}
