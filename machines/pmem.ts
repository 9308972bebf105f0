// drivers/dax/pmem.c at 7b6be8444e0f (the parent commit's file, including "device-dax.h"):
// dax_pmem_probe from step 11 on (kernel-semantics.md §7). Steps 1-10 (namespace checks,
// mem region, percpu_ref, memremap_pages) are taken to succeed; their devm actions have no
// effect the log can see, so they are not modelled.
import { device_unlock } from './base.ts';
import { alloc_dax_region, createFrame, dax_region_put } from './device.ts';
import type { EventOf } from './events.ts';
import type { ObjId } from './records.ts';
import { call, ret, type Sleeper } from './sleep.ts';
import type { Json } from './state.ts';
import { big, hex, u64 } from './u64.ts';

/** The probe's frame: the event's fields (u64s as hex). */
export function probeFrame(e: EventOf<'dax_pmem.probe'>): Record<string, Json> {
  return {
    parent: e.parent,
    id: hex(e.id ?? 0n),
    start: hex(e.start),
    size: hex(e.size),
    align: hex(e.align ?? 0x200000n),
    dataoff: hex(e.dataoff ?? 0n),
    dev: e.dev ?? null,
  };
}

/**
 * Runs under device_lock(parent), as the driver core probes. A failed probe runs the devres
 * actions and clears drvdata (really_probe). NULL from devm_create_dev_dax gives 0: the probe
 * "succeeds" with no device.
 */
export const dax_pmem_probe: Sleeper = (k, f, value) => {
  const parent = f.l['parent'] as string;
  switch (f.pc) {
    case 0:
      return call(f, 1, 'device_lock', { parent });
    case 1: {
      k.parentW(parent).driver = 'dax_pmem';
      const dataoff = big(f.l['dataoff'] as string);
      const start = u64(big(f.l['start'] as string) + dataoff); // res.start += pfn_sb->dataoff
      const size = u64(big(f.l['size'] as string) - dataoff);
      const args = { id: big(f.l['id'] as string), start, size, align: big(f.l['align'] as string), pfn_flags: 'PFN_DEV|PFN_MAP' } as const;
      const region = alloc_dax_region(k, parent, args);
      if (region === null) {
        k.hit('dax_pmem_probe:no_region');
        return fail(f, '-ENOMEM');
      }
      f.l['region'] = region.id;
      return call(f, 2, 'devm_create_dev_dax', createFrame(region.id, [{ start, size }], (f.l['dev'] as string | null) ?? undefined));
    }
    case 2: {
      dax_region_put(k, f.l['region'] as ObjId);
      const rc = typeof value === 'string' && value !== 'NULL' ? value : 0;
      k.hit(value === 'NULL' ? 'dax_pmem_probe:no_device' : rc === 0 ? 'dax_pmem_probe:ok' : 'dax_pmem_probe:create_fails');
      if (rc !== 0) return fail(f, rc);
      device_unlock(k, parent);
      return ret(0);
    }
    default:
      device_unlock(k, parent);
      return ret(f.l['rc'] as string);
  }
};

/** A failed probe: devres_release_all, then the lock goes and the errno is returned. */
function fail(f: Parameters<Sleeper>[1], rc: string) {
  f.l['rc'] = rc;
  return call(f, 3, 'devres_release_all', { parent: f.l['parent'] as string });
}

export const PMEM_SLEEPERS = { dax_pmem_probe };
