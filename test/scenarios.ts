// Small generated scenarios for the explorer's tests (test/footprint.test.ts checks the
// independence relation on every state of them, test/explore.test.ts the whole reduction).
import { LogError } from '../src/errors.ts';
import { mulberry32 } from '../src/rng.ts';
import { parseScenario, type Scenario } from '../src/scenario.ts';

// Generated scenarios: a probed device, a file and a mapping, then two or three tasks whose
// programs are made of pieces the footprints tell apart: read sections around faults, loads and
// alive checks at a few offsets and sizes, an open-mmap-load-close of the task's own, a close or
// a mapping of the shared file, and the unregister that waits for the readers. A step that is a
// log error in some order is skipped there, as the explorer does.
const SETUP = [
  '{"event":{"type":"dax_pmem.probe","parent":"pfn0","start":"0x100000000","size":"4M"}}',
  '{"event":{"type":"file.open","fd":"f","dev":"dax0.0"}}',
  '{"event":{"type":"file.mmap","fd":"f","vma":"v","len":"4M","flags":"MAP_SHARED"}}',
];

/**
 * The seeds of the generated scenarios the tests take: 1 to 150, or the range DAXSIM_SCENARIOS
 * names ("151-2000"), to look further.
 */
export const SEEDS: number[] = (() => {
  const m = /^(\d+)-(\d+)$/.exec(process.env['DAXSIM_SCENARIOS'] ?? '1-150');
  if (m === null) throw new Error(`DAXSIM_SCENARIOS: expected a range such as 151-2000, found ${process.env['DAXSIM_SCENARIOS']}`);
  return Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, i) => Number(m[1]) + i);
})();

export function generated(seed: number): Scenario {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  // One in three has only the probe in its setup: its first task opens and maps the shared
  // file, and may let it go again, so that the device can be released while others run.
  const bare = seed % 3 === 0;
  const lines = ['{"daxlog":1,"note":"generated"}', ...(bare ? SETUP.slice(0, 1) : SETUP)];
  const tasks = ['A', 'B', 'C'].slice(0, 2 + Math.floor(rand() * 2));
  const off = () => pick(['0', '0x1000', '2M', '0x201000']);
  const inside = () =>
    pick([
      () => ({ type: 'vma.fault', vma: 'v', off: off(), size: pick(['PTE', 'PMD']), write: rand() < 0.5 }),
      () => ({ type: 'vma.access', vma: 'v', off: off(), ...(rand() < 0.5 ? { write: true } : {}) }),
      () => ({ type: 'dax.alive', dax: 'dax0.0/dax_dev' }),
      () => ({ type: 'dax.get_private', dax: 'dax0.0/dax_dev' }),
      () => ({ type: 'dax_srcu.read_lock' }),
    ])();
  let unregisters = 0;
  for (const task of tasks) {
    const events: object[] = [];
    if (bare && task === 'A') events.push({ type: 'file.open', fd: 'f', dev: 'dax0.0' }, { type: 'file.mmap', fd: 'f', vma: 'v', len: '4M', flags: 'MAP_SHARED' });
    const pieces = 1 + Math.floor(rand() * 2);
    for (let p = 0; p < pieces; p++) {
      const r = rand();
      if (r < 0.45) {
        events.push({ type: 'dax_srcu.read_lock' });
        for (let i = Math.floor(rand() * 3); i > 0; i--) events.push(inside());
        events.push({ type: 'dax_srcu.read_unlock' });
      } else if (r < 0.6) {
        events.push({ type: 'file.open', fd: `${task}${p}`, dev: 'dax0.0' });
        if (rand() < 0.7) events.push({ type: 'file.mmap', fd: `${task}${p}`, vma: `${task}v${p}`, len: '2M', flags: 'MAP_SHARED' });
        if (rand() < 0.5) events.push({ type: 'vma.access', vma: `${task}v${p}`, off: '0x1000' });
        events.push({ type: 'file.close', fd: `${task}${p}` });
      } else if (r < 0.7) events.push({ type: 'file.close', fd: 'f' });
      else if (r < 0.8) events.push({ type: 'file.mmap', fd: 'f', vma: `${task}f${p}`, len: '2M', flags: 'MAP_SHARED' });
      else if (r < (bare ? 0.95 : 0.9) && unregisters++ === 0) events.push({ type: 'dev_dax.unregister', dev: 'dax0.0' });
      else events.push(inside());
    }
    if (bare && task === 'A' && rand() < 0.6) events.push({ type: 'vma.munmap', vma: 'v' }, { type: 'file.close', fd: 'f' });
    for (const event of events) lines.push(JSON.stringify({ task, event }));
  }
  const s = parseScenario(lines.join('\n') + '\n', `generated-${seed}`);
  if (s instanceof LogError) throw s;
  return s;
}

/** The scenario with an (empty) expect on every step of its programs: every outcome then counts. */
export function expecting(scn: Scenario): Scenario {
  return { ...scn, programs: scn.programs.map((p) => ({ ...p, steps: p.steps.map((s) => ({ ...s, expect: s.expect ?? {} })) })) };
}
