// The program behind bin/daxsim.js: runs the command line and sets the exit status.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { main } from './cli.ts';
import { setCollector } from './io.ts';

// Long replays collect garbage now and then so that peak memory does not grow with the log
// (see setCollector). V8 hands out its gc() only to contexts made after the flag is set.
setFlagsFromString('--expose-gc');
setCollector(runInNewContext('gc') as () => void);

process.exitCode = await main(process.argv.slice(2));
// For the benchmark: the peak resident set of this process, on stderr.
if (process.env['DAXSIM_STATS'] === '1') process.stderr.write(`daxsim-stats maxrss_kb=${process.resourceUsage().maxRSS}\n`);
