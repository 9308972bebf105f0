// drivers/dax/pmem.c at 7b6be8444e0f (the parent commit's file, including "device-dax.h"):
// dax_pmem_probe from step 11 on (kernel-semantics.md §7). Steps 1-10 (namespace checks,
// mem region, percpu_ref, memremap_pages) are taken to succeed; their devm actions have no
// effect the log can see, so they are not modelled.
import type { DaxPmemProbe } from './events.ts';
import { alloc_dax_region, dax_region_put, devm_create_dev_dax, pfnFlags } from './device.ts';
import type { FailSites, Kernel, Sleeps } from './kernel.ts';
import { u64 } from '../src/values.ts';

/**
 * Runs under device_lock(parent), as the driver core probes. A failed probe runs the devres
 * actions and clears drvdata (really_probe). NULL from devm_create_dev_dax gives 0: the probe
 * "succeeds" with no device.
 */
export function* dax_pmem_probe(k: Kernel, e: DaxPmemProbe, fail: FailSites): Sleeps {
  const parent = k.parent(e.parent);
  yield* parent.lock(k);
  parent.driver = 'dax_pmem';
  const dataoff = e.dataoff ?? 0n;
  const start = u64(e.start + dataoff); // res.start += pfn_sb->dataoff
  const size = u64(e.size - dataoff);
  const region = alloc_dax_region(k, parent, e.id ?? 0n, start, size, e.align ?? 0x200000n, pfnFlags('PFN_DEV|PFN_MAP'), fail);
  let rc: string | 0 = '-ENOMEM';
  if (region !== null) {
    const dev = yield* devm_create_dev_dax(k, region, [{ start, size }], e.dev, fail, ['event', 'dev']);
    dax_region_put(k, region);
    rc = typeof dev === 'string' && dev !== 'NULL' ? dev : 0;
    k.hit(dev === 'NULL' ? 'dax_pmem_probe:no_device' : rc === 0 ? 'dax_pmem_probe:ok' : 'dax_pmem_probe:create_fails');
  } else k.hit('dax_pmem_probe:no_region');
  if (rc !== 0) yield* parent.releaseAll();
  parent.unlock();
  return rc;
}
