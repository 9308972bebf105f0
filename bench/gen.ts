// Deterministic generator of benchmark daxlogs: `devices` pmem namespaces of 1 GiB (2 MiB
// align), the first 64 opened and mapped whole, then a mix of steps in which `access` (a
// fraction) are loads and stores at random offsets (first touches fault in a PMD, later ones
// hit), and the rest are read-side sections around direct faults, alloc/kill/put cycles of bare
// dax_devices, grace periods, and, rarely, unmap and remap of a device's mapping.
import { createWriteStream } from 'node:fs';
import { mulberry32 as rng } from '../src/rng.ts';

export interface GenOptions {
  steps: number;
  devices: number;
  /** Fraction of the steps after the set-up that are vma.access. */
  access: number;
  /**
   * Whether the other steps include alloc/kill/put cycles of bare dax_devices and grace
   * periods (default); without, they are read-side sections around faults and remaps only.
   */
  churn?: boolean;
  seed?: number;
}

const GIB = 0x40000000;

/** Yields the log's lines (header first). */
export function* generate(o: GenOptions): Generator<string> {
  const rand = rng(o.seed ?? 1);
  const pick = (n: number) => Math.floor(rand() * n);
  const line = (task: string, event: object) => JSON.stringify({ task, event });
  yield JSON.stringify({ daxlog: 1, config: { nr_dax: Math.max(256, o.devices + 256) }, note: `bench: ${o.steps} steps, ${o.devices} devices` });
  let n = 0;
  const setup: string[] = [];
  for (let i = 0; i < o.devices; i++) {
    const start = '0x' + (0x100000000 + i * GIB).toString(16);
    setup.push(line('main', { type: 'dax_pmem.probe', parent: `pfn${i}`, id: i, start, size: '1G', align: '2M' }));
    if (setup.length + n >= o.steps) break;
  }
  const mapped = Math.min(o.devices, 64);
  for (let i = 0; i < mapped; i++) {
    setup.push(line('main', { type: 'file.open', fd: `f${i}`, dev: `dax${i}.0` }));
    setup.push(line('main', { type: 'file.mmap', fd: `f${i}`, vma: `v${i}`, len: '1G', flags: 'MAP_SHARED' }));
  }
  for (const l of setup) {
    if (n++ >= o.steps) return;
    yield l;
  }
  // Bare dax_devices come from a pool of 256 names, as a recorded log reuses its names: a name
  // is free again once the grace period after its put has run. At most 200 are alive at once,
  // so alloc_dax always finds a minor.
  const free = Array.from({ length: 256 }, (_, i) => `x${i}`);
  const live: string[] = [];
  let putSinceGracePeriod: string[] = [];
  const first = n;
  let accesses = 0;
  while (n < o.steps) {
    const task = ['A', 'B', 'C', 'D'][pick(4)]!;
    const dev = pick(mapped);
    // Accesses are exactly the asked share of the steps so far (an other step can be three).
    if (accesses < o.access * (n - first + 1)) {
      accesses++;
      const off = '0x' + (pick(GIB / 4096) * 4096 + pick(4096)).toString(16);
      yield line(task, { type: 'vma.access', vma: `v${dev}`, off, ...(rand() < 0.3 ? { write: true } : {}) });
      n++;
      continue;
    }
    const kind = o.churn === false ? [0, 5][pick(2)]! : pick(6);
    if (kind === 0) {
      yield line('R', { type: 'dax_srcu.read_lock' });
      yield line('R', { type: 'vma.fault', vma: `v${dev}`, off: '0x' + (pick(512) * 0x200000).toString(16), size: 'PMD' });
      yield line('R', { type: 'dax_srcu.read_unlock' });
      n += 3;
    } else if ((kind === 1 || kind === 2) && live.length < 200 && free.length > 0) {
      const h = free.shift()!;
      yield line('main', { type: 'dax.alloc', dax: h });
      live.push(h);
      n++;
    } else if (kind === 3 && live.length > 0) {
      const h = live.shift()!;
      yield line('main', { type: 'dax.kill', dax: h });
      yield line('main', { type: 'dax.put', dax: h });
      putSinceGracePeriod.push(h);
      n += 2;
    } else if (kind === 4) {
      yield line('main', { type: 'rcu.grace_period' });
      free.push(...putSinceGracePeriod);
      putSinceGracePeriod = [];
      n++;
    } else if (kind === 5 && rand() < 0.01) {
      // A device's mapping is now and then torn down and made again: its 512 PMDs fault anew.
      yield line('main', { type: 'vma.munmap', vma: `v${dev}` });
      yield line('main', { type: 'file.mmap', fd: `f${dev}`, vma: `v${dev}`, len: '1G', flags: 'MAP_SHARED' });
      n += 2;
    }
  }
}

/** Writes a generated log to path. */
export async function writeLog(path: string, o: GenOptions): Promise<void> {
  const out = createWriteStream(path);
  let buf = '';
  for (const l of generate(o)) {
    buf += l + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  out.end(buf);
  await new Promise<void>((r) => out.once('finish', () => r()));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [path, steps, devices, access] = process.argv.slice(2);
  await writeLog(path!, { steps: Number(steps ?? 200000), devices: Number(devices ?? 64), access: Number(access ?? 0.9) });
}
