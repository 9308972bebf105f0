// Writes traces/explore/race-FxR.jsonl: the teardown race of kernel-semantics.md §4 as a
// scenario for `daxsim explore`, the same race as ../shared/anchors/spin/dax_race.pml. A 4 MiB
// device aligned to 2 MiB is probed, opened and mapped in the setup; then F faulting tasks each
// do R read-side sections (lock, a PMD fault on their page, unlock), one task unregisters the
// device, and one opener opens, maps, touches and closes it.
import { writeFileSync } from 'node:fs';

export function race(f: number, r: number): string {
  const lines: object[] = [
    { daxlog: 1, note: `race ${f}x${r}: ${f} faulting tasks of ${r} read sections each, an unregister and an opener (kernel-semantics.md §4); no interleaving may oops, WARN, deadlock or break an invariant` },
    { event: { type: 'dax_pmem.probe', parent: 'pfn0', start: '0x100000000', size: '4M' } },
    { event: { type: 'file.open', fd: 'f', dev: 'dax0.0' } },
    { event: { type: 'file.mmap', fd: 'f', vma: 'v', len: '4M', flags: 'MAP_SHARED' } },
  ];
  for (let i = 0; i < f; i++) {
    for (let n = 0; n < r; n++) {
      const task = `F${i}`;
      lines.push({ task, event: { type: 'dax_srcu.read_lock' } });
      lines.push({ task, event: { type: 'vma.fault', vma: 'v', off: i % 2 === 0 ? '0' : '2M', size: 'PMD', write: true } });
      lines.push({ task, event: { type: 'dax_srcu.read_unlock' } });
    }
  }
  lines.push({ task: 'U', event: { type: 'dev_dax.unregister', dev: 'dax0.0' } });
  lines.push({ task: 'O', event: { type: 'file.open', fd: 'g', dev: 'dax0.0' } });
  lines.push({ task: 'O', event: { type: 'file.mmap', fd: 'g', vma: 'w', len: '2M', flags: 'MAP_SHARED' } });
  lines.push({ task: 'O', event: { type: 'vma.access', vma: 'w', off: '0x1000' } });
  lines.push({ task: 'O', event: { type: 'file.close', fd: 'g' } });
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [f, r] of [[2, 2], [3, 2], [4, 3]] as const) writeFileSync(`traces/explore/race-${f}x${r}.jsonl`, race(f, r));
}
