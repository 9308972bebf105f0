// The program behind bin/daxsim.js: runs the command line and sets the exit status.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { main } from './cli.ts';
import { setCollector } from './io.ts';

// Long replays collect garbage now and then so that peak memory does not grow with the log
// (see setCollector). V8 hands out its gc() only to contexts made after the flag is set.
setFlagsFromString('--expose-gc');
// V8 moves an allocation site's objects straight into the old generation once most of them
// survive a young collection. Some of a replay's short-lived objects (the steps read from the
// log, their outcomes) get moved there that way, where only a full collection frees them: the
// old generation then grew with the length of the log. Without it, a million-step replay peaks
// 4-7% above a 100k-step one instead of 11% (bench/README.md), in the same time, and an
// exploration is as fast.
setFlagsFromString('--no-allocation-site-pretenuring');
setCollector(runInNewContext('gc') as () => void);

process.exitCode = await main(process.argv.slice(2));
// For the benchmark: the peak resident set of this process and the CPU time of all its threads
// (the main one, workers, V8's compiler and collector threads), on stderr.
if (process.env['DAXSIM_STATS'] === '1') {
  const cpu = process.cpuUsage();
  process.stderr.write(`daxsim-stats maxrss_kb=${process.resourceUsage().maxRSS} cpu_ms=${Math.round((cpu.user + cpu.system) / 1000)}\n`);
}
