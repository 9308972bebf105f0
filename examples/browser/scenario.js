// The scenario the page runs: the race of the README as the kernel actor's events, each with the
// task that makes the call. Task A faults a 2 MiB page in inside its own read-side section; B's
// unregister_dev_dax waits in synchronize_srcu; A's unlock ends the grace period and wakes B,
// which zaps A's mapping; A's next access gets SIGBUS.
export const scenario = [
  { type: 'dax_pmem.probe', parent: 'pfn0', start: '4G', size: '4M' },
  { type: 'file.open', fd: 'f', dev: 'dax0.0', task: 'A' },
  { type: 'file.mmap', fd: 'f', vma: 'v', len: '4M', flags: 'MAP_SHARED', task: 'A' },
  { type: 'dax_srcu.read_lock', task: 'A' },
  { type: 'vma.fault', vma: 'v', off: '2M', size: 'PMD', write: true, task: 'A' },
  { type: 'dev_dax.unregister', dev: 'dax0.0', task: 'B' },
  { type: 'dax_srcu.read_unlock', task: 'A' },
  { type: 'vma.access', vma: 'v', off: '2M', task: 'A' },
];
